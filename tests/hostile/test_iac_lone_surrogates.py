"""A JSON file that ``keyless iac`` reads (Terraform's JSON syntax, a CloudFormation
template, a ``.tfvars.json``) with a string escaping half a surrogate pair
(``"x\\ud800y"``): Python's decoder gives a lone surrogate, no character at all, and the
finding's fingerprint (orjson) died on it with a traceback, in every format. The file is
now unread (exit 3) naming the escape's string, as a YAML template with one is; a pair of
escapes (an emoji) is one character and is read."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

TERRAFORM = '{"resource": {"aws_iam_user": {"a": {"name": "x\\ud800y"}}}}'
TEMPLATE = (
    '{"Resources": {"U": {"Type": "AWS::IAM::User", "Properties": {"UserName": "x\\udfffy"}}}}'
)
KEY = '{"resource": {"aws_iam_user": {"a": {"name": "x", "tags": {"\\uDBFF": "v"}}}}}'


@pytest.mark.parametrize(
    ("name", "text"),
    [("main.tf.json", TERRAFORM), ("template.json", TEMPLATE), ("main.tf.json", KEY)],
)
@pytest.mark.parametrize("output", ["text", "json", "sarif", "github"])
def test_a_lone_surrogate_escape_makes_the_file_unread(
    tmp_path: Path, name: str, text: str, output: str
) -> None:
    (tmp_path / name).write_text(text)
    result = CliRunner().invoke(cli, ["iac", str(tmp_path), "--format", output])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 3, result.output
    assert "surrogate code point" in result.output


def test_a_lone_surrogate_in_a_variables_file_is_unread(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "n" {\n  type = string\n}\nresource "aws_iam_user" "a" {\n  name = var.n\n}\n'
    )
    (tmp_path / "terraform.tfvars.json").write_text('{"n": "\\ud800"}')
    result = CliRunner().invoke(cli, ["iac", str(tmp_path), "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 3, result.output


def test_a_surrogate_pair_is_one_character(tmp_path: Path) -> None:
    (tmp_path / "main.tf.json").write_text(
        '{"resource": {"aws_iam_user": {"a": {"name": "ci-\\ud83d\\ude00"}}}}'
    )
    result = CliRunner().invoke(cli, ["iac", str(tmp_path), "--format", "json"])
    assert result.exit_code == 1, result.output
    assert "ci-\\ud83d\\ude00" in result.output or "ci-😀" in result.output
