"""Edits shared by the GitHub and GitLab rewrites: remove entries of a mapping, add one,
and the plan both collect them in."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from keyless.workflows.model import JobRewrite, Unfixed
from keyless.workflows.patch import Edit, block_end, leading_comments_start
from keyless.workflows.yamldoc import anchor_of, key_position, own_items
from keyless.workflows.yamlout import DEFAULT_LAYOUT, Layout, scalar


@dataclass(slots=True)
class Plan:
    """The edits for one file, the jobs they rewrite, what is left for a person and notes.

    Filled while one file is planned; ``fix`` turns it into a frozen ``FileRewrite``.
    """

    edits: list[Edit] = field(default_factory=list)
    jobs: list[JobRewrite] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unfixed: list[Unfixed] = field(default_factory=list)
    #: How the file indents its blocks: the lines inserted follow it (:func:`.yamlout.layout_of`).
    layout: Layout = DEFAULT_LAYOUT


def on_dash_line(lines: Sequence[str], line: int, column: int) -> bool:
    """Whether a key is the first key of a sequence item (``- key: …``)."""
    return lines[line][:column].strip().startswith("-")


def key_block(lines: Sequence[str], node: Any, key: Any) -> tuple[int, int, int]:
    """(first line, line after the block, column) of one entry of a block mapping."""
    line, column = key_position(node, key)
    return line, block_end(lines, line, column), column


def entry_with_comments(lines: Sequence[str], node: Any, key: Any) -> tuple[int, int, int]:
    """(first line, line after the block, column) of one entry of a block mapping with
    the comment lines written directly above it at its column (``# prod key`` above
    ``AWS_ACCESS_KEY_ID:``): what goes when the entry is removed or replaced, since they
    speak of it alone. A comment with a blank line below it stays."""
    start, end, column = key_block(lines, node, key)
    return leading_comments_start(lines, start, column), end, column


def remove_entries(
    lines: Sequence[str],
    node: Any,
    keys: Iterable[str],
    parent: Any = None,
    parent_key: Any = None,
) -> list[Edit]:
    """Edits that delete ``keys`` from mapping ``node``.

    Each key goes with the comment lines written directly above it
    (:func:`entry_with_comments`); the others stay. When that empties the
    mapping (nothing of its own and nothing merged in) and its
    ``parent`` is given, the parent's key goes too, or becomes ``key: {}`` (keeping an
    anchor: ``key: &name {}``) when it opens a sequence item or other entries merge it.
    """
    doomed = set(keys)
    remaining = [k for k, _ in own_items(node) if k not in doomed]
    merged = bool(getattr(node, "merge", None))
    if not remaining and not merged and parent is not None and parent_key is not None:
        start, end, column = key_block(lines, parent, parent_key)
        anchor = anchor_of(node)
        if anchor is not None or on_dash_line(lines, start, column):
            prefix = lines[start][:column]
            tag = f"&{anchor} " if anchor is not None else ""
            return [Edit(start, end, (f"{prefix}{scalar(str(parent_key))}: {tag}{{}}",))]
        return [Edit(leading_comments_start(lines, start, column), end)]
    edits = []
    for key in doomed:
        if any(k == key for k, _ in own_items(node)):
            start, end, _ = entry_with_comments(lines, node, key)
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
