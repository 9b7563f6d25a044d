"""A user ``authorization-details.json`` lists but the credential report has no row for
(created after the report was generated: AWS makes a new one at most every four hours, or
a row cut out of the file): its keys, password and MFA are unknown. They were read as
none, so the scan called the account fully evaluated and ``plan`` retired the user as
"nothing in use". The report is now missing for the account, naming the user: the
checks that need it are not evaluated (exit 3), and ``plan`` makes no plan (exit 3)."""

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


def test_live_a_user_created_after_the_report_makes_it_missing() -> None:
    # moto writes the report from the users of the moment: the report generated before
    # the user was created is kept and handed back (as test_report_rows_of_deleted_users).
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        iam.create_user(UserName="kept")
        iam.generate_credential_report()
        content = iam.get_credential_report()["Content"]
        iam.create_user(UserName="newcomer")
        iam.create_access_key(UserName="newcomer")

        def old_report(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
            reply = {"Content": content, "ReportFormat": "text/csv"}
            return AWSResponse("https://iam.amazonaws.com/", 200, {}, None), reply

        session = make_session(region="us-east-1")
        session.events.register("before-call.iam.GetCredentialReport", old_report)
        account = collect_account(session, report_timeout=5)

    assert sorted(user.name for user in account.users) == ["kept", "newcomer"]
    status = account.dataset(Dataset.CREDENTIAL_REPORT)
    assert status.state is DatasetState.MISSING
    assert status.reason.endswith(
        "no row for 1 user (created after it was generated?): newcomer; generate a new report"
    )
