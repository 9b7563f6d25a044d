"""Edits shared by the GitHub and GitLab rewrites: remove entries of a mapping, add one,
and the plan both collect them in."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from keyless.workflows.model import JobRewrite
from keyless.workflows.patch import Edit, block_end, leading_comments_start
from keyless.workflows.yamldoc import key_position, own_items


@dataclass(slots=True)
class Plan:
    """The edits for one file, the jobs they rewrite and notes for the user.

    Filled while one file is planned; ``fix`` turns it into a frozen ``FileRewrite``.
    """

    edits: list[Edit] = field(default_factory=list)
    jobs: list[JobRewrite] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def on_dash_line(lines: Sequence[str], line: int, column: int) -> bool:
    """Whether a key is the first key of a sequence item (``- key: …``)."""
    return lines[line][:column].strip().startswith("-")


def key_block(lines: Sequence[str], node: Any, key: Any) -> tuple[int, int, int]:
    """(first line, line after the block, column) of one entry of a block mapping."""
    line, column = key_position(node, key)
    return line, block_end(lines, line, column), column


def remove_entries(
    lines: Sequence[str],
    node: Any,
    keys: Iterable[str],
    parent: Any = None,
    parent_key: str | None = None,
) -> list[Edit]:
    """Edits that delete ``keys`` from mapping ``node``.

    When that empties the mapping and its ``parent`` is given, the parent's key goes too
    (or becomes ``key: {}`` when it opens a sequence item and cannot be deleted).
    """
    doomed = set(keys)
    remaining = [k for k, _ in own_items(node) if k not in doomed]
    if not remaining and parent is not None and parent_key is not None:
        start, end, column = key_block(lines, parent, parent_key)
        if on_dash_line(lines, start, column):
            prefix = lines[start][:column]
            return [Edit(start, end, (f"{prefix}{parent_key}: {{}}",))]
        return [Edit(leading_comments_start(lines, start, column), end)]
    edits = []
    for key in doomed:
        if key in node:
            start, end, _ = key_block(lines, node, key)
            edits.append(Edit(start, end))
    return edits


def entry_column(node: Any) -> int:
    """The column of the keys of a block mapping."""
    first = next(iter(own_items(node)))[0]
    return key_position(node, first)[1]


def insert_before_first_key(
    lines: Sequence[str], node: Any, new: Sequence[str], order: int = 0
) -> Edit:
    """Insert ``new`` lines (already indented) above the first key of ``node``.

    When the first key opens a sequence item, the lines go below it instead.
    """
    first = next(iter(own_items(node)))[0]
    line, column = key_position(node, first)
    if on_dash_line(lines, line, column):
        end = block_end(lines, line, column)
        return Edit(end, end, tuple(new), order)
    start = leading_comments_start(lines, line, column)
    return Edit(start, start, tuple(new), order)
