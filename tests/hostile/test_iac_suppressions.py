"""``keyless iac --format github`` with findings a baseline or a ``keyless.toml``
``[[ignore]]`` accepts. The annotations left them out entirely: a run whose every finding
was ignored printed nothing, the same as a clean one. Now one notice counts them, each with
its reason, and the text names the ``[[ignore]]`` rule that hid each one (the README: "with
the rule and the file, in every format")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli

TEMPLATE = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {"Deployer": {"Type": "AWS::IAM::User"}},
}

CONFIG = """\
[[ignore]]
check = "iac-iam-user"
reason = "SES SMTP credentials"
"""


@pytest.fixture
def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "template.json").write_text(json.dumps(TEMPLATE))
    (tmp_path / "ignores.toml").write_text(CONFIG)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def iac(*args: str) -> Result:
    return CliRunner().invoke(cli, ["iac", "template.json", *args])


def test_github_annotations_count_what_the_configuration_ignores(repository: Path) -> None:
    result = iac("--config", "ignores.toml", "--format", "github")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "::notice title=keyless%3A 1 finding(s) suppressed::accepted or ignored:%0A"
        "iac-iam-user Deployer: SES SMTP credentials (ignores.toml [[ignore]] #1)\n"
    )


def test_github_annotations_count_what_the_baseline_accepts(repository: Path) -> None:
    assert iac("--write-baseline", "baseline.json").exit_code == 0
    result = iac("--baseline", "baseline.json", "--format", "github")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "::notice title=keyless%3A 1 finding(s) suppressed::accepted or ignored:%0A"
        "iac-iam-user Deployer: accepted in the baseline baseline.json\n"
    )


def test_the_text_names_the_rule(repository: Path) -> None:
    result = iac("--config", "ignores.toml")
    assert result.exit_code == 0, result.output
    assert (
        "  iac-iam-user Deployer: SES SMTP credentials (ignores.toml [[ignore]] #1)"
        in result.stdout.splitlines()
    )


def test_nothing_suppressed_no_notice(repository: Path) -> None:
    result = iac("--format", "github")
    assert result.exit_code == 1, result.output
    assert "::notice" not in result.stdout
    assert result.stdout.startswith("::error file=template.json,")
