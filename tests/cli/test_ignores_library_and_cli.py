"""The file scans' library API and the CLI agree on the ignores: ``workflows.scan.scan``
and ``iac.scan.judge`` put the configuration's ignores in their ``ScanResult``, so a
Python caller learns which ``[[ignore]]`` matched nothing, as ``keyless workflows scan``
and ``keyless iac`` print it (the CLI used to attach them itself, after the call). A rule
of a trust check that ``iac`` runs on a role's trust policy is judged too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.config import Config, load_config
from keyless.iac.read import read_paths
from keyless.iac.scan import judge
from keyless.workflows.scan import scan as workflows_scan
from tests.workflows.builders import GITHUB_CONFIGURE_KEYS

#: #1 matches nothing (a regex where a glob is read); #2 a trust check `iac` runs on the
#: role, that finds nothing there; #3 hides every finding.
CONFIG = """\
[[ignore]]
check = "*"
resource = "arn:aws:iam::.*:user/ci-.*"
reason = "CI users are being migrated"

[[ignore]]
check = "trust-oidc-any-tenant"
reason = "no such role here"

[[ignore]]
check = "*"
reason = "everything accepted"
"""

TEMPLATE = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {
        "Deployer": {"Type": "AWS::IAM::User"},
        "Worker": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "ec2.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            },
        },
    },
}


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "deploy.yml").write_text(GITHUB_CONFIGURE_KEYS)
    (tmp_path / "template.json").write_text(json.dumps(TEMPLATE))
    (tmp_path / "keyless.toml").write_text(CONFIG)
    return tmp_path


def _config(repository: Path) -> Config:
    return load_config(repository / "keyless.toml")


def _cli_unused(*args: str | Path) -> list[int]:
    result = CliRunner().invoke(cli, [*(str(a) for a in args), "--format", "json"])
    assert result.exit_code == 0, result.output
    return [entry["rule"] for entry in json.loads(result.stdout)["unused_ignores"]]


def test_workflows_scan_returns_the_ignores_it_applied(repository: Path) -> None:
    result = workflows_scan([repository], _config(repository))

    assert result.suppressed
    assert [i.index for i in result.unused_ignores] == [1]
    config = repository / "keyless.toml"
    assert _cli_unused("workflows", "scan", repository, "--config", config) == [1]


def test_iac_judge_returns_the_ignores_it_applied(repository: Path) -> None:
    model = read_paths([repository / "template.json"])
    result = judge(model, _config(repository))

    assert result.suppressed
    assert [i.index for i in result.unused_ignores] == [1, 2]
    config = repository / "keyless.toml"
    assert _cli_unused("iac", repository / "template.json", "--config", config) == [1, 2]


def test_no_configuration_no_ignores(repository: Path) -> None:
    model = read_paths([repository / "template.json"])

    assert judge(model).ignores == ()
    assert workflows_scan([repository]).ignores == ()
