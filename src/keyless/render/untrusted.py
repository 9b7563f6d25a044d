"""Untrusted text made safe for a terminal line.

Policy text, names from an estate and option values may hold characters that break or
restyle a line: a newline (forging a line such as ``ALLOW``), a carriage return, an ANSI
escape, a bidirectional override that reorders what is shown, a line or paragraph
separator. :func:`printable` writes each such character as a visible escape (``\\n``,
``\\x1b``, ``\\u202e``), so the text stays on its line and reads as what it is; a byte of
a file name or argument that is not UTF-8 (a lone surrogate, PEP 383) as the ``\\xff`` the
user typed (:func:`keyless.files.path_text`). Rich
markup is a separate concern (``rich.markup.escape``); JSON, SARIF and HTML output are
quoted by their own serialisers. A browser lays out what HTML escaping leaves alone, a
bidirectional override included: :func:`visible` is :func:`printable` for a page (line
breaks and tabs are the page's to lay out).
"""

from __future__ import annotations

from keyless.files import path_text

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """``text`` with every control, format, separator, surrogate, private-use or
    unassigned character written as an escape; everything else unchanged."""
    if text.isprintable():
        return text
    return "".join(_shown(char) for char in path_text(text))


#: The longest word (a run without spaces: a name, an address, a quoted value) a line
#: shows whole: a resource label of 5 MB was a line of 5 MB in a terminal or a CI log.
LONGEST_WORD = 200
#: What is kept of a longer word: its start and its end, around the marker.
_KEPT_START, _KEPT_END = 120, 40


def shortened(text: str, longest: int = LONGEST_WORD) -> str:
    """``text`` with every word longer than ``longest`` characters cut in the middle, an
    explicit marker in its place: ``aws_iam_user.uuuu…[4,999,840 characters left
    out]…uuuu``. For people (text, annotations); JSON and SARIF keep names whole."""
    if len(text) <= longest:
        return text
    return " ".join(
        word
        if len(word) <= longest
        else (
            f"{word[:_KEPT_START]}…[{len(word) - _KEPT_START - _KEPT_END:,} characters left "
            f"out]…{word[-_KEPT_END:]}"
        )
        for word in text.split(" ")
    )


def visible(text: str) -> str:
    """:func:`printable`, but line breaks and tabs kept: for text a browser lays out."""
    if text.isprintable():
        return text
    return "".join(char if char in "\n\t" else _shown(char) for char in path_text(text))


def _shown(char: str) -> str:
    if char.isprintable() or char == " ":
        return char
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"
