"""A policy attached to a user (directly or through a group) whose document the export
does not hold, or a group the user is in that the export does not list: an export made
with `--filter` (the AWS managed policies left out, say) or merged by hand. The checks
that read a user's policies took such a policy for one that grants and denies nothing:
`account-mfa-not-enforced` said "no deny-unless-MFA policy applies" of a user whose
group's policy was exactly that, and `user-admin-with-access-key` was clean for a user
whose unread policy may grant everything. They are now not evaluated for that user
(exit 3), naming the policy or group; `AdministratorAccess` stays known by its ARN."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import orjson
from click.testing import CliRunner

from keyless.cli import cli

ACCOUNT = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "account"
REQUIRE_MFA = "arn:aws:iam::123456789012:policy/require-mfa"


def _scan(tmp_path: Path, edit) -> tuple[int, dict]:  # type: ignore[no-untyped-def, type-arg]
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    path = export / "authorization-details.json"
    details = orjson.loads(path.read_bytes())
    edit(details)
    path.write_bytes(orjson.dumps(details))
    result = CliRunner().invoke(cli, ["scan", "--input", str(export), "--format", "json"])
    return result.exit_code, json.loads(result.stdout)


def _run(document: dict, check: str) -> dict:  # type: ignore[type-arg]
    return next(run for run in document["check_runs"] if run["check"] == check)


def _findings(document: dict, check: str) -> list[dict]:  # type: ignore[type-arg]
    return [f for f in document["findings"] if f["check"] == check]


def test_a_group_policy_the_export_lacks_is_not_taken_for_none(tmp_path: Path) -> None:
    def edit(details: dict) -> None:  # type: ignore[type-arg]
        details["Policies"] = [p for p in details["Policies"] if p["Arn"] != REQUIRE_MFA]

    status, document = _scan(tmp_path, edit)

    assert status == 3
    run = _run(document, "account-mfa-not-enforced")
    assert run["status"] == "partial"
    [unread] = run["not_evaluated"]
    assert "user alice" in unread["reason"]
    assert REQUIRE_MFA in unread["reason"]
    assert "not in the authorization details" in unread["reason"]
    assert _findings(document, "account-mfa-not-enforced") == []


def test_a_group_the_export_lacks_is_not_taken_for_none(tmp_path: Path) -> None:
    def edit(details: dict) -> None:  # type: ignore[type-arg]
        details["GroupDetailList"] = []

    status, document = _scan(tmp_path, edit)

    assert status == 3
    [unread] = _run(document, "account-mfa-not-enforced")["not_evaluated"]
    assert "'group:admins': the group is not in the authorization details" in unread["reason"]


def test_an_unread_policy_leaves_an_administrator_check_open(tmp_path: Path) -> None:
    """ci-deploy has AdministratorAccess (known by ARN, so still reported) and an attached
    customer managed policy the export lacks; a user with keys and only the unread policy
    is not evaluated rather than clean."""
    unread = "arn:aws:iam::123456789012:policy/deploy-everything"

    def edit(details: dict) -> None:  # type: ignore[type-arg]
        for user in details["UserDetailList"]:
            if user["UserName"] == "ci-deploy":
                user["AttachedManagedPolicies"] = [
                    {"PolicyName": "deploy-everything", "PolicyArn": unread}
                ]
                user["UserPolicyList"] = []

    status, document = _scan(tmp_path, edit)

    assert status == 3
    run = _run(document, "user-admin-with-access-key")
    assert run["status"] == "partial"
    [open_user] = run["not_evaluated"]
    assert "user ci-deploy" in open_user["reason"]
    assert unread in open_user["reason"]
    assert _findings(document, "user-admin-with-access-key") == []


def test_administrator_access_is_known_without_its_document(tmp_path: Path) -> None:
    def edit(details: dict) -> None:  # type: ignore[type-arg]
        details["Policies"] = [p for p in details["Policies"] if ":iam::aws:" not in p["Arn"]]

    status, document = _scan(tmp_path, edit)

    assert _run(document, "user-admin-with-access-key")["status"] == "evaluated"
    [finding] = _findings(document, "user-admin-with-access-key")
    assert "AdministratorAccess" in finding["message"]
    assert status == 1
