"""A key twice in one object of a trust policy, an export or a snapshot.

Every JSON reader keyless uses keeps the last of the two silently, and no AWS document
says which one IAM reads (the Terraform AWS provider refuses such policies for that
reason; IAM Access Analyzer reports condition keys that differ only in case as an error).
A verdict on either copy could be wrong, so each is refused with the JSON pointer of the
second key, exit 2 (a role's trust policy inside a scan is reported as unreadable, never
judged). Before: ``keyless trust`` on ``aws iam get-role`` output judged the last copy,
an export judged the last ``Condition``, case-twin condition keys were ANDed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.duplicate_keys import find_duplicate_key

EXPORT = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "account"
GITHUB = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
SUB = "token.actions.githubusercontent.com:sub"
PINNED = f'{{"StringEquals": {{"{SUB}": "repo:o/r:ref:refs/heads/main"}}}}'
OPEN = f'{{"StringLike": {{"{SUB}": "*"}}}}'


def _policy(conditions: str) -> str:
    return (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": '
        f'{{"Federated": "{GITHUB}"}}, "Action": "sts:AssumeRoleWithWebIdentity", '
        f"{conditions}}}]}}"
    )


def _trust(path: Path) -> Any:
    return CliRunner().invoke(cli, ["trust", str(path)])


def _refused(result: Any, where: str, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"keyless: error: {where}: "), first
    assert message in first, first


@pytest.mark.parametrize(
    ("text", "pointer"),
    [
        pytest.param(
            '{"Role": {"Arn": "arn:aws:iam::111122223333:role/r", "AssumeRolePolicyDocument": '
            + _policy(f'"Condition": {OPEN}, "Condition": {PINNED}')
            + "}}",
            "/Role/AssumeRolePolicyDocument/Statement/0/Condition",
            id="get-role-document",
        ),
        pytest.param(
            '{"Role": {"AssumeRolePolicyDocument": '
            + _policy(f'"Condition": {OPEN}')
            + ', "AssumeRolePolicyDocument": '
            + _policy(f'"Condition": {PINNED}')
            + "}}",
            "/Role/AssumeRolePolicyDocument",
            id="get-role-wrapper",
        ),
        pytest.param(
            json.dumps(
                {
                    "RoleName": "r",
                    "AssumeRolePolicyDocument": quote(
                        _policy(f'"Condition": {OPEN}, "Condition": {PINNED}')
                    ),
                }
            ),
            "/Statement/0/Condition",
            id="url-encoded-text",
        ),
    ],
)
def test_a_wrapped_trust_policy_with_a_key_twice_is_refused(
    tmp_path: Path, text: str, pointer: str
) -> None:
    path = tmp_path / "role.json"
    path.write_text(text)
    json.loads(text)  # valid JSON: a reader keeps the last copy (here: the pinned one)
    result = _trust(path)
    assert result.exit_code == 2, result.output
    first = result.stderr.splitlines()[0]
    assert f"#{pointer}: duplicate key" in first, first
    assert "Traceback" not in result.output


def test_the_same_wrapped_policy_without_the_twin_is_judged(tmp_path: Path) -> None:
    path = tmp_path / "role.json"
    text = _policy(f'"Condition": {PINNED}')
    path.write_text(f'{{"Role": {{"AssumeRolePolicyDocument": {text}}}}}')
    result = _trust(path)
    assert result.exit_code == 0, result.output
    assert "o/r running on refs/heads/main" in result.stdout


def test_condition_keys_differing_only_in_case_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "policy.json"
    block = '"sts:ExternalId": "first", "sts:externalid": "second"'
    path.write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": '
        '{"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole", '
        f'"Condition": {{"StringEquals": {{{block}}}}}}}]}}'
    )
    result = _trust(path)
    _refused(
        result,
        f"{path}#/Statement/0/Condition/StringEquals/sts:externalid",
        "condition keys 'sts:ExternalId' and 'sts:externalid' differ only in case",
    )
    # Before, both keys were required and the verdict was that nobody can assume the role.
    assert "nobody" not in result.output


def _export(tmp_path: Path, edit: Any) -> Path:
    target = tmp_path / "export"
    shutil.copytree(EXPORT, target)
    details = target / "authorization-details.json"
    edited = edit(details.read_text())
    json.loads(edited)
    details.write_text(edited)
    return target


def test_an_export_with_a_key_twice_is_refused(tmp_path: Path) -> None:
    def twin_condition(text: str) -> str:
        document = json.loads(text)
        condition = document["RoleDetailList"][0]["AssumeRolePolicyDocument"]["Statement"][0][
            "Condition"
        ]
        compact = json.dumps(document)
        first = f'"Condition": {json.dumps(condition)}'
        assert first in compact
        return compact.replace(first, f'"Condition": {OPEN}, {first}', 1)

    export = _export(tmp_path, twin_condition)
    result = CliRunner().invoke(cli, ["scan", "--input", str(export)])
    _refused(
        result,
        f"{export / 'authorization-details.json'}"
        "#/RoleDetailList/0/AssumeRolePolicyDocument/Statement/0/Condition",
        "a key appears twice in one object",
    )


def test_a_raw_page_whose_url_encoded_document_has_a_key_twice_is_refused(
    tmp_path: Path,
) -> None:
    def encoded(text: str) -> str:
        document = json.loads(text)
        role = document["RoleDetailList"][0]
        statement = json.dumps(role["AssumeRolePolicyDocument"])
        twin = statement.replace('"Effect": "Allow"', '"Effect": "Deny", "Effect": "Allow"', 1)
        assert twin != statement
        role["AssumeRolePolicyDocument"] = quote(twin)
        return json.dumps([document])

    export = _export(tmp_path, encoded)
    result = CliRunner().invoke(cli, ["scan", "--input", str(export)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    first = result.stderr.splitlines()[0]
    assert "policy document has a key twice in one object (/Statement/0/Effect)" in first


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("snapshot") / "snapshot.json"
    result = CliRunner().invoke(cli, ["collect", "--input", str(EXPORT), "--out", str(path)])
    assert result.exit_code == 0, result.output
    return path


def test_a_streamed_snapshot_with_a_key_twice_is_refused(snapshot: Path, tmp_path: Path) -> None:
    lines = snapshot.read_text().splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.lstrip().startswith('{"id"'))
    lines[index] = lines[index].replace('{"id"', '{"users": [], "id"', 1)
    edited = tmp_path / "edited.json"
    edited.write_text("".join(lines))
    result = CliRunner().invoke(cli, ["scan", "--snapshot", str(edited)])
    _refused(result, str(edited), f"line {index + 1}: a key appears twice in one object")
    assert "(at /users of the line)" in result.stderr


def test_a_whole_snapshot_with_a_key_twice_is_refused(snapshot: Path, tmp_path: Path) -> None:
    document = json.loads(snapshot.read_text())
    text = json.dumps(document, indent=2).replace(
        '"accounts": [', '"source": "demo", "accounts": [', 1
    )
    edited = tmp_path / "edited.json"
    edited.write_text(text)
    result = CliRunner().invoke(cli, ["scan", "--snapshot", str(edited)])
    _refused(result, f"{edited}#/source", "a key appears twice in one object")


@pytest.mark.parametrize(
    ("text", "pointer"),
    [
        ('{"a": {"b": [1, {"c": 2, "d": 3}]}}', None),
        ('{"a": {"b": [1, {"c": 2, "c": 3}]}}', "/a/b/1/c"),
        ('[{"x/y": 1, "x/y": 2}]', "/0/x~1y"),
        ('\ufeff{"k": 1, "k": 1}', "/k"),
    ],
)
def test_find_duplicate_key(text: str, pointer: str | None) -> None:
    assert find_duplicate_key(text.encode()) == pointer
    assert find_duplicate_key(text) == pointer


def test_live_a_trust_policy_with_a_key_twice_is_an_unreadable_response() -> None:
    from moto import mock_aws

    from keyless.collect.live.account import collect_account, make_session

    twin = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Effect": "Allow", '
        '"Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}'
    )
    with mock_aws():
        session = make_session(region="us-east-1")
        iam = session.client("iam")
        iam.create_role(RoleName="kept", AssumeRolePolicyDocument=_policy(f'"Condition": {PINNED}'))
        iam.create_role(RoleName="twin", AssumeRolePolicyDocument=twin)
        account = collect_account(session, report_timeout=5)
    # botocore's decoding kept the last "Effect" (an Allow to everyone) silently
    assert not account.roles or all(role.name != "twin" for role in account.roles)
    (failed,) = account.failed_calls
    assert failed.operation == "GetAccountAuthorizationDetails"
    assert failed.code == "UnreadableResponse"
    assert "policy document has a key twice in one object (/Statement/0/Effect)" in failed.message


def test_live_a_permission_set_inline_policy_with_a_key_twice_is_an_unreadable_response() -> None:
    from moto import mock_aws

    from keyless.collect.live.account import make_session
    from keyless.collect.live.identity_center import collect_identity_center

    twin = '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Effect": "Allow", '
    twin += '"Action": "*", "Resource": "*"}]}'
    with mock_aws():
        session = make_session(region="us-east-1")
        sso = session.client("sso-admin")
        instance = sso.list_instances()["Instances"][0]["InstanceArn"]
        created = sso.create_permission_set(Name="admin", InstanceArn=instance)
        arn = created["PermissionSet"]["PermissionSetArn"]
        sso.put_inline_policy_to_permission_set(
            InstanceArn=instance, PermissionSetArn=arn, InlinePolicy=twin
        )
        center, _ = collect_identity_center(session, account_ids=["123456789012"])
    assert center is not None
    (failed,) = [c for c in center.failed_calls if c.operation == "GetInlinePolicyForPermissionSet"]
    assert failed.code == "UnreadableResponse"
    assert "a key twice in one object" in failed.message
    assert "/InlinePolicy/Statement/0/Effect" in failed.message
