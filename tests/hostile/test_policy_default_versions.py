"""A customer managed policy has exactly one default version, the one ``DefaultVersionId``
names and ``IsDefaultVersion`` marks
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_ManagedPolicyDetail.html,
https://docs.aws.amazon.com/IAM/latest/APIReference/API_PolicyVersion.html). An export
marking two versions, or marking one that ``DefaultVersionId`` does not name, was read with
the first version marked: the fixture's ``require-mfa`` Deny was analysed though the file
also named as default a version that denies nothing (a file edited or merged by hand; which
document IAM applies is unknown). Such an export is refused (exit 2, naming the policy by
JSON pointer); one marking none still takes the version ``DefaultVersionId`` names, as the
emulator writes it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli

ACCOUNT = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "account"
DETAILS = "authorization-details.json"
# v1 of the fixture's require-mfa denies everything but IAM, v2 everything without MFA.
ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}


def _export(tmp_path: Path, edit: Any) -> Path:
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    details = json.loads((export / DETAILS).read_text())
    policy = next(p for p in details["Policies"] if p["PolicyName"] == "require-mfa")
    edit(policy)
    (export / DETAILS).write_text(json.dumps(details))
    return export


def _two_marked(policy: dict[str, Any]) -> None:
    # A merged file: the version IAM applies (v3, allowing, not denying) after the old one.
    policy["PolicyVersionList"][1]["IsDefaultVersion"] = True
    policy["PolicyVersionList"].append(
        {"Document": ALLOW_ALL, "VersionId": "v3", "IsDefaultVersion": True}
    )
    policy["DefaultVersionId"] = "v3"


def _other_named(policy: dict[str, Any]) -> None:
    policy["PolicyVersionList"].append(
        {"Document": ALLOW_ALL, "VersionId": "v3", "IsDefaultVersion": False}
    )
    policy["DefaultVersionId"] = "v3"


@pytest.mark.parametrize(
    ("edit", "phrase"),
    [
        (
            _two_marked,
            "has 2 versions marked IsDefaultVersion ('v2', 'v3'): IAM applies exactly one",
        ),
        (_other_named, "names 'v3' its DefaultVersionId but marks version 'v2' IsDefaultVersion"),
    ],
)
def test_an_ambiguous_default_version_is_refused(tmp_path: Path, edit: Any, phrase: str) -> None:
    result = CliRunner().invoke(cli, ["scan", "--input", str(_export(tmp_path, edit))])
    assert result.exit_code == 2, result.output
    assert f"{DETAILS}#/Policies/0: policy arn:aws:iam::123456789012:policy/require-mfa" in (
        result.output
    )
    assert phrase in result.output
    assert "Traceback" not in result.output


def test_an_ambiguous_default_version_is_refused_by_load_export(tmp_path: Path) -> None:
    from keyless.collect.offline.export import load_export
    from keyless.errors import InputError

    with pytest.raises(InputError, match="IAM applies exactly one"):
        load_export(_export(tmp_path, _two_marked))


def test_no_version_marked_takes_the_one_default_version_id_names(tmp_path: Path) -> None:
    def unmarked(policy: dict[str, Any]) -> None:
        for version in policy["PolicyVersionList"]:
            del version["IsDefaultVersion"]
        policy["DefaultVersionId"] = "v1"

    from keyless.collect.offline.export import load_export

    inventory = load_export(_export(tmp_path, unmarked))
    [policy] = [p for p in inventory.accounts[0].policies if p.name == "require-mfa"]
    assert policy.default_version_id == "v1"
