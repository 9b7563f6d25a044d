"""An integer past 64 bits in a JSON file keyless reads with orjson (a snapshot, an
export, token claims, a role's ``get-role`` output). orjson reads it as the nearest float:
``123456789012345678901234567890`` became ``1.2345678901234568e+29``, so a trust policy's
condition compared another number than the one written (``keyless trust`` on the same
policy read it exactly), and ``merge`` or ``collect`` wrote that other number into the new
snapshot. Such a number is refused by its JSON pointer (exit 2); 64-bit integers, and
digits in strings, are read as they are."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "tests" / "collect" / "fixtures" / "account"
GITHUB = ROOT / "docs" / "examples" / "github"
WIDE = "123456789012345678901234567890"
CONDITION = f'{{"NumericLessThan": {{"aws:MultiFactorAuthAge": [1, {WIDE}]}}}}'
POINTER = "/Statement/0/Condition/NumericLessThan/aws:MultiFactorAuthAge/1"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def _export(tmp_path: Path, condition: str = CONDITION) -> Path:
    """The fixture account, its first role's trust policy given ``condition`` (written as
    JSON text: Python's json module would keep the wide integer exact)."""
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    details = export / "authorization-details.json"
    document = json.loads(details.read_text())
    document["RoleDetailList"][0]["AssumeRolePolicyDocument"]["Statement"][0]["Condition"] = (
        "CONDITION"
    )
    details.write_text(json.dumps(document).replace('"CONDITION"', condition))
    return export


def _assert_refused(result: Result, where: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"the number {WIDE} has more than 64 bits" in result.stderr
    assert where in result.stderr


def test_an_export_with_a_wide_integer_is_refused(tmp_path: Path) -> None:
    result = run("scan", "--input", _export(tmp_path))

    _assert_refused(
        result, f"authorization-details.json#/RoleDetailList/0/AssumeRolePolicyDocument{POINTER}"
    )


def test_a_snapshot_with_a_wide_integer_is_refused(tmp_path: Path) -> None:
    snapshot = tmp_path / "snapshot.json"
    collected = run("collect", "--input", _export(tmp_path, "{}"), "--out", snapshot, "-q")
    assert collected.exit_code in (0, 3), collected.output
    document = json.loads(snapshot.read_text())
    document["accounts"][0]["roles"][0]["trust_policy"]["Statement"][0]["Condition"] = "C"
    snapshot.write_text(json.dumps(document).replace('"C"', CONDITION))

    result = run("scan", "--snapshot", snapshot)

    _assert_refused(result, f"snapshot.json#/accounts/0/roles/0/trust_policy{POINTER}")


def test_a_streamed_snapshot_with_a_wide_integer_is_refused(tmp_path: Path) -> None:
    """The layout keyless writes: one account per line, each line read by itself."""
    snapshot = tmp_path / "snapshot.json"
    collected = run("collect", "--input", _export(tmp_path, "{}"), "--out", snapshot, "-q")
    assert collected.exit_code in (0, 3), collected.output
    text = snapshot.read_text()
    assert '"Condition":{}' in text
    snapshot.write_text(text.replace('"Condition":{}', f'"Condition":{CONDITION}', 1))

    result = run("scan", "--snapshot", snapshot)

    _assert_refused(result, "snapshot.json")
    assert f"(at /roles/0/trust_policy{POINTER})" in result.stderr


def test_claims_with_a_wide_integer_are_refused(tmp_path: Path) -> None:
    claims = json.loads((GITHUB / "claims-main.json").read_text())
    claims["repository_owner_id"] = "WIDE"
    path = tmp_path / "claims.json"
    path.write_text(json.dumps(claims).replace('"WIDE"', WIDE))

    result = run("simulate", "--trust-policy", GITHUB / "trust-policy.json", "--web-identity", path)

    _assert_refused(result, "claims.json#/repository_owner_id")


def test_get_role_output_with_a_wide_integer_is_refused(tmp_path: Path) -> None:
    policy = json.loads((GITHUB / "trust-policy.json").read_text())
    policy["Statement"][0]["Condition"] = "C"
    path = tmp_path / "get-role.json"
    wrapped = json.dumps({"Role": {"RoleName": "r", "AssumeRolePolicyDocument": policy}})
    path.write_text(wrapped.replace('"C"', CONDITION))

    result = run("trust", path)

    _assert_refused(result, f"get-role.json#/Role/AssumeRolePolicyDocument{POINTER}")


@pytest.mark.parametrize(
    "condition",
    [
        '{"NumericLessThan": {"aws:MultiFactorAuthAge": [18446744073709551615,'
        " -9223372036854775808]}}",
        f'{{"StringEquals": {{"aws:PrincipalTag/id": "{WIDE}"}}}}',
    ],
    ids=["64-bit-bounds", "digits-in-a-string"],
)
def test_what_is_read_exactly_is_read(tmp_path: Path, condition: str) -> None:
    result = run("scan", "--input", _export(tmp_path, condition), "--format", "json")

    assert result.exit_code in (0, 1), result.output


def test_live_a_permission_set_inline_policy_with_a_wide_integer_is_unreadable() -> None:
    from moto import mock_aws

    from keyless.collect.live.account import make_session
    from keyless.collect.live.identity_center import collect_identity_center

    policy = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*",'
        f' "Resource": "*", "Condition": {CONDITION}}}]}}'
    )
    with mock_aws():
        session = make_session(region="us-east-1")
        sso = session.client("sso-admin")
        instance = sso.list_instances()["Instances"][0]["InstanceArn"]
        created = sso.create_permission_set(Name="admin", InstanceArn=instance)
        arn = created["PermissionSet"]["PermissionSetArn"]
        sso.put_inline_policy_to_permission_set(
            InstanceArn=instance, PermissionSetArn=arn, InlinePolicy=policy
        )
        center, _ = collect_identity_center(session, account_ids=["123456789012"])
    assert center is not None
    (failed,) = [c for c in center.failed_calls if c.operation == "GetInlinePolicyForPermissionSet"]
    assert failed.code == "UnreadableResponse"
    assert f"the number {WIDE} has more than 64 bits" in failed.message
    assert f"/InlinePolicy{POINTER}" in failed.message


def test_a_terraform_json_key_twice_after_a_wide_integer_is_named_by_pointer(
    tmp_path: Path,
) -> None:
    """keyless reads .tf.json with its own parser (integers exact), so the duplicate-key
    pointer must not stop at a wide integer before the repeated key (it was lost)."""
    from keyless.iac.scan import scan

    text = (
        f'{{"locals": {{"n": {WIDE}}}, "resource": {{"aws_iam_role":'
        ' {"r": {"name": "a", "name": "b"}}}}'
    )
    (tmp_path / "main.tf.json").write_text(text)

    (unread,) = scan([tmp_path]).unread

    assert "/resource/aws_iam_role/r/name" in unread.reason
