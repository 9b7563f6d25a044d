"""Terraform's file() and templatefile() in a trust policy: read inside the scanned
directories only (relative to the root module, or through path.module), never through a
symbolic link or outside the roots, size-capped; a template rendered with its variables."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from keyless.iac.hclfiles import MAX_TEMPLATE_BYTES
from keyless.iac.read import read_paths
from keyless.iac.scan import scan
from keyless.iac.values import Node, plain, unknowns

VENDOR = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
            "Action": "sts:AssumeRole",
        }
    ],
}
TEMPLATE = """{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {
      "Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
    },
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
      "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
      "StringLike": {"token.actions.githubusercontent.com:sub": "repo:${repo}:*"}
    }
  }]
}
"""


def _role(expression: str) -> str:
    return f'resource "aws_iam_role" "r" {{\n  assume_role_policy = {expression}\n}}\n'


def _trust(root: Path, expression: str) -> Node:
    (root / "main.tf").write_text(_role(expression))
    (resource,) = read_paths([root]).resources
    assert resource.trust is not None
    return resource.trust


def _reason(node: Node) -> str:
    (unknown,) = unknowns(node)
    return unknown.reason


@pytest.mark.parametrize(
    "expression",
    ['file("${path.module}/policies/trust.json")', 'file("policies/trust.json")'],
)
def test_file_reads_the_policy_beside_the_module(tmp_path: Path, expression: str) -> None:
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "trust.json").write_text(json.dumps(VENDOR))
    assert plain(_trust(tmp_path, expression)) == VENDOR


def test_the_policy_read_is_judged(tmp_path: Path) -> None:
    (tmp_path / "trust.json").write_text(json.dumps(VENDOR))
    (tmp_path / "main.tf").write_text(_role('file("${path.module}/trust.json")'))
    checks = {f.check for f in scan([tmp_path]).findings}
    assert "trust-cross-account-no-external-id" in checks


def test_templatefile_renders_its_variables(tmp_path: Path) -> None:
    (tmp_path / "trust.json.tpl").write_text(TEMPLATE)
    expression = 'templatefile("${path.module}/trust.json.tpl", { repo = "octo-org/app" })'
    (tmp_path / "main.tf").write_text(_role(expression))
    result = scan([tmp_path])
    subjects = {f.witness["claims"]["sub"] for f in result.findings if f.witness}
    assert "repo:octo-org/app:pull_request" in subjects
    assert result.unread == ()


def test_a_template_directive_is_rendered(tmp_path: Path) -> None:
    (tmp_path / "t.tpl").write_text('{"Statement": [%{ for r in repos }"${r}"%{ endfor }]}')
    trust = _trust(tmp_path, 'templatefile("t.tpl", { repos = ["a"] })')
    assert plain(trust) == {"Statement": ["a"]}


def test_a_template_directive_on_an_unknown_value_is_unknown(tmp_path: Path) -> None:
    (tmp_path / "t.tpl").write_text('{"Statement": [%{ for r in repos }"${r}"%{ endfor }]}')
    trust = _trust(tmp_path, 'templatefile("t.tpl", { repos = var.repos })')
    assert "no variable 'repos'" in _reason(trust)


def test_a_file_outside_the_scanned_directory_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "outside.json").write_text(json.dumps(VENDOR))
    module = tmp_path / "module"
    module.mkdir()
    assert "outside the scanned directories" in _reason(
        _trust(module, 'file("${path.module}/../outside.json")')
    )
    assert "outside the scanned directories" in _reason(_trust(module, 'file("/etc/hostname")'))


def test_a_symbolic_link_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "trust.json").write_text(json.dumps(VENDOR))
    module = tmp_path / "module"
    module.mkdir()
    os.symlink(outside / "trust.json", module / "trust.json")
    os.symlink(outside, module / "policies")
    assert "symbolic link" in _reason(_trust(module, 'file("trust.json")'))
    assert "symbolic link" in _reason(_trust(module, 'file("policies/trust.json")'))


def test_a_large_or_missing_file_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "big.json").write_bytes(b" " * (MAX_TEMPLATE_BYTES + 1))
    assert "larger than" in _reason(_trust(tmp_path, 'file("big.json")'))
    assert "does not exist" in _reason(_trust(tmp_path, 'file("nope.json")'))
    (tmp_path / "dir.json").mkdir()
    assert "not a regular file" in _reason(_trust(tmp_path, 'file("dir.json")'))


def test_a_template_sees_only_its_variables(tmp_path: Path) -> None:
    (tmp_path / "t.tpl").write_text('{"Version": "${var.version}"}')
    (tmp_path / "main.tf").write_text(
        'variable "version" {\n  default = "2012-10-17"\n}\n'
        + _role('templatefile("t.tpl", { repo = "x" })')
    )
    (resource,) = read_paths([tmp_path]).resources
    assert resource.trust is not None
    assert "only the variables templatefile() passes" in _reason(resource.trust)


def test_a_template_reads_no_file_itself(tmp_path: Path) -> None:
    (tmp_path / "trust.json").write_text(json.dumps(VENDOR))
    (tmp_path / "t.tpl").write_text('${file("trust.json")}')
    assert "not read here" in _reason(_trust(tmp_path, 'templatefile("t.tpl", {})'))
