"""Strip markers of interpolations in quoted strings (``"a ${~ x ~} b"``), and the white
space a strip marker takes.

HCL lets an interpolation, like a directive, strip the white space of the literal text
beside it: ``${~`` takes the white space before it, ``~}`` the white space after it.
python-hcl2's grammar reads the markers of directives (``%{~ if x ~}``) but refuses them on
an interpolation in a quoted string, so a file using them was unread. Before such text is
parsed, :func:`without_strip_markers` blanks each interpolation's marker (a space in its
place keeps every position) and :func:`marked` puts it back into the syntax tree as the
``STRIP_MARKER`` token the grammar gives a directive's. Heredocs and template files are
read as raw text and keep their markers (:mod:`keyless.iac.hcltemplates`).
https://developer.hashicorp.com/terraform/language/expressions/strings#strip-markers
"""

from __future__ import annotations

import re
from typing import Any

from lark import Token, Tree

#: Go's ``unicode.IsSpace``, what HCL's strip markers take (hclsyntax trims literal text
#: with ``strings.TrimLeftFunc(…, unicode.IsSpace)``): Python's ``str.isspace`` also takes
#: the separators U+001C-U+001F, which Terraform keeps.
GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

_HEREDOC = re.compile(r"<<-?([A-Za-z][A-Za-z0-9._-]*)\r?\n")
_STRING_PLAIN = re.compile(r'[^"\\\n$%]+')
_CODE_PLAIN = re.compile(r'[^"{}#/<~]+')


def without_strip_markers(text: str) -> tuple[str, frozenset[int]]:
    """``text`` with the strip markers of the interpolations in its quoted strings blanked,
    and the offsets where they were. Text that is not HCL is returned as it is (the parser
    then reports it)."""
    if "~" not in text:
        return text, frozenset()
    found: list[int] = []
    # what is open: "c" code, "{" a brace, '"' a quoted string, "$" an interpolation,
    # "%" a directive
    stack = ["c"]
    offset, length = 0, len(text)
    while offset < length:
        top = stack[-1]
        plain = (_STRING_PLAIN if top == '"' else _CODE_PLAIN).match(text, offset)
        if plain is not None:
            offset = plain.end()
            continue
        char = text[offset]
        if top == '"':
            if char == "\\":
                offset += 2
                continue
            if char in '\n"':
                stack.pop()  # a string that does not end on its line: the parser reports it
            elif text.startswith(("$${", "%%{"), offset):
                offset += 3
                continue
            elif text.startswith("${~", offset):
                stack.append("$")
                found.append(offset + 2)
                offset += 3
                continue
            elif text.startswith(("${", "%{"), offset):
                stack.append(char)
                offset += 2
                continue
        elif char == '"':
            stack.append('"')
        elif char == "{":
            stack.append("{")
        elif char == "}":
            if len(stack) > 1:
                stack.pop()
        elif char == "~":
            if top == "$" and text.startswith("~}", offset):
                found.append(offset)
        elif char == "#" or text.startswith("//", offset):
            newline = text.find("\n", offset)
            offset = length if newline < 0 else newline
            continue
        elif text.startswith("/*", offset):
            close = text.find("*/", offset + 2)
            offset = length if close < 0 else close + 2
            continue
        elif text.startswith("<<", offset):
            offset = _heredoc_end(text, offset)
            continue
        offset += 1
        if not stack:
            stack.append("c")
    if not found:
        return text, frozenset()
    characters = list(text)
    for position in found:
        characters[position] = " "
    return "".join(characters), frozenset(found)


def _heredoc_end(text: str, offset: int) -> int:
    match = _HEREDOC.match(text, offset)
    if match is None:
        return offset + 2
    marker = re.escape(match.group(1))
    end = re.compile(rf"^[ \t]*{marker}[ \t]*\r?$", re.MULTILINE).search(text, match.end())
    return len(text) if end is None else end.end()


def marked(tree: Tree[Any], offsets: frozenset[int]) -> None:
    """Put a ``STRIP_MARKER`` token back into each interpolation whose marker
    :func:`without_strip_markers` blanked at one of ``offsets`` (of the parsed text)."""
    if not offsets:
        return
    for subtree in tree.iter_subtrees():
        if subtree.data != "interpolation":
            continue
        children = subtree.children
        opening, closing = children[0], children[-1]
        if isinstance(opening, Token) and (opening.start_pos or 0) + 2 in offsets:
            children.insert(1, _marker(opening, (opening.start_pos or 0) + 2))
        if isinstance(closing, Token) and (closing.start_pos or 0) - 1 in offsets:
            children.insert(len(children) - 1, _marker(closing, (closing.start_pos or 0) - 1))


def _marker(beside: Token, offset: int) -> Token:
    column = beside.column or 1
    shift = offset - (beside.start_pos or 0)
    return Token("STRIP_MARKER", "~", start_pos=offset, line=beside.line, column=column + shift)
