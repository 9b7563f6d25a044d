"""The values a GitHub expression can only choose among: ``cond && 'a' || 'b'``.

GitHub expressions have no ternary operator; the documented idiom is ``condition &&
'value if true' || 'value if false'``
(https://docs.github.com/en/actions/reference/workflows-and-actions/expressions#example),
which evaluates to one of its string literals when each is non-empty (an empty string is
falsy, and ``||`` would pass over it). A job's ``environment:`` written so
(``${{ github.ref == 'refs/heads/main' && 'prod' || 'staging' }}``) runs in one of those
environments, whatever the condition: each is a subject its token can carry.
"""

from __future__ import annotations

import re
from typing import Any

from keyless.workflows.yamldoc import is_map, is_seq

_WHOLE = re.compile(r"\s*\$\{\{(.*)\}\}\s*", re.DOTALL)
_STRING = re.compile(r"'(?:[^']|'')*'")
_LITERAL = re.compile(r"\s*('(?:[^']|'')+')\s*")


def chosen_literals(text: str) -> tuple[str, ...] | None:
    """The string literals a whole-value expression ``${{ c1 && 'a' || c2 && 'b' || 'c' }}``
    can evaluate to (``('a', 'b', 'c')``), or None when it has another shape (text around
    it, a literal that may be empty, a last alternative that is not a literal, parentheses)."""
    if len(text) > 1000:
        return None
    whole = _WHOLE.fullmatch(text)
    if whole is None or "${{" in whole.group(1):
        return None
    expression = whole.group(1)
    masked = _STRING.sub(lambda m: "'" + "x" * (len(m.group(0)) - 2) + "'", expression)
    if "(" in masked or "||" not in masked:
        return None
    values: list[str] = []
    start = 0
    parts = masked.split("||")
    for index, part in enumerate(parts):
        text_part = expression[start : start + len(part)]
        start += len(part) + 2
        last = index == len(parts) - 1
        if last:
            literal = _LITERAL.fullmatch(text_part)
        else:
            head, separator, tail = text_part.rpartition("&&")
            literal = _LITERAL.fullmatch(tail) if separator and head.strip() else None
        if literal is None:
            return None
        values.append(literal.group(1)[1:-1].replace("''", "'"))
    return tuple(dict.fromkeys(values))


# `${{ inputs.NAME }}` or `${{ github.event.inputs.NAME }}`, the whole value.
_DISPATCH_INPUT = re.compile(
    r"\s*\$\{\{\s*(?:github\s*\.\s*event\s*\.\s*)?inputs\s*\.\s*([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}\s*",
    re.IGNORECASE,
)


def dispatch_choices(text: str, workflow: Any) -> tuple[str, ...] | None:
    """The options of a ``workflow_dispatch`` input of ``type: choice`` that ``text``
    (``${{ inputs.environment }}``) is, when the workflow runs on nothing else: GitHub
    refuses a dispatch with a value outside ``options``
    (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#onworkflow_dispatchinputsinput_idtype).
    None otherwise (another trigger leaves the input empty; ``type: environment`` or a
    string takes any value)."""
    found = _DISPATCH_INPUT.fullmatch(text) if len(text) <= 1000 else None
    on: Any = workflow.get("on") if is_map(workflow) else None
    if found is None or not is_map(on) or [str(k) for k in on] != ["workflow_dispatch"]:
        return None
    dispatch: Any = on.get("workflow_dispatch")
    inputs: Any = dispatch.get("inputs") if is_map(dispatch) else None
    spec: Any = (
        next((v for k, v in inputs.items() if str(k).lower() == found.group(1).lower()), None)
        if is_map(inputs)
        else None
    )
    if not is_map(spec) or str(spec.get("type", "")).lower() != "choice":
        return None
    options = spec.get("options")
    if not is_seq(options) or not options or not all(isinstance(o, str) and o for o in options):
        return None
    return tuple(dict.fromkeys(str(o) for o in options))
