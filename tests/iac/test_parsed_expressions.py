"""An expression written many times inside a file's templates is parsed once
(:class:`keyless.iac.hcl.ParsedExpressions`): 20,000 interpolations took 10 s of parsing.
Each use must still be placed where it is written, exactly as a fresh parse places it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from lark import Token, Tree

from keyless.iac.hcl import WRITTEN, ParsedExpressions, parse_expression
from keyless.iac.scan import scan
from keyless.iac.values import Position, SourcedText
from tests.iac.support import write_json

EXPRESSION = "var.x == 1 ? var.x : upper(var.x)"


def _layout(tree: Tree[Any]) -> list[tuple[Any, ...]]:
    """Every part of a tree with its place and its text as written, in order."""
    found: list[tuple[Any, ...]] = []
    for subtree in tree.iter_subtrees_topdown():
        meta = subtree.meta
        if not meta.empty:
            found.append((subtree.data, meta.line, meta.column, getattr(meta, WRITTEN)))
        found.extend(
            (child.type, str(child), child.line, child.column)
            for child in subtree.children
            if isinstance(child, Token)
        )
    return found


def test_a_text_parsed_again_is_placed_as_a_fresh_parse_places_it() -> None:
    parsed = ParsedExpressions()
    first = parsed.parse(EXPRESSION, Position(3, 10))
    again = parsed.parse(EXPRESSION, Position(7, 2))
    assert first is not None
    assert again is not None
    assert again is not first
    fresh = parse_expression(EXPRESSION, Position(7, 2))
    assert fresh is not None
    assert _layout(again) == _layout(fresh)
    # the first use keeps its own place
    assert _layout(first)[0][1:3] == (3, 10)


def test_a_multi_line_text_parsed_again_keeps_its_later_lines_columns() -> None:
    text = "{\n  a = var.x\n}"
    parsed = ParsedExpressions()
    parsed.parse(text, Position(1, 1))
    again = parsed.parse(text, Position(5, 9))
    fresh = parse_expression(text, Position(5, 9))
    assert again is not None
    assert fresh is not None
    assert _layout(again) == _layout(fresh)


def test_a_malformed_text_is_none_every_time() -> None:
    parsed = ParsedExpressions()
    assert parsed.parse("var.x +", Position(1, 1)) is None
    assert parsed.parse("var.x +", Position(2, 1)) is None


def _role(name: str, line: str) -> str:
    return f'resource "aws_iam_role" "{name}" {{\n  assume_role_policy = <<EOF\n{line}\nEOF\n}}\n'


def test_each_use_of_a_repeated_heredoc_interpolation_is_reported_where_it_is(
    tmp_path: Path,
) -> None:
    arn = f"arn:aws:iam::${{{EXPRESSION}}}:root"
    statement = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": arn}}
    policy = json.dumps({"Statement": [statement]})
    indented = "      " + policy
    (tmp_path / "main.tf").write_text(
        'variable "x" {}\n' + _role("a", policy) + _role("b", indented)
    )
    reasons = sorted(u.reason for u in scan([tmp_path]).unread)
    column = policy.index("${") + 1  # where the interpolation opens
    assert f"{EXPRESSION} at line 4, column {column}:" in reasons[0]
    assert f"{EXPRESSION} at line 9, column {column + 6}:" in reasons[1]


def test_each_use_of_a_repeated_json_string_interpolation_is_reported_where_it_is(
    tmp_path: Path,
) -> None:
    trust = f"${{{EXPRESSION}}}"
    roles = {name: {"assume_role_policy": trust} for name in ("a", "b")}
    path = write_json(
        tmp_path / "main.tf.json", {"variable": {"x": {}}, "resource": {"aws_iam_role": roles}}
    )
    lines = path.read_text().splitlines()
    written = [(number, line.index("${")) for number, line in enumerate(lines, 1) if "${" in line]
    assert len(written) == 2
    reasons = sorted(u.reason for u in scan([tmp_path]).unread)
    for reason, (line, index) in zip(reasons, written, strict=True):
        # the expression starts after the quote (index is 0-based) and `${`
        assert f"{EXPRESSION} at line {line}, column {index + 3}:" in reason


def _walked_offset(substitutions: list[tuple[int, int, int]], offset: int) -> int:
    """The original offset found by walking every substitution before it (the reference)."""
    shift = 0
    for start, here, there in substitutions:
        if offset < start:
            break
        if offset < start + here:
            return start + shift
        shift += there - here
    return offset + shift


@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 5), st.integers(0, 8)), max_size=12))
def test_a_heredocs_offsets_map_back_as_a_walk_over_its_substitutions_does(
    steps: list[tuple[int, int, int]],
) -> None:
    # SourcedText.original_offset bisects (a walk per JSON value was quadratic: 20 s for a
    # heredoc of 20,000 interpolations); it must agree with the walk everywhere.
    substitutions: list[tuple[int, int, int]] = []
    written = 0
    for gap, here, there in steps:
        written += gap
        substitutions.append((written, here, there))
        written += here
    text = SourcedText("x" * (written + 3), Position(1, 1), "", tuple(substitutions))
    for offset in range(written + 3):
        assert text.original_offset(offset) == _walked_offset(substitutions, offset)
