"""Shared builders for the iac tests: a role whose trust policy is one Terraform expression."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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


#: A trust policy any principal may assume (what a .tf.json role is given in the tests).
ANYONE = {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": "*"}]}


def write_json(path: Path, document: Any) -> Path:
    """``document`` written as JSON (a ``.tf.json`` file), indented as generators write it."""
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path


def json_role(trust: Any, **more: Any) -> dict[str, Any]:
    """A ``.tf.json`` document: ``aws_iam_role.r`` with ``trust``, beside ``more`` blocks."""
    return {"resource": {"aws_iam_role": {"r": {"assume_role_policy": trust}}}, **more}


def only_trust(directory: Path) -> Node:
    """The trust policy of the one resource read under ``directory``."""
    (role,) = read_paths([directory]).resources
    assert role.trust is not None
    return role.trust
