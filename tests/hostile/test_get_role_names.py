"""``keyless trust`` on ``aws iam get-role`` output or ``aws iam create-role
--cli-input-json`` input ignored the file's ``RoleName``: without an ``Arn`` the role was
named after the file (``role/get-role``: the findings named no role of the estate), and a
``RoleName`` that is not the role ``Arn`` names (the file was edited) passed silently. The
name is now used, checked against IAM's grammar (a line break, an escape sequence, 65
characters: exit 2, by JSON pointer), and a name the ``Arn`` contradicts is refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from keyless.cli import cli
from keyless.errors import PolicyError
from keyless.policy.identifiers import ROLE_NAME
from keyless.policy.wrapped import load_trust_file

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


def _trust(tmp_path: Path, content: dict[str, Any], *options: str) -> Any:
    path = tmp_path / "role.json"
    path.write_text(json.dumps(content))
    return CliRunner().invoke(cli, ["trust", str(path), "--format", "json", *options])


def test_get_role_output_without_an_arn_is_judged_as_its_role_name(tmp_path: Path) -> None:
    result = _trust(
        tmp_path, {"Role": {"RoleName": "deploy", "AssumeRolePolicyDocument": DOCUMENT}}
    )
    assert result.exit_code in (0, 1), result.output
    assert json.loads(result.stdout)["role"].endswith(":role/deploy")


def test_create_role_input_is_judged_as_its_role_name(tmp_path: Path) -> None:
    content = {"RoleName": "ci-deploy", "AssumeRolePolicyDocument": json.dumps(DOCUMENT)}
    result = _trust(tmp_path, content)
    assert result.exit_code in (0, 1), result.output
    assert json.loads(result.stdout)["role"].endswith(":role/ci-deploy")


def test_a_role_arn_option_still_names_the_role(tmp_path: Path) -> None:
    content = {"RoleName": "ci-deploy", "AssumeRolePolicyDocument": json.dumps(DOCUMENT)}
    arn = "arn:aws:iam::111122223333:role/chosen"
    result = _trust(tmp_path, content, "--role-arn", arn)
    assert json.loads(result.stdout)["role"] == arn


@pytest.mark.parametrize(
    ("wrapper", "pointer"),
    [
        (lambda name: {"Role": {"RoleName": name, "AssumeRolePolicyDocument": DOCUMENT}}, "/Role"),
        (lambda name: {"RoleName": name, "AssumeRolePolicyDocument": json.dumps(DOCUMENT)}, ""),
    ],
    ids=["get-role", "create-role"],
)
@pytest.mark.parametrize(
    "name", ["deploy\n[high] forged", "deploy\u001b[2J", "de\u202eploy", "", "x" * 65, 7, None]
)
def test_a_role_name_iam_refuses_is_refused(
    tmp_path: Path, wrapper: Any, pointer: str, name: object
) -> None:
    result = _trust(tmp_path, wrapper(name))
    assert result.exit_code == 2, result.output
    assert f"role.json#{pointer}/RoleName: RoleName is not an IAM role name" in result.output
    assert "\u001b" not in result.output
    assert "\u202e" not in result.output
    assert "\n[high]" not in result.output
    assert "Traceback" not in result.output


def test_a_role_name_the_arn_contradicts_is_refused(tmp_path: Path) -> None:
    role = {
        "RoleName": "prod-admin",
        "Arn": "arn:aws:iam::111122223333:role/ci/deploy",
        "AssumeRolePolicyDocument": DOCUMENT,
    }
    result = _trust(tmp_path, {"Role": role})
    assert result.exit_code == 2, result.output
    assert "#/Role/RoleName: RoleName 'prod-admin' is not the role Arn names" in result.output


def test_a_role_name_the_arn_agrees_with_is_read(tmp_path: Path) -> None:
    arn = "arn:aws:iam::111122223333:role/ci/deploy"
    role = {"RoleName": "deploy", "Arn": arn, "AssumeRolePolicyDocument": DOCUMENT}
    result = _trust(tmp_path, {"Role": role})
    assert json.loads(result.stdout)["role"] == arn


@given(st.text(max_size=80))
def test_any_role_name_is_either_kept_whole_or_refused(name: str) -> None:
    text = json.dumps({"Role": {"RoleName": name, "AssumeRolePolicyDocument": DOCUMENT}})
    if ROLE_NAME.fullmatch(name) is None:
        with pytest.raises(PolicyError) as refused:
            load_trust_file(text, source="role.json")
        assert refused.value.pointer == "/Role/RoleName"
    else:
        found, _ = load_trust_file(text, source="role.json")
        assert found.role_name == name
