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
keyless reads it as a step that may run.
"""

from __future__ import annotations

import re
from typing import Any

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
