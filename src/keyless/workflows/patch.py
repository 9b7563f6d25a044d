"""Targeted text edits at positions found by the YAML loader.

``fix`` never re-dumps a document: it computes a few edits (replace these lines, insert
those, change this value) and applies them to the original text, so every byte it does
not touch (comments, quoting, key order, anchors, blank lines) stays as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``lines[start:end]`` with ``new`` (whole lines; ``start == end`` inserts).

    ``order`` breaks ties between insertions at the same line: lower goes first.
    """

    start: int
    end: int
    new: tuple[str, ...] = ()
    order: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError("an edit needs 0 <= start <= end")


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping line edits to ``text`` and return the new text.

    Replacements that cover the same lines are de-duplicated; overlapping different
    edits are a programming error and raise ``ValueError``.
    """
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
        trailing_added = True
    else:
        trailing_added = False
    unique = sorted(set(edits), key=lambda e: (e.start, e.end, e.order))
    previous_end = 0
    for edit in unique:
        if edit.start < previous_end:
            raise ValueError(f"overlapping edits at line {edit.start + 1}")
        previous_end = max(previous_end, edit.end)
    out: list[str] = []
    cursor = 0
    for edit in unique:
        out.extend(lines[cursor : edit.start])
        out.extend(line + newline for line in edit.new)
        cursor = max(cursor, edit.end)
    out.extend(lines[cursor:])
    result = "".join(out)
    if trailing_added and result.endswith(newline):
        result = result[: -len(newline)]
    return result


def indent_of(line: str) -> int:
    """Number of leading spaces."""
    return len(line) - len(line.lstrip(" "))


def block_end(lines: Sequence[str], start: int, column: int) -> int:
    """The line after the block that begins at ``start`` with a key (or dash) at ``column``.

    The block holds the lines indented deeper than ``column``; trailing blank lines and
    comments at or left of ``column`` belong to what follows.
    """
    end = start + 1
    index = start + 1
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            index += 1
            continue
        if indent_of(line) <= column:
            break
        index += 1
        end = index
    return end


def leading_comments_start(lines: Sequence[str], start: int, column: int) -> int:
    """Move ``start`` up over comment lines at ``column`` directly above it."""
    index = start
    while index > 0:
        line = lines[index - 1]
        if line.strip().startswith("#") and indent_of(line) == column:
            index -= 1
        else:
            break
    return index


def dash_line(lines: Sequence[str], line: int, column: int) -> tuple[int, int]:
    """(line, column) of the ``-`` that opens a sequence item whose value is at ``column``."""
    text = lines[line][:column].rstrip()
    if text.endswith("-"):
        return line, len(text) - 1
    # The value sits on a line of its own below the dash.
    index = line - 1
    while index >= 0:
        stripped = lines[index].rstrip()
        if stripped.endswith("-") and stripped.strip() == "-":
            return index, len(stripped) - 1
        index -= 1
    return line, max(column - 2, 0)
