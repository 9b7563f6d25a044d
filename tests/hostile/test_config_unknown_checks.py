"""A ``keyless.toml`` ``[[ignore]]`` naming a check that does not exist (a typo, or an ID
from another tool). `scan` and `plan` refused it (exit 2, with the check it probably
meant); `workflows scan`, `iac` and `diff` read the same file and accepted it silently:
the typo ignored nothing, and would hide whatever that ID came to mean. Every command
that reads the file now refuses it alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "tests" / "collect" / "fixtures" / "account"

WORKFLOW = """\
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
"""
TEMPLATE = {"Resources": {"Deployer": {"Type": "AWS::IAM::User"}}}


def _ignore(check: str) -> str:
    return f'[[ignore]]\ncheck = "{check}"\nreason = "accepted"\n'


@pytest.fixture
def inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "deploy.yml").write_text(WORKFLOW)
    (tmp_path / "template.json").write_text(json.dumps(TEMPLATE))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        cli, ["scan", "--input", str(ACCOUNT), "--format", "json", "--output", "scan.json"]
    )
    assert result.exit_code in (0, 1), result.output
    return tmp_path


COMMANDS = {
    "workflows scan": ("workflows", "scan", "."),
    "iac": ("iac", "template.json"),
    "diff": ("diff", "scan.json", "scan.json"),
}


def run(command: tuple[str, ...], config: str) -> Result:
    Path("ignores.toml").write_text(config)
    return CliRunner().invoke(cli, [*command, "--config", "ignores.toml"])


@pytest.mark.parametrize("name", COMMANDS)
@pytest.mark.parametrize(
    ("typo", "meant"),
    [("workflow-static-aws-key", "workflow-static-aws-keys"), ("iac-iam-users", "iac-iam-user")],
)
def test_an_ignore_of_an_unknown_check_is_refused(
    inputs: Path, name: str, typo: str, meant: str
) -> None:
    result = run(COMMANDS[name], _ignore(typo))
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f"keyless: error: ignores.toml [[ignore]] #1: unknown check '{typo}' in 'check'",
        f"Did you mean '{meant}'? `keyless checks` lists every check ID; '*' ignores every check.",
    ]


@pytest.mark.parametrize("name", COMMANDS)
@pytest.mark.parametrize("check", ["workflow-static-aws-keys", "iac-iam-user", "key-unused", "*"])
def test_an_ignore_of_a_known_check_is_read(inputs: Path, name: str, check: str) -> None:
    result = run(COMMANDS[name], _ignore(check))
    assert result.exit_code in (0, 1), result.output
