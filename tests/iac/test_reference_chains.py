"""References that lead to references (a local of a local of a local…): followed as far
as Python's stack allows, then unknown and reported, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.scan import scan

ANYONE = (
    'jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = "*" }] })'
)


def _chain(tmp_path: Path, length: int) -> None:
    chained = "".join(f"  l{i} = local.l{i - 1}\n" for i in range(1, length))
    (tmp_path / "main.tf").write_text(
        f"locals {{\n  l0 = {ANYONE}\n{chained}}}\n"
        f'resource "aws_iam_role" "r" {{\n  assume_role_policy = local.l{length - 1}\n}}\n'
    )


def test_a_short_chain_of_locals_is_followed(tmp_path: Path) -> None:
    _chain(tmp_path, 40)
    result = scan([tmp_path])
    assert not result.unread
    assert result.findings


@pytest.mark.parametrize("length", [150, 600])
def test_a_chain_of_locals_past_the_stack_is_not_judged_not_a_traceback(
    tmp_path: Path, length: int
) -> None:
    # 100 chained locals exhausted Python's stack: the bound on an expression's nesting
    # counts one file's expressions, not the references between them.
    _chain(tmp_path, length)
    result = scan([tmp_path])
    assert not result.findings
    (unread,) = result.unread
    assert unread.reason.endswith("nested too deeply to evaluate")
    assert result.exit_code() == 3
