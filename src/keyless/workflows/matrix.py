"""The values a GitHub job's ``${{ matrix.NAME }}`` takes, as GitHub expands
``strategy.matrix``.

https://docs.github.com/en/actions/how-tos/write-workflows/choose-what-workflows-do/run-job-variations
(the matrix's own keys give every combination; ``exclude`` removes the combinations an
entry matches, partially; then each ``include`` entry is added to every original
combination whose original values it does not overwrite — values added by an earlier
entry may be — or, when it fits none, becomes a combination of its own). A matrix that
is an expression (``${{ fromJSON(...) }}``), or any value keyless cannot read as a plain
string, gives ``None``: unknown, never guessed.
"""

from __future__ import annotations

import itertools
import math
import re
from typing import Any

from keyless.workflows.yamldoc import is_map, is_seq

#: GitHub: "A matrix will generate a maximum of 256 jobs per workflow run."
MAX_COMBINATIONS = 256
_MATRIX_REFERENCE = re.compile(r"\$\{\{\s*matrix\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}", re.ASCII)


def combinations(job: Any) -> list[dict[str, Any]] | None:
    """Every combination of the job's matrix (``[{}]`` for a job without one), or
    ``None`` when the file does not decide them."""
    strategy = job.get("strategy") if is_map(job) else None
    if strategy is None:
        return [{}]
    matrix = strategy.get("matrix") if is_map(strategy) else None
    if matrix is None:
        return [{}]
    if not is_map(matrix):
        return None
    own = {str(k): v for k, v in matrix.items() if k not in ("include", "exclude")}
    if not all(is_seq(values) for values in own.values()):
        return None
    if math.prod(len(values) for values in own.values()) > MAX_COMBINATIONS:
        return None
    originals: list[dict[str, Any]] = (
        [dict(zip(own, values, strict=True)) for values in itertools.product(*own.values())]
        if own
        else []
    )
    excluded = _entries(matrix.get("exclude"))
    included = _entries(matrix.get("include"))
    if excluded is None or included is None:
        return None
    originals = [c for c in originals if not any(_matches(entry, c) for entry in excluded)]
    added: list[dict[str, Any]] = []
    for entry in included:
        fits = [c for c in originals if all(c[k] == v for k, v in entry.items() if k in own)]
        for combination in fits:
            combination.update(entry)
        if not fits:
            added.append(dict(entry))
    everything = originals + added
    return everything if len(everything) <= MAX_COMBINATIONS else None


def expand(template: str, job: Any) -> tuple[str, ...] | None:
    """``template`` once per combination of the job's matrix, each ``${{ matrix.NAME }}``
    replaced by its value; ``None`` when another expression is in it or a value is
    unknown (a combination without the name, an expression, a mapping)."""
    if "${{" in _MATRIX_REFERENCE.sub("", template):
        return None
    names = [m.group(1) for m in _MATRIX_REFERENCE.finditer(template)]
    if not names:
        return (template,)
    found = combinations(job)
    if found is None:
        return None
    results: list[str] = []
    for combination in found:
        values = {name: _text(combination.get(name)) for name in names}
        known = {name: value for name, value in values.items() if value is not None}
        if len(known) < len(values):
            return None
        results.append(_substitute(template, known))
    return tuple(dict.fromkeys(results))


def _substitute(template: str, values: dict[str, str]) -> str:
    return _MATRIX_REFERENCE.sub(lambda m: values[m.group(1)], template)


def _entries(node: Any) -> list[dict[str, Any]] | None:
    if node is None:
        return []
    if not is_seq(node) or not all(is_map(entry) for entry in node):
        return None
    return [{str(k): v for k, v in entry.items()} for entry in node]


def _matches(entry: dict[str, Any], combination: dict[str, Any]) -> bool:
    return all(k in combination and combination[k] == v for k, v in entry.items())


def _text(value: Any) -> str | None:
    """A matrix value as an expression renders it in a string, when it is plain."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and "${{" not in value:
        return value
    return None
