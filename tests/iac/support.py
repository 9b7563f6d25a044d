"""Shared builders for the iac tests: a role whose trust policy is one Terraform expression."""

from __future__ import annotations

from pathlib import Path

from keyless.iac.read import read_paths
from keyless.iac.values import Node


def variable_blocks(cases: list[tuple[str, str]]) -> str:
    """``variable "vN"`` blocks of the given (type, default) pairs."""
    return "".join(
        f'variable "v{i}" {{\n  type    = {type_}\n  default = {default}\n}}\n'
        for i, (type_, default) in enumerate(cases)
    )


def role_trust(tmp_path: Path, value: str, prelude: str = "") -> Node:
    """The trust policy of a role whose ``assume_role_policy`` is ``jsonencode(value)``,
    after ``prelude`` (variables, locals) in the same main.tf."""
    role = f'resource "aws_iam_role" "r" {{\n  assume_role_policy = jsonencode({value})\n}}\n'
    (tmp_path / "main.tf").write_text(prelude + role)
    (resource,) = read_paths([tmp_path]).resources
    assert resource.trust is not None
    return resource.trust
