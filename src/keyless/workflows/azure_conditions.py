"""Azure Pipelines stages, jobs and steps whose ``condition:`` is false as written.

A stage, job or step runs only when its ``condition`` is true
(https://learn.microsoft.com/en-us/azure/devops/pipelines/process/conditions); the condition
is an expression whose literals are ``True`` / ``False`` (any case), numbers and
single-quoted strings, and whose ``eq`` / ``ne`` compare strings ignoring case
(https://learn.microsoft.com/en-us/azure/devops/pipelines/process/expressions). Three shapes
are false whatever the run, and are judged here:

- the literal ``false`` (a YAML boolean, or the text, in any case), people's way to switch a
  step off, also written as the template expression ``${{ false }}``;
- ``eq`` of two different literals (``eq(1, 2)``, ``eq('a', 'b')``), or ``ne`` of two equal
  ones (strings of ASCII only: Azure's ignore-case comparison of other text is not
  Python's);
- ``and(…)`` with one of those as an argument.

Anything else (a variable, a status function, ``or``, ``not``) is not judged: keyless reads
it as something that may run. The keys of what never runs are reported ``low``, with the
reason; a stage's or job's condition covers everything inside it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from keyless.findings import FileLocation, Finding, Severity
from keyless.workflows.keyuse import mappings
from keyless.workflows.yamldoc import is_map

#: Why a stage, job or step never runs, by the shape of its condition.
FALSE = "its `condition:` is `false`"
CONSTANT = "its `condition:` compares two constants and is always false"

_STEP_KEYS = frozenset({"script", "bash", "pwsh", "powershell", "task"})
_WRAPPED = re.compile(r"\s*\$\{\{(.*)\}\}\s*", re.DOTALL)
_LITERAL = r"(?:'(?:[^']|'')*'|-?\d+(?:\.\d+)?)"
_COMPARISON = re.compile(rf"\s*(eq|ne)\s*\(\s*({_LITERAL})\s*,\s*({_LITERAL})\s*\)\s*", re.I)
_AND = re.compile(r"\s*and\s*\((.*)\)\s*", re.IGNORECASE | re.DOTALL)


def never_runs(condition: Any) -> str | None:
    """Why a stage, job or step with this ``condition:`` never runs, or None when it may.
    ``condition`` is the YAML value as read: ``False``, or text."""
    if condition is False:
        return FALSE
    if not isinstance(condition, str) or len(condition) > 1000:
        return None
    wrapped = _WRAPPED.fullmatch(condition)
    expression = (wrapped.group(1) if wrapped else condition).strip()
    if "${{" in expression or "$[" in expression or "$(" in expression:
        return None  # a value substituted at run time: not constant
    return _false(expression, depth=0)


def _false(expression: str, depth: int) -> str | None:
    text = expression.strip()
    if text.lower() == "false":
        return FALSE
    comparison = _COMPARISON.fullmatch(text)
    if comparison is not None:
        function, left, right = comparison.groups()
        if not (left.isascii() and right.isascii()):
            # Azure compares ignoring case one character at a time (.NET's ordinal
            # ignore-case), which no Python case mapping reproduces outside ASCII: casefold
            # made ne('straße', 'STRASSE') false and eq('K', 'k') (a Kelvin sign) true.
            return None
        first, second = _value(left), _value(right)
        if type(first) is not type(second):
            return None  # Azure converts one to the other's type (`eq(1, '1')` is true)
        equal = first == second
        return CONSTANT if equal == (function.lower() == "ne") else None
    conjunction = _AND.fullmatch(text)
    if conjunction is not None and depth == 0:
        for argument in _arguments(conjunction.group(1)):
            reason = _false(argument, depth + 1)
            if reason is not None:
                return reason
    return None


def _value(literal: str) -> float | str:
    if literal.startswith("'"):
        return literal[1:-1].replace("''", "'").lower()  # ASCII: as Azure ignores case
    return float(literal)  # the pattern admits only digits, a sign and a point


def _arguments(text: str) -> list[str]:
    """``and``'s arguments, split at the commas outside parentheses and strings: a nested
    call stays whole."""
    out: list[str] = []
    depth, start, quoted = 0, 0, False
    for index, char in enumerate(text):
        if char == "'":
            quoted = not quoted
        elif quoted:
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            out.append(text[start:index])
            start = index + 1
    out.append(text[start:])
    return out


def idle_routes(root: Any) -> dict[str, tuple[str, str]]:
    """The routes of the stages, jobs and steps of a pipeline that never run, each with
    what it is (``stage``, ``job``, ``step``) and why."""
    out: dict[str, tuple[str, str]] = {}
    for route, node in mappings(root):
        if not route or "condition" not in node or route.endswith(".inputs"):
            continue
        keys = set(map(str, node))
        if "stage" in keys:
            what = "stage"
        elif "job" in keys or "deployment" in keys:
            what = "job"
        elif _STEP_KEYS & keys:
            what = "step"
        else:
            continue
        reason = never_runs(node.get("condition"))
        if reason is not None:
            out[route] = (what, reason)
    return out


def lowered_if_never_run(found: list[Finding], root: Any) -> list[Finding]:
    """``found`` with each finding inside a stage, job or step that never runs made low,
    with the reason (the outermost one that never runs)."""
    idle = idle_routes(root) if is_map(root) else {}
    if not idle:
        return found
    out: list[Finding] = []
    for finding in found:
        route = finding.location.route if isinstance(finding.location, FileLocation) else None
        holder = next(
            (
                idle[r]
                for r in sorted(idle, key=len)
                if route is not None and (route == r or route.startswith((f"{r}.", f"{r}[")))
            ),
            None,
        )
        if holder is None:
            out.append(finding)
            continue
        what, reason = holder
        out.append(
            replace(
                finding,
                severity=Severity.LOW,
                message=f"{finding.message}; the {what} does not run on Azure Pipelines: {reason}",
            )
        )
    return out
