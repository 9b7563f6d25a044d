"""A YAML file with a key twice, whose values are hard-coded secrets. ruamel.yaml's
message quotes both values whole (``found duplicate key "Password" with value "x"
(original value: "wJalr…")``), and keyless printed it as the file's "not read" reason:
the secret keyless promises never to print ("secret keys as [REDACTED]") went to the
terminal, the JSON and the SARIF uploaded to code scanning. Now the message names the key
(when it is a plain word) and its line, never a value."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
KEY_ID = "AKIAIOSFODNN7EXAMPLE"

WORKFLOW = f"""\
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: {KEY_ID}
          aws-secret-access-key: {SECRET}
  deploy:
    runs-on: ubuntu-latest
"""

TEMPLATE = f"""\
Resources:
  Deployer:
    Type: AWS::IAM::User
    Properties:
      LoginProfile:
        Password: {SECRET}
        Password: {SECRET}x
"""

COMPLEX_KEY = f"""\
Resources:
  ? {{Password: {SECRET}}}
  : 1
  ? {{Password: {SECRET}}}
  : 2
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("output_format", ["text", "json", "sarif"])
def test_a_workflow_s_duplicate_key_message_shows_no_secret(
    tmp_path: Path, output_format: str
) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "deploy.yml").write_text(WORKFLOW)
    result = run("workflows", "scan", str(tmp_path), "--format", output_format)
    assert result.exit_code == 2, result.output
    assert SECRET not in result.output
    assert KEY_ID not in result.output
    assert "malformed YAML: found duplicate key 'deploy'" in result.stderr


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "github"])
def test_a_template_s_duplicate_key_message_shows_no_secret(
    tmp_path: Path, output_format: str
) -> None:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    result = run("iac", str(tmp_path), "--format", output_format)
    assert result.exit_code == 3, result.output
    assert SECRET not in result.output
    assert "found duplicate key 'Password'" in result.stdout


def test_a_complex_duplicate_key_is_not_named(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(COMPLEX_KEY)
    result = run("iac", str(tmp_path))
    assert result.exit_code == 3, result.output
    assert SECRET not in result.output
    assert "malformed YAML: found a duplicate key at line 4" in result.stdout
