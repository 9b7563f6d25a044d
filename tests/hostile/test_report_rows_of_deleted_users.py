"""A credential report row (or an assigned virtual MFA device) for a user the
authorization details lack. The report is generated up to four hours before it is
fetched and the details are read fresh, so such a user was almost always deleted in
between: the live collector and the export reader both leave it out of the inventory
(no findings under a name the account no longer has) and say so in the scan's notes, in
every output format and per account in an organization. Before, an export refused it
(exit 2) while a live scan made a user of it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from click.testing import CliRunner
from moto import mock_aws

from keyless.cli import cli
from keyless.collect.live.account import collect_account, make_session

FIXTURES = Path(__file__).resolve().parents[1] / "collect" / "fixtures"
REPORT = "credential-report.csv"
DEVICES = "virtual-mfa-devices.json"
NOTE = "the credential report has rows for 1 user the authorization details lack"


def _with_ghost_row(directory: Path, name: str = "ghost") -> None:
    lines = (directory / REPORT).read_text().splitlines()
    user, arn, rest = lines[-1].split(",", 2)
    lines.append(f"{name},{arn.replace(user, name)},{rest}")
    (directory / REPORT).write_text("\n".join(lines) + "\n")


@pytest.fixture
def export(tmp_path: Path) -> Path:
    directory = tmp_path / "export"
    shutil.copytree(FIXTURES / "account", directory)
    _with_ghost_row(directory)
    return directory


def _scan(*arguments: str) -> Any:
    result = CliRunner().invoke(cli, ["scan", *arguments])
    assert result.exit_code in (0, 1), result.output
    return result


def test_an_export_row_of_a_deleted_user_is_a_note_not_a_user(export: Path) -> None:
    document = json.loads(_scan("--input", str(export), "--format", "json").stdout)
    (account,) = document["accounts"]
    assert "ghost" not in {user["name"] for user in account["users"]}
    assert {user["name"] for user in account["users"]} == {"alice", "ci-deploy"}
    assert not any("ghost" in finding["resource"] for finding in document["findings"])
    (note,) = document["notes"]
    assert note.startswith(NOTE)
    assert note.endswith("not scanned: ghost")
    assert account["notes"] == [note]


@pytest.mark.parametrize("output", ["text", "markdown", "html", "sarif"])
def test_the_note_reaches_every_format(export: Path, output: str) -> None:
    shown = _scan("--input", str(export), "--format", output).stdout
    assert NOTE in shown
    assert "not scanned: ghost" in shown


def test_sarif_says_the_note_without_failing_the_run(export: Path) -> None:
    log = json.loads(_scan("--input", str(export), "--format", "sarif").stdout)
    (invocation,) = log["runs"][0]["invocations"]
    notes = [n for n in invocation["toolExecutionNotifications"] if n["level"] == "note"]
    assert [n["message"]["text"] for n in notes] == [
        n for n in notes_of(export) if n.startswith(NOTE)
    ]


def notes_of(export: Path) -> list[str]:
    document = json.loads(_scan("--input", str(export), "--format", "json").stdout)
    return list(document["notes"])


def test_a_snapshot_keeps_the_note(export: Path, tmp_path: Path) -> None:
    snapshot = tmp_path / "snapshot.json"
    collected = CliRunner().invoke(cli, ["collect", "--input", str(export), "--out", str(snapshot)])
    assert collected.exit_code == 0, collected.output
    document = json.loads(_scan("--snapshot", str(snapshot), "--format", "json").stdout)
    assert [n[: len(NOTE)] for n in document["notes"]] == [NOTE]
    assert "ghost" not in {u["name"] for a in document["accounts"] for u in a["users"]}


def test_an_organization_names_the_account_of_each_note(tmp_path: Path) -> None:
    organization = tmp_path / "org"
    shutil.copytree(FIXTURES / "org", organization)
    _with_ghost_row(organization / "111111111111", "left")
    # The fixture lacks identity-center.json: --allow-partial, so that the exit is 0 or 1.
    scanned = _scan("--input", str(organization), "--format", "json", "--allow-partial")
    document = json.loads(scanned.stdout)
    (note,) = document["notes"]
    assert note.startswith(f"111111111111: {NOTE}"), note
    assert note.endswith("not scanned: left")
    by_id = {account["id"]: account for account in document["accounts"]}
    assert by_id["111111111111"]["notes"] == [note.removeprefix("111111111111: ")]
    assert by_id["222222222222"]["notes"] == []


def test_an_mfa_device_of_a_deleted_user_is_a_note(tmp_path: Path) -> None:
    directory = tmp_path / "export"
    shutil.copytree(FIXTURES / "account", directory)
    listing = json.loads((directory / DEVICES).read_text())
    listing["VirtualMFADevices"].append(
        {
            "SerialNumber": "arn:aws:iam::123456789012:mfa/gone",
            "User": {"UserName": "gone", "Arn": "arn:aws:iam::123456789012:user/gone"},
            "EnableDate": "2023-01-10T09:10:00+00:00",
        }
    )
    (directory / DEVICES).write_text(json.dumps(listing))
    document = json.loads(_scan("--input", str(directory), "--format", "json").stdout)
    (note,) = document["notes"]
    assert note.startswith("virtual MFA devices are assigned to 1 user the authorization")
    assert note.endswith("not scanned: gone")


def test_the_root_users_mfa_device_is_no_note(tmp_path: Path) -> None:
    directory = tmp_path / "export"
    shutil.copytree(FIXTURES / "account", directory)
    listing = json.loads((directory / DEVICES).read_text())
    listing["VirtualMFADevices"].append(
        {
            "SerialNumber": "arn:aws:iam::123456789012:mfa/root-account-mfa-device",
            "User": {"Arn": "arn:aws:iam::123456789012:root"},
            "EnableDate": "2023-01-10T09:10:00+00:00",
        }
    )
    (directory / DEVICES).write_text(json.dumps(listing))
    assert notes_of(directory) == []


def test_names_past_ten_are_counted(tmp_path: Path) -> None:
    directory = tmp_path / "export"
    shutil.copytree(FIXTURES / "account", directory)
    for index in range(12):
        _with_ghost_row(directory, f"gone-{index:02}")
    (note,) = notes_of(directory)
    assert "rows for 12 users" in note
    assert note.endswith("gone-09 and 2 more")


def test_an_export_as_aws_writes_it_has_no_note() -> None:
    assert notes_of(FIXTURES / "account") == []


# Live: moto writes the report from the users of the moment, so the report generated
# while the user still existed is kept and handed back (botocore's before-call event,
# as tests/collect/test_aws.py does for what moto cannot do).


@pytest.fixture
def deleted_after_the_report() -> Iterator[bytes]:
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        iam.create_user(UserName="kept")
        iam.create_access_key(UserName="kept")
        iam.create_user(UserName="ghost")
        iam.create_access_key(UserName="ghost")
        iam.generate_credential_report()
        content: bytes = iam.get_credential_report()["Content"]
        for key in iam.list_access_keys(UserName="ghost")["AccessKeyMetadata"]:
            iam.delete_access_key(UserName="ghost", AccessKeyId=key["AccessKeyId"])
        iam.delete_user(UserName="ghost")
        yield content


def test_live_a_row_of_a_deleted_user_is_a_note_not_a_user(
    deleted_after_the_report: bytes,
) -> None:
    assert b"user/ghost" in deleted_after_the_report

    def old_report(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        reply = {"Content": deleted_after_the_report, "ReportFormat": "text/csv"}
        return AWSResponse("https://iam.amazonaws.com/", 200, {}, None), reply

    session = make_session(region="us-east-1")
    session.events.register("before-call.iam.GetCredentialReport", old_report)
    account = collect_account(session, report_timeout=5)
    assert [user.name for user in account.users] == ["kept"]
    (note,) = account.notes
    assert note.startswith(NOTE)
    assert note.endswith("not scanned: ghost")


def test_live_without_authorization_details_users_come_from_the_report(
    deleted_after_the_report: bytes,
) -> None:
    def denied(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        reply = {"Error": {"Code": "AccessDenied", "Message": "not allowed"}}
        return AWSResponse("https://iam.amazonaws.com/", 403, {}, None), reply

    session = make_session(region="us-east-1")
    session.events.register("before-call.iam.GetAccountAuthorizationDetails", denied)
    account = collect_account(session, report_timeout=5)
    # The report is all there is: its users stay, so the key checks can run on them.
    assert [user.name for user in account.users] == ["kept"]
    assert account.notes == ()
