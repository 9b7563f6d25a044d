"""``if:`` conditions that are false whenever GitHub runs the step.

A step's ``if:`` is an expression, with or without ``${{ }}``
(https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idstepsstepsif).
Two shapes are false on GitHub as written, whatever the event:

- the literal ``false``, which people write to switch a step off;
- ``env.ACT`` (or ``env.ACT == 'true'``): nektos/act, which runs workflows on a
  developer's machine, sets ``ACT=true`` in the environment
  (https://nektosact.com/usage/index.html#skipping-steps); GitHub sets no ``ACT``
  variable (https://docs.github.com/en/actions/reference/workflows-and-actions/variables#default-environment-variables),
  so a step meant for local runs only is skipped on GitHub.

A condition that holds one of them as a conjunct (``env.ACT && github.ref == …``) is
false too. Anything else (``!env.ACT``, ``||``, parentheses, a function) is not judged:
keyless reads it as a step that may run. A job's ``if:`` cannot read ``env``; its
``false`` is judged the same way.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from keyless.findings import Finding, Severity
from keyless.workflows.yamldoc import is_map, is_seq

# A finding's route inside a job, and inside one of its steps: job IDs are letters,
# digits, `-` and `_` (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_id).
_IN_JOB = re.compile(r"jobs\.([A-Za-z0-9_-]+)(?:\.steps\[(\d+)\])?")
_WRAPPED = re.compile(r"\s*\$\{\{(.*)\}\}\s*", re.DOTALL)
# A string literal of an expression: single quotes, '' inside for a quote.
_STRING = re.compile(r"'(?:[^']|'')*'")
_ACT_INDEX = re.compile(r"env\s*\[\s*'ACT'\s*\]", re.IGNORECASE)
# Property names and string comparisons are case-insensitive in expressions.
_ACT_TRUE = re.compile(r"env\s*\.\s*ACT(?:\s*==\s*'true')?", re.IGNORECASE)

#: Why a step does not run on GitHub, by the shape of its condition.
FALSE = "its `if:` is `false`"
ACT_ONLY = (
    "its `if:` needs `env.ACT`, which nektos/act sets for local runs and GitHub does not "
    "set, unless a workflow sets an `ACT` variable itself"
)


def not_on_github(condition: Any) -> str | None:
    """Why a step with this ``if:`` never runs on GitHub, or None when it may.
    ``condition`` is the YAML value as read: ``False``, or text."""
    if condition is False:
        return FALSE
    if not isinstance(condition, str) or len(condition) > 1000:
        return None
    wrapped = _WRAPPED.fullmatch(condition)
    expression = wrapped.group(1) if wrapped else condition
    if "${{" in expression:
        return None  # text around an expression: a non-empty string, which is true
    # Strings are set aside first: a `&&` or `false` inside one is no operator.
    expression = _ACT_INDEX.sub("env.ACT", expression)
    masked = _STRING.sub(lambda m: "'true'" if m.group(0).lower() == "'true'" else "''", expression)
    if any(mark in masked for mark in ("||", "(", "!")):
        return None
    for part in masked.split("&&"):
        atom = part.strip()
        if atom == "false":
            return FALSE
        if _ACT_TRUE.fullmatch(atom):
            return ACT_ONLY
    return None


def lowered_if_never_run(finding: Finding, root: Any, route: str) -> Finding:
    """``finding`` (at ``route`` of the workflow ``root``) made low, with the reason, when
    the job or step it is in never runs on GitHub (:func:`not_on_github`); else itself."""
    match = _IN_JOB.match(route)
    jobs: Any = root.get("jobs") if is_map(root) and match else None
    job: Any = jobs.get(match.group(1)) if match and is_map(jobs) else None
    if not is_map(job):
        return finding
    reason, what = not_on_github(job.get("if")), "job"
    steps: Any = job.get("steps")
    index = int(match.group(2)) if match and match.group(2) and len(match.group(2)) < 6 else None
    if reason is None and index is not None and is_seq(steps) and index < len(steps):
        step = steps[index]
        reason, what = (not_on_github(step.get("if")) if is_map(step) else None), "step"
    if reason is None:
        return finding
    return replace(
        finding,
        severity=Severity.LOW,
        message=f"{finding.message}; the {what} does not run on GitHub: {reason}",
    )
