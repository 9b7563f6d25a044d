"""A plan's assignment is matched to its permission set and user ignoring case (``ADMINS``
is the set ``admins``, ``Carol@Example.com`` the user ``carol@example.com``), and the
plan is valid; but the generated code named them by identifiers derived from the
assignment's own spelling. Terraform referred to ``aws_ssoadmin_permission_set.ps_admins_…``
and a user no block declares; CloudFormation's ``Fn::GetAtt`` named a permission set the
template does not define (cfn-lint E1010); ``~/.aws/config`` got ``sso_role_name =
ADMINS``, a role no account has. Each assignment is written in the lists' spelling."""

from __future__ import annotations

import configparser
import json
import re
from pathlib import Path
from typing import Any

import hcl2
import pytest
from cfnlint.api import lint_file

from tests.generate.conftest import edited, run


def _shouted(document: dict[str, Any]) -> None:
    for assignment in document["identity_center"]["assignments"]:
        if assignment["permission_set"] == "admins":
            assignment["permission_set"] = "ADMINS"
        if assignment["user_name"] == "carol@example.com":
            assignment["user_name"] = "Carol@Example.com"


@pytest.fixture
def shouted_plan(demo_plan: Path, tmp_path: Path) -> Path:
    text = demo_plan.read_text()
    assert '"permission_set": "admins"' in text
    assert '"user_name": "carol@example.com"' in text
    return edited(demo_plan, tmp_path / "plan.json", _shouted)


def _generate(plan: Path, out: Path, output_format: str) -> Path:
    result = run("generate", str(plan), "--format", output_format, "--out", str(out))
    assert result.exit_code in (0, 1), result.output
    return out


def test_terraform_refers_to_blocks_it_declares(shouted_plan: Path, tmp_path: Path) -> None:
    out = _generate(shouted_plan, tmp_path / "tf", "terraform")
    text = (out / "identity_center.tf").read_text()
    parsed = hcl2.loads(text)
    declared = {
        (kind.strip('"'), name.strip('"'))
        for block in parsed["resource"]
        for kind, named in block.items()
        for name in named
    }
    referred = set(
        re.findall(r"\b(aws_ssoadmin_permission_set|aws_identitystore_user)\.([\w-]+)\.", text)
    )
    assert referred
    assert referred <= declared, referred - declared


def test_cloudformation_refers_to_resources_it_defines(shouted_plan: Path, tmp_path: Path) -> None:
    out = _generate(shouted_plan, tmp_path / "cfn", "cloudformation")
    errors = [str(m) for m in lint_file(out / "identity-center.yaml") if m.rule.id == "E1010"]
    assert errors == []


def test_aws_config_names_the_permission_set_as_listed(shouted_plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "config"
    result = run("generate", str(shouted_plan), "--format", "aws-config", "--out", str(out))
    assert result.exit_code == 0, result.output
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string((out / "config").read_text())
    roles = {section["sso_role_name"] for name, section in parser.items() if "profile" in name}
    listed = {
        p["name"]
        for p in json.loads(shouted_plan.read_text())["identity_center"]["permission_sets"]
    }
    assert "admins" in roles
    assert roles <= listed
