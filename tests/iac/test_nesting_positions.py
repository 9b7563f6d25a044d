"""What is nested too deeply to read is reported where the depth is exceeded, never at
line 1, column 1 of the file (nor as a traceback)."""

from __future__ import annotations

import inspect
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from keyless.iac.hcl import MAX_BLOCK_DEPTH, deepest_bracket
from keyless.iac.scan import scan
from keyless.iac.values import Position
from keyless.iac.yamlpos import MAX_DEPTH, YamlSyntaxError, parse_yaml


@contextmanager
def stack_of(frames: int) -> Iterator[None]:
    """Python's stack limited to ``frames`` more than is in use here: where a parser runs
    out of stack is then known, whatever runs the tests."""
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack(0)) + frames)
    try:
        yield
    finally:
        sys.setrecursionlimit(before)


@pytest.mark.parametrize(
    ("text", "position"),
    [
        # flow: the 257th `[` (a value at depth 257; the root mapping is depth 0)
        ("a: " + "[" * 300 + "]" * 300 + "\n", Position(1, 3 + 257)),
        # block: the mapping opened at depth 257
        ("".join("  " * i + "k:\n" for i in range(300)), Position(257, 2 * 256 + 1)),
    ],
)
def test_yaml_nested_past_the_limit_is_refused_where_the_limit_is_passed(
    text: str, position: Position
) -> None:
    with pytest.raises(YamlSyntaxError) as raised:
        parse_yaml(text)
    assert raised.value.message == f"nested deeper than {MAX_DEPTH} levels"
    assert raised.value.position == position


def test_yaml_that_exhausts_the_stack_is_placed_at_its_deepest_value() -> None:
    text = "a: " + "[" * 120 + "1" + "]" * 120 + "\n"
    with stack_of(300), pytest.raises(YamlSyntaxError) as raised:
        parse_yaml(text)
    assert raised.value.message == "nested too deeply"
    # the deepest value composed before the stack ran out (it was line 1, column 1)
    position = raised.value.position
    assert position.line == 1
    assert position.column > 20
    assert text[position.column - 1] == "["


def test_yaml_nested_past_the_limit_by_aliases_is_placed_in_the_anchored_value() -> None:
    text = "a: &a " + "[" * 200 + "1" + "]" * 200 + "\nb: " + "[" * 100 + "*a" + "]" * 100 + "\n"
    with pytest.raises(YamlSyntaxError) as raised:
        parse_yaml(text)
    assert raised.value.message == f"nested deeper than {MAX_DEPTH} levels"
    # b's 100 levels, then the anchored value's: its level 157 is the 257th
    assert raised.value.position == Position(1, 6 + (MAX_DEPTH + 1 - 100))


def test_a_cloudformation_template_nested_too_deeply_names_the_line(tmp_path: Path) -> None:
    deep = "".join("  " * (i + 4) + "k:\n" for i in range(300))
    (tmp_path / "stack.yaml").write_text(
        "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n" + deep
    )
    (unread,) = scan([tmp_path]).unread
    # the key at depth 257 (four levels above the deep ones), on line 258
    assert unread.reason == "malformed YAML: nested deeper than 256 levels at line 258, column 515"


def test_hcl_blocks_nested_past_the_limit_are_refused_not_a_traceback(tmp_path: Path) -> None:
    # 500 levels exhausted Python's stack while the file was read: a traceback.
    depth = 500
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_role" "r" {\n' + "  b {\n" * depth + "  }\n" * depth + "}\n"
    )
    result = scan([tmp_path])
    (unread,) = result.unread
    line = MAX_BLOCK_DEPTH + 1  # the resource is the first level
    assert unread.reason == (
        f"blocks nested deeper than {MAX_BLOCK_DEPTH} levels are not read at line {line}, column 3"
    )
    assert result.exit_code() == 3


def test_a_variables_file_of_nested_blocks_is_unread_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "terraform.tfvars").write_text("x = 1\n" + "b {\n" * 500 + "}\n" * 500)
    (tmp_path / "main.tf").write_text('variable "x" {}\n')
    (unread,) = scan([tmp_path]).unread
    assert unread.reason.endswith(f"levels are not read at line {MAX_BLOCK_DEPTH + 2}, column 1")


def test_the_deepest_bracket_is_the_first_opened_at_the_greatest_depth() -> None:
    # where the HCL parser's running out of stack is placed (hcl.parse_tree)
    assert deepest_bracket("x = [\n  [1], [[2]],\n  [[3]]\n]") == Position(2, 9)
    assert deepest_bracket("no brackets") == Position(1, 1)
