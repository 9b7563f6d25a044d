"""An edited snapshot (``scan --snapshot``, ``merge``): an account ID in other digits, or
one account written twice. The first reached ARNs and reports
(``arn:aws:iam::١٢٣٤٥٦٧٨٩٠١٢:root``); the second counted the account's users and findings
twice. Both are "malformed snapshot" with the JSON pointer (exit 2)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli

from .snapshots import ACCOUNT, collected_account


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return collected_account(tmp_path_factory.mktemp("snapshot"))


def _twice(document: dict[str, Any]) -> None:
    document["accounts"].append(document["accounts"][0])


def _arabic(document: dict[str, Any]) -> None:
    document["accounts"][0]["id"] = "١٢٣٤٥٦٧٨٩٠١٢"


def _short(document: dict[str, Any]) -> None:
    document["accounts"][0]["id"] = "12345"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        pytest.param(_twice, "#/accounts/1/id: malformed snapshot: account ", id="twice"),
        pytest.param(_arabic, "#/accounts/0/id: malformed snapshot: AccountId", id="arabic"),
        pytest.param(_short, "#/accounts/0/id: malformed snapshot: AccountId", id="short"),
    ],
)
def test_an_edited_snapshot_is_refused(
    snapshot: dict[str, Any], tmp_path: Path, edit: Callable[[dict[str, Any]], None], message: str
) -> None:
    document = json.loads(json.dumps(snapshot))
    edit(document)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(document))
    for command in (
        ["scan", "--snapshot", str(path)],
        ["merge", str(path), "--out", str(tmp_path / "merged.json")],
    ):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 2, result.output
        assert message in result.stderr
    assert not (tmp_path / "merged.json").exists()


def _other_account(document: dict[str, Any]) -> None:
    account = document["accounts"][0]
    account["users"][0]["arn"] = account["users"][0]["arn"].replace(account["id"], "999999999999")


def _empty_account(document: dict[str, Any]) -> None:
    account = document["accounts"][0]
    account["roles"][0]["arn"] = account["roles"][0]["arn"].replace(account["id"], "")


def _user_account_id(document: dict[str, Any]) -> None:
    document["accounts"][0]["users"][0]["account_id"] = "999999999999"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        pytest.param(
            _other_account,
            "#/accounts/0/users/0/arn: malformed snapshot: 'arn:aws:iam::999999999999:",
            id="other-account",
        ),
        pytest.param(
            _empty_account,
            "#/accounts/0/roles/0/arn: malformed snapshot: 'arn:aws:iam:::role/",
            id="empty-account",
        ),
        pytest.param(
            _user_account_id,
            "#/accounts/0/users/0/account_id: malformed snapshot: '999999999999' is not of",
            id="user-account-id",
        ),
    ],
)
def test_an_arn_of_another_account_is_refused(
    snapshot: dict[str, Any], tmp_path: Path, edit: Callable[[dict[str, Any]], None], message: str
) -> None:
    document = json.loads(json.dumps(snapshot))
    edit(document)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(document))
    result = CliRunner().invoke(cli, ["scan", "--snapshot", str(path)])
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_aws_managed_policies_and_other_partitions_are_accepted(
    snapshot: dict[str, Any], tmp_path: Path
) -> None:
    document = json.loads(json.dumps(snapshot))
    assert any(":iam::aws:policy/" in p["arn"] for p in document["accounts"][0]["policies"])
    # Every ARN of the account, attachments included (an attachment naming a policy of
    # another partition would be a policy the snapshot does not hold).
    document["accounts"][0] = json.loads(
        json.dumps(document["accounts"][0]).replace('"arn:aws:', '"arn:aws-us-gov:')
    )
    account = document["accounts"][0]
    account["partition"] = "aws-us-gov"
    path = tmp_path / "gov.json"
    path.write_text(json.dumps(document))
    result = CliRunner().invoke(cli, ["scan", "--snapshot", str(path)])
    assert result.exit_code in (0, 1), result.output


def test_an_export_whose_second_user_is_of_another_account_is_refused(tmp_path: Path) -> None:
    # The export reader compared only the first ARN of each kind with the account: the
    # snapshot it wrote from this export was then refused as malformed.
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    details_path = export / "authorization-details.json"
    details = json.loads(details_path.read_text())
    second = details["UserDetailList"][1]
    second["Arn"] = second["Arn"].replace("123456789012", "999999999999")
    details_path.write_text(json.dumps(details))
    (export / "credential-report.csv").unlink()
    result = CliRunner().invoke(
        cli, ["collect", "--input", str(export), "--out", str(tmp_path / "s.json")]
    )
    assert result.exit_code == 2, result.output
    assert f"keyless: error: {export}: conflicting account IDs: 'arn:aws:iam::999999999999:" in (
        result.stderr
    )
    assert "(users #2) is not of account 123456789012" in result.stderr
    assert not (tmp_path / "s.json").exists()


@pytest.mark.parametrize(
    ("kind", "field"),
    [("users", "name"), ("roles", "name"), ("groups", "name"), ("policies", "arn")],
)
def test_an_entity_listed_twice_in_an_account_is_refused(
    snapshot: dict[str, Any], tmp_path: Path, kind: str, field: str
) -> None:
    """As the export reader refuses it: AWS lists each once, and IAM keeps names unique
    ignoring case; a second copy would be counted and judged twice (store18's note)."""
    document = json.loads(json.dumps(snapshot))
    entries = document["accounts"][0][kind]
    copy = json.loads(json.dumps(entries[0]))
    copy[field] = copy[field].upper() if field == "name" else copy[field]
    entries.append(copy)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(document))
    result = CliRunner().invoke(cli, ["scan", "--snapshot", str(path)])
    assert result.exit_code == 2, result.output
    assert f"#/accounts/0/{kind}/{len(entries) - 1}: malformed snapshot: the " in result.stderr
    assert "is listed twice: AWS lists each once" in result.stderr
