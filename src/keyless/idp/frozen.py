"""The providers' grammar-wide automata, built ahead of time.

A provider's well-formed subjects and the runs of each of its triggers are minimal DFAs built
from templates by products and minimisation: about a third of a second of CPU for all
providers together, spent by every process that judges a trust policy (most of what `keyless trust`
spends on one policy, and serial work before a scan forks its workers). They depend on
nothing but the templates, so `make docs` builds them once into ``automata.json`` beside
this module, each under the arguments that build it (its *key*). A key the table does not
hold (templates edited without regenerating, a grammar a test makes up) is built as before:
the table only ever saves work, and a test rebuilds every entry and compares, so a stale
table fails the suite rather than changing a verdict.

``python -m keyless.idp.automata`` prints the table.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Hashable, Iterator
from pathlib import Path
from typing import Any

import orjson

from keyless.patterns.dfa import Dfa
from keyless.patterns.language import Language

TABLE = Path(__file__).with_name("automata.json")

#: Set while the table is being generated: every key is built, and recorded here.
_recording: dict[str, Dfa] | None = None


@contextlib.contextmanager
def recording() -> Iterator[dict[str, Dfa]]:
    """Within it, every key is built (the table is not read) and recorded in the mapping
    it gives."""
    global _recording
    _recording = {}
    try:
        yield _recording
    finally:
        _recording = None


def dumps(automata: dict[str, Dfa]) -> str:
    """The table as JSON text: one automaton per line, keys sorted (a readable diff)."""
    lines = [
        f"  {orjson.dumps(name).decode()}: "
        + orjson.dumps(
            [list(dfa.alphabet), [list(r) for r in dfa.table], sorted(dfa.accepting)]
        ).decode()
        for name, dfa in sorted(automata.items())
    ]
    return '{"automata": {\n' + ",\n".join(lines) + "\n}}\n"


def frozen(key: Hashable, build: Callable[[], Language]) -> Language:
    """The language ``build`` makes (one minimal automaton), from the table when it holds
    ``key`` (a tuple of the strings, tuples and Nones that ``build`` is made from)."""
    name = repr(key)
    if _recording is not None:
        if name in _recording:  # two grammars' equal triggers (GitHub's and a server's)
            return Language("dfa", leaf=_recording[name])
        language = build()
        _recording[name] = language.automaton()
        return language
    dfa = _stored(name)
    if dfa is None:
        return build()
    return Language("dfa", leaf=dfa)


@functools.cache
def _stored(name: str) -> Dfa | None:
    """The stored automaton of ``name``, or None when the table lacks it or its entry is
    malformed (it is then built). Entries are read when first asked for: a scan asks for a
    few of the table's automata, and reading them all cost about 0.1 s of every process."""
    entry = _table().get(name)
    if entry is None:
        return None
    try:
        return _dfa(entry)
    except (TypeError, ValueError):
        return None


@functools.lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    """The stored entries by key, not yet read; empty when the file is missing or
    unreadable (they are then built, as without a table)."""
    try:
        document = orjson.loads(TABLE.read_bytes())
        entries = document["automata"]
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError):
        return {}
    return entries if isinstance(entries, dict) else {}


def _dfa(entry: Any) -> Dfa:
    alphabet, table, accepting = entry
    width = len(alphabet) + 1
    rows = tuple(map(tuple, table))
    count = len(rows)
    for row in rows:
        if len(row) != width or min(row) < 0 or max(row) >= count:
            raise ValueError("a malformed automaton")
    if not all(isinstance(char, str) and len(char) == 1 for char in alphabet):
        raise ValueError("a malformed alphabet")
    return Dfa(tuple(alphabet), rows, frozenset(accepting))
