"""A user ``authorization-details.json`` lists but the credential report has no row for
(created after the report was generated: AWS makes a new one at most every four hours, or
a row cut out of the file): its keys, password and MFA are unknown. They were read as
none, so the scan called the account fully evaluated and ``plan`` retired the user as
"nothing in use". In an export the report is now missing for the account, naming the
user: the checks that need it are not evaluated (exit 3), and ``plan`` makes no plan
(exit 3). A live scan asks IAM for such a user's keys, password and MFA instead, and
only when IAM does not answer is the report missing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from click.testing import CliRunner
from moto import mock_aws

from keyless.cli import cli
from keyless.collect.live.account import collect_account, make_session
from keyless.model import Dataset, DatasetState

ACCOUNT = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "account"
REPORT = "credential-report.csv"


@pytest.fixture
def export(tmp_path: Path) -> Path:
    """The account export without alice's row (she has a console password in use)."""
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    lines = (export / REPORT).read_text().splitlines(keepends=True)
    assert lines[2].startswith("alice,")
    assert ",true," in lines[2]
    (export / REPORT).write_text("".join(lines[:2] + lines[3:]))
    return export


def test_the_scan_says_the_report_is_missing_for_the_user(export: Path) -> None:
    result = CliRunner().invoke(cli, ["scan", "--input", str(export), "--format", "json"])

    assert result.exit_code == 3, result.output
    document = json.loads(result.stdout)
    assert document["fully_evaluated"] is False
    assert "no row for 1 user (created after it was generated?): alice" in result.stdout


def test_plan_makes_no_plan_that_retires_the_user(export: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(cli, ["plan", "--input", str(export), "--out", str(out)])

    assert result.exit_code == 3, result.output
    assert "credential report: the credential report has no row for 1 user" in result.stderr
    assert not out.exists()


def test_a_report_with_every_user_is_available(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["scan", "--input", str(ACCOUNT), "--format", "json"])

    assert result.exit_code == 1, result.output
    assert "no row for" not in result.stdout


def _collect_with_an_old_report(*denied: str) -> Any:
    """Collect an account whose credential report was generated before ``newcomer`` was
    created (moto writes the report from the users of the moment, so the earlier report
    is kept and handed back), with the IAM operations ``denied`` refused."""
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        iam.create_user(UserName="kept")
        iam.generate_credential_report()
        content = iam.get_credential_report()["Content"]
        iam.create_user(UserName="newcomer")
        key = iam.create_access_key(UserName="newcomer")["AccessKey"]["AccessKeyId"]
        iam.create_login_profile(UserName="newcomer", Password="Correct-Horse-9")
        serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="newcomer")
        iam.enable_mfa_device(
            UserName="newcomer",
            SerialNumber=serial["VirtualMFADevice"]["SerialNumber"],
            AuthenticationCode1="123456",
            AuthenticationCode2="654321",
        )

        def old_report(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
            reply = {"Content": content, "ReportFormat": "text/csv"}
            return AWSResponse("https://iam.amazonaws.com/", 200, {}, None), reply

        def refuse(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
            reply = {"Error": {"Code": "AccessDenied", "Message": "denied by an SCP"}}
            return AWSResponse("https://iam.amazonaws.com/", 403, {}, None), reply

        session = make_session(region="us-east-1")
        session.events.register("before-call.iam.GetCredentialReport", old_report)
        for operation in denied:
            session.events.register(f"before-call.iam.{operation}", refuse)
        return collect_account(session, report_timeout=5), key


def test_live_a_user_created_after_the_report_is_read_from_iam() -> None:
    """Its keys, password and MFA are asked of IAM directly, so the account stays whole."""
    account, key = _collect_with_an_old_report()
    assert account.dataset(Dataset.CREDENTIAL_REPORT).state is DatasetState.AVAILABLE
    newcomer = next(user for user in account.users if user.name == "newcomer")
    assert [(k.slot, k.key_id, k.active, k.last_used) for k in newcomer.access_keys] == [
        (1, key, True, None)
    ]
    assert newcomer.has_console_access
    assert newcomer.mfa_active
    kept = next(user for user in account.users if user.name == "kept")
    assert kept.access_keys == ()


@pytest.mark.parametrize("denied", ["ListAccessKeys", "GetLoginProfile", "ListMFADevices"])
def test_live_a_user_iam_will_not_describe_makes_the_report_missing(denied: str) -> None:
    account, _ = _collect_with_an_old_report(denied)
    status = account.dataset(Dataset.CREDENTIAL_REPORT)
    assert status.state is DatasetState.MISSING
    assert status.reason.endswith(
        "no row for 1 user (created after it was generated?): newcomer; generate a new report"
    )
    newcomer = next(user for user in account.users if user.name == "newcomer")
    assert newcomer.access_keys == ()
    assert any(call.operation == denied for call in account.failed_calls)
