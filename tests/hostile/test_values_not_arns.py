"""A user's, group's, role's, managed policy's or identity provider's ARN that is not an
ARN at all (``deploy``, ``arn:r``, the test values keyless 0.1's fixtures held) passed the
export and snapshot readers: naming no account, path or principal, it slipped past the
checks that compare ARNs with accounts and names, and reached findings and plans. AWS
returns no such value: the readers refuse it (exit 2), naming the file and, in a
snapshot, the JSON pointer of the value."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli
from tests.hostile.snapshots import ACCOUNT, collected_snapshot

DETAILS = "authorization-details.json"


@pytest.mark.parametrize(
    ("listing", "kind", "what"),
    [
        ("UserDetailList", "users", "a user"),
        ("GroupDetailList", "groups", "a group"),
        ("RoleDetailList", "roles", "a role"),
        ("Policies", "policies", "a managed policy"),
    ],
)
@pytest.mark.parametrize("value", ["deploy", "arn:r"])
def test_an_export_entry_whose_arn_is_not_one_is_refused(
    tmp_path: Path, listing: str, kind: str, what: str, value: str
) -> None:
    result = _scan_export(tmp_path, listing, value)
    assert result.exit_code == 2, result.output
    assert f"{DETAILS}: {value!r} is not the ARN of {what} ({kind} #1)" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "value",
    ["arn:aws:s3:::bucket/policy/x", "arn:aws:iam::123456789012:policy/" + "x" * 3000],
)
def test_an_export_policy_of_another_service_or_too_long_is_refused(
    tmp_path: Path, value: str
) -> None:
    # Users, groups and roles of another service are refused as not their path and name
    # (test_misnamed_arns.py); a managed policy has no such check.
    result = _scan_export(tmp_path, "Policies", value)
    assert result.exit_code == 2, result.output
    assert "is not the ARN of a managed policy (policies #1)" in result.output


def _scan_export(tmp_path: Path, listing: str, value: str) -> Result:
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    details = json.loads((export / DETAILS).read_text())
    details[listing][0]["Arn"] = value
    (export / DETAILS).write_text(json.dumps(details))
    return CliRunner().invoke(cli, ["scan", "--input", str(export)])


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("users", "is not the ARN of a user"),
        ("groups", "is not the ARN of a group"),
        ("roles", "is not the ARN of a role"),
        ("policies", "is not the ARN of a managed policy"),
        ("oidc_providers", "is not one IAM allows"),
        ("saml_providers", "is not one IAM allows"),
    ],
)
@pytest.mark.parametrize("value", ["deploy", "arn:r"])
def test_a_snapshot_entry_whose_arn_is_not_one_is_refused(
    tmp_path: Path, kind: str, message: str, value: str
) -> None:
    path = collected_snapshot(tmp_path)
    document = json.loads(path.read_text())
    document["accounts"][0][kind][0]["arn"] = value
    path.write_text(json.dumps(document))
    result = CliRunner().invoke(cli, ["scan", "--snapshot", str(path)])
    assert result.exit_code == 2, result.output
    assert f"#/accounts/0/{kind}/0/arn: malformed snapshot: " in result.output
    assert repr(value) in result.output
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("trust_anchors", "arn:ta"),
        ("rolesanywhere_profiles", "arn:aws:iam::123456789012:role/profile/x"),
    ],
)
def test_a_snapshot_roles_anywhere_arn_that_is_not_one_is_refused(
    tmp_path: Path, kind: str, value: str
) -> None:
    path = collected_snapshot(tmp_path)
    document = json.loads(path.read_text())
    entry = {"arn": value, "name": "x", "enabled": True}
    entry |= {"source_type": "AWS_ACM_PCA"} if kind == "trust_anchors" else {"role_arns": []}
    document["accounts"][0][kind] = [entry]
    path.write_text(json.dumps(document))
    result = CliRunner().invoke(cli, ["scan", "--snapshot", str(path)])
    assert result.exit_code == 2, result.output
    assert f"#/accounts/0/{kind}/0/arn: malformed snapshot: {value!r} is not the ARN" in (
        result.output
    )


def test_roles_anywhere_arns_as_aws_writes_them_are_read(tmp_path: Path) -> None:
    path = collected_snapshot(tmp_path)
    document = json.loads(path.read_text())
    where = "arn:aws:rolesanywhere:eu-west-1:123456789012"
    anchor = f"{where}:trust-anchor/6d9e5a1c-4f3e-4b0e-9a49-1f0c0c1e7a11"
    profile = f"{where}:profile/0b3a0f2e-6c1d-4d8e-8f7a-3b2c1d0e9f8a"
    document["accounts"][0]["trust_anchors"] = [
        {"arn": anchor, "name": "onprem", "enabled": True, "source_type": "AWS_ACM_PCA"}
    ]
    document["accounts"][0]["rolesanywhere_profiles"] = [
        {"arn": profile, "name": "onprem", "enabled": True, "role_arns": []}
    ]
    path.write_text(json.dumps(document))
    result = CliRunner().invoke(cli, ["scan", "--snapshot", str(path), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
