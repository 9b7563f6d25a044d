"""Where a template's ``${ … }`` interpolations and ``%{ … }`` directives are: found by
scanning its text (quoted strings inside them skipped), so that a heredoc, a template file
or a ``.tf.json`` string is cut into literal text and the expressions HCL parses.
https://developer.hashicorp.com/terraform/language/expressions/strings#interpolation
"""

from __future__ import annotations

import re

_OPENER = re.compile(r"(?<![$%])[$%]\{")


def interpolations(body: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each ``${ … }`` and ``%{ … }`` in a template (not ``$${``), up
    to one that is never closed (:func:`unclosed`)."""
    found: list[tuple[int, int]] = []
    index = 0
    while True:
        match = _OPENER.search(body, index)
        if match is None:
            return found
        depth, cursor, quote = 0, match.start() + 1, False
        while cursor < len(body):
            char = body[cursor]
            if quote:
                if char == "\\":
                    cursor += 1
                elif char == '"':
                    quote = False
            elif char == '"':
                quote = True
            elif char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    break
            cursor += 1
        if cursor >= len(body):
            return found  # unterminated: unclosed finds it
        found.append((match.start(), cursor + 1))
        index = cursor + 1


def unclosed(body: str, found: list[tuple[int, int]]) -> int | None:
    """Where a ``${`` or ``%{`` that is never closed starts (after the last one found)."""
    match = _OPENER.search(body, found[-1][1] if found else 0)
    return None if match is None else match.start()
