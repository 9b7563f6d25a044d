"""``aws iam get-role`` output is judged as the role its ``Role.Arn`` names: that
account's root is the role's own, another's is "another account". An ``Arn`` AWS would
never write (an account of four digits, a number, a user's ARN, an escape sequence) was
dropped silently and the role judged as one named after the file in account
123456789012: a policy trusting only its own account (111122223333) was reported as
trusting another account, and the reverse. Such a file was edited: it is refused (exit 2)
with the pointer ``#/Role/Arn``. A role without ``Arn`` is named by its ``RoleName``
(test_get_role_names.py), or without one after the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def _get_role(tmp_path: Path, role: dict[str, object]) -> Path:
    path = tmp_path / "get-role.json"
    path.write_text(json.dumps({"Role": {**role, "AssumeRolePolicyDocument": DOCUMENT}}))
    return path


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::1111:role/deploy",
        "arn:aws:iam::111122223333:user/deploy",
        "arn:aws:iam::111122223333:role/deploy\u001b[2J",
        "111122223333",
        12345,
        None,
    ],
)
@pytest.mark.parametrize(
    "command", [["trust"], ["simulate", "--principal", "111122223333", "--trust-policy"]]
)
def test_a_role_arn_aws_would_not_write_is_refused(
    tmp_path: Path, arn: object, command: list[str]
) -> None:
    path = _get_role(tmp_path, {"RoleName": "deploy", "Arn": arn})
    result = CliRunner().invoke(cli, [*command, str(path)])
    assert result.exit_code == 2, result.output
    assert "get-role.json#/Role/Arn: Arn is not an IAM role ARN" in result.output
    assert "\u001b" not in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::111122223333:role/deploy",
        "arn:aws:iam::111122223333:role/service-role/deploy",
        "arn:aws-cn:iam::111122223333:role/deploy",
    ],
)
def test_a_role_arn_as_aws_writes_it_is_the_role_judged(tmp_path: Path, arn: str) -> None:
    path = _get_role(tmp_path, {"RoleName": "deploy", "Arn": arn})
    result = CliRunner().invoke(cli, ["trust", str(path), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    assert json.loads(result.stdout)["role"] == arn


def test_a_role_without_arn_or_name_is_named_after_the_file(tmp_path: Path) -> None:
    path = _get_role(tmp_path, {})
    result = CliRunner().invoke(cli, ["trust", str(path), "--format", "json"])
    assert result.exit_code == 1, result.output  # 111122223333 is another account
    assert json.loads(result.stdout)["role"] == "arn:aws:iam::123456789012:role/get-role"
