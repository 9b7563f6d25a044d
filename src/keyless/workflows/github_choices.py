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
