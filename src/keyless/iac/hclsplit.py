"""Terraform files parsed block by block, and only the blocks keyless reads.

A Terraform file is a sequence of top-level blocks. Most of a real configuration (buckets,
networks, functions) says nothing about IAM, and parsing is the dominant cost of reading
HCL in Python, so the file is first cut into its top-level blocks by a scanner that knows
HCL's strings, interpolations, heredocs and comments. The blocks keyless judges or
evaluates (variables, locals, modules, IAM resources, the data sources it understands) are
parsed into values at once. Every other block is parsed too, for its errors only (what
it holds is dropped) and turned into values only if an IAM value refers to it: a file keyless could
not read whole is reported as not read, never as clean, whatever block holds the error,
and an unrelated block costs no memory after the check.
"""

from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hcl2.utils import process_escape_sequences
from lark import Token, Tree

from keyless.errors import quoted
from keyless.iac.hcl import Block, Body, HclSyntaxError, block_of, parse_tree
from keyless.iac.tflabels import (
    RefusedBlockError,
    RefusedLabelError,
    refused_block_type,
    refused_label,
    wrong_label_count,
)
from keyless.iac.values import Position

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_HEREDOC = re.compile(r"<<-?([A-Za-z][A-Za-z0-9._-]*)\r?\n")
_STRING_PLAIN = re.compile(r'[^"\\\n$%]+')
_CODE_PLAIN = re.compile(r'[^"{}#/<]+')
_BLANK = re.compile(r"(?:[ \t\r\n]+|#[^\n]*|//[^\n]*|/\*.*?\*/)*", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Chunk:
    """One top-level block: its header and where its text is."""

    type: str
    labels: tuple[str, ...]
    start: int
    end: int
    position: Position


def parse_terraform(text: str, eager: Callable[[str, tuple[str, ...]], bool]) -> Body:
    """A ``.tf`` file's top-level blocks; those ``eager`` selects are parsed into values
    now, the others when first read (their syntax is checked now). Raises
    :class:`HclSyntaxError` for a malformed file, whichever block is malformed."""
    lines = _LineIndex(text)
    blocks = []
    for chunk in split_blocks(text, lines):
        if eager(chunk.type, chunk.labels):
            blocks.append(_parse_chunk(text, chunk, lines))
        else:
            _parse_chunk(text, chunk, lines)  # its syntax only: the values are dropped
            blocks.append(
                Block(chunk.type, chunk.labels, _deferred(text, chunk, lines), chunk.position)
            )
    return Body({}, tuple(blocks))


def _deferred(text: str, chunk: Chunk, lines: _LineIndex) -> Callable[[], Body]:
    return lambda: _parse_chunk(text, chunk, lines).body


class _LineIndex:
    def __init__(self, text: str):
        # an array of 8-byte offsets, not a list of ints: 12 million lines took 590 MB
        self.starts = array("q", [0])
        self.starts.extend(m.end() for m in re.finditer("\n", text))

    def position(self, offset: int) -> Position:
        line = bisect.bisect_right(self.starts, offset)
        return Position(line, offset - self.starts[line - 1] + 1)


def split_blocks(text: str, lines: _LineIndex | None = None) -> list[Chunk]:
    """The top-level blocks of ``text``, in order. Raises :class:`HclSyntaxError`."""
    lines = lines or _LineIndex(text)
    chunks: list[Chunk] = []
    offset = 0
    while True:
        offset = _skip_blank(text, offset)
        if offset >= len(text):
            return chunks
        start = offset
        match = _IDENTIFIER.match(text, offset)
        if match is None:
            raise HclSyntaxError(f"unexpected {text[offset]!r}", lines.position(offset))
        block_type = match.group()
        refused_type = refused_block_type(block_type)
        if refused_type is not None:
            raise RefusedBlockError(refused_type, lines.position(start))
        offset = match.end()
        labels: list[str] = []
        label_starts: list[int] = []
        while True:
            offset = _skip_spaces(text, offset)
            label_starts.append(offset)
            if text.startswith('"', offset):
                end = _string_end(text, offset, lines)
                labels.append(text[offset + 1 : end - 1])
                offset = end
                continue
            label = _IDENTIFIER.match(text, offset)
            if label is None:
                break
            labels.append(label.group())
            offset = label.end()
        # a quoted label's escapes are decoded before Terraform checks it (`"\u0061"` is a)
        decoded = tuple(map(process_escape_sequences, labels))
        refused = refused_label(block_type, decoded) or wrong_label_count(block_type, decoded)
        if refused is not None:
            index, reason = refused
            raise RefusedLabelError(reason, lines.position(label_starts[index]))
        if not text.startswith("{", offset):
            raise HclSyntaxError(
                f"expected a block after {quoted(block_type)}", lines.position(offset)
            )
        end = _block_end(text, offset, lines)
        chunks.append(Chunk(block_type, tuple(labels), start, end, lines.position(start)))
        offset = end


def _skip_blank(text: str, offset: int) -> int:
    match = _BLANK.match(text, offset)
    return match.end() if match else offset


def _skip_spaces(text: str, offset: int) -> int:
    while offset < len(text) and text[offset] in " \t":
        offset += 1
    return offset


def _string_end(text: str, offset: int, lines: _LineIndex) -> int:
    """The offset after the quoted string (with its interpolations) starting at ``offset``."""
    return _scan(text, offset + 1, ['"'], lines)


def _block_end(text: str, offset: int, lines: _LineIndex) -> int:
    """The offset after the ``}`` that closes the ``{`` at ``offset``."""
    return _scan(text, offset + 1, ["{"], lines)


def _scan(text: str, offset: int, stack: list[str], lines: _LineIndex) -> int:
    """Walk until ``stack`` (of ``{`` braces, ``"`` strings and ``$`` interpolations)
    empties; the offset after the character that emptied it."""
    length = len(text)
    opened = offset - 1  # the brace or quote that opened what is scanned
    while offset < length:
        top = stack[-1]
        # Runs of characters that change nothing are skipped at once (a Python step per
        # character took 20 s over a 60 MB string)
        plain = (_STRING_PLAIN if top == '"' else _CODE_PLAIN).match(text, offset)
        if plain is not None:
            offset = plain.end()
            if offset >= length:
                break
        char = text[offset]
        if top == '"':
            if char == "\\":
                offset += 2
                continue
            if char == "\n":
                raise HclSyntaxError(
                    "a quoted string does not end on its line", lines.position(offset)
                )
            if char == '"':
                stack.pop()
            elif text.startswith(("$${", "%%{"), offset):
                offset += 3
                continue
            elif text.startswith(("${", "%{"), offset):
                stack.append("$")
                offset += 2
                continue
        elif char == '"':
            stack.append('"')
        elif char == "{":
            stack.append("{")
        elif char == "}":
            stack.pop()
        elif char == "#" or text.startswith("//", offset):
            newline = text.find("\n", offset)
            offset = length if newline < 0 else newline
            continue
        elif text.startswith("/*", offset):
            close = text.find("*/", offset + 2)
            if close < 0:
                raise HclSyntaxError("a comment does not end", lines.position(offset))
            offset = close + 2
            continue
        elif text.startswith("<<", offset):
            offset = _heredoc_end(text, offset, lines)
            continue
        offset += 1
        if not stack:
            return offset
    raise HclSyntaxError("unexpected end of file: a block is not closed", lines.position(opened))


def _heredoc_end(text: str, offset: int, lines: _LineIndex) -> int:
    match = _HEREDOC.match(text, offset)
    if match is None:
        return offset + 2  # `<<` that is not a heredoc: an operator the parser will judge
    marker = re.escape(match.group(1))
    end = re.compile(rf"^[ \t]*{marker}[ \t]*\r?$", re.MULTILINE).search(text, match.end())
    if end is None:
        raise HclSyntaxError("a heredoc does not end", lines.position(offset))
    return end.end()


def _parse_chunk(text: str, chunk: Chunk, lines: _LineIndex) -> Block:
    """Parse one block alone, then place its positions where it is in the file."""
    origin = chunk.position
    try:
        tree = parse_tree(text[chunk.start : chunk.end])
    except HclSyntaxError as error:
        raise type(error)(error.message, error.position.shifted(origin)) from None
    _shift(tree, origin, chunk.start)
    block = next(c for c in tree.children[0].children if isinstance(c, Tree) and c.data == "block")
    return block_of(block)


def _shift(tree: Tree[Any], origin: Position, offset: int) -> None:
    """Move every position of a block parsed alone to where the block starts in its file."""
    lines, columns = origin.line - 1, origin.column - 1
    for subtree in tree.iter_subtrees():
        meta = subtree.meta
        if not getattr(meta, "empty", True):
            _move(meta, lines, columns, offset)
        for child in subtree.children:
            if isinstance(child, Token):
                _move(child, lines, columns, offset)


def _move(item: Any, lines: int, columns: int, offset: int) -> None:
    if getattr(item, "line", None) is None:
        return
    if item.line == 1:
        item.column += columns
    if getattr(item, "end_line", None) == 1 and item.end_column is not None:
        item.end_column += columns
    item.line += lines
    if item.end_line is not None:
        item.end_line += lines
    if item.start_pos is not None:
        item.start_pos += offset
    if item.end_pos is not None:
        item.end_pos += offset
