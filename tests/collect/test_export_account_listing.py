"""An organization export's `accounts.json` (`aws organizations list-accounts`): without
it, an account whose directory was never exported was simply not there, and the
organization was reported whole. With it, such an account is unread (exit 3) when active
and skipped when suspended or closed, as a live `--org` scan records them; the names and
emails it gives label accounts whose own files do not."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli

ORG = Path(__file__).resolve().parent / "fixtures" / "org"
LISTED = [
    {"Id": "111111111111", "Name": "mgmt", "Email": "mgmt@example.com", "State": "ACTIVE"},
    {"Id": "222222222222", "Name": "prod", "Email": "prod@example.com", "State": "ACTIVE"},
]


def _scan(tmp_path: Path, listing: Any) -> tuple[int, dict[str, Any], str]:
    export = tmp_path / "org"
    shutil.copytree(ORG, export)
    (export / "accounts.json").write_text(json.dumps(listing))
    result = CliRunner().invoke(cli, ["scan", "--input", str(export), "--format", "json"])
    document = json.loads(result.stdout) if result.exit_code in (0, 1, 3) else {}
    return result.exit_code, document, result.stderr


def _accounts(document: dict[str, Any]) -> dict[str, tuple[str, str | None, str | None]]:
    return {a["id"]: (a["status"], a["name"], a["error"]) for a in document["accounts"]}


def test_an_active_account_without_its_directory_is_unread(tmp_path: Path) -> None:
    listing = [
        *LISTED,
        {"Id": "333333333333", "Name": "new-team", "Email": "n@example.com", "State": "ACTIVE"},
    ]
    status, document, _ = _scan(tmp_path, {"Accounts": listing})
    assert status == 3
    accounts = _accounts(document)
    assert accounts["333333333333"] == (
        "failed",
        "new-team",
        "accounts.json lists the account as ACTIVE but the export has no directory for it",
    )
    assert accounts["222222222222"][:2] == ("scanned", "prod")  # named by the listing


def test_a_suspended_account_without_its_directory_is_skipped(tmp_path: Path) -> None:
    base_status, _, _ = _scan(tmp_path / "base", {"Accounts": LISTED})
    listing = [*LISTED, {"Id": "444444444444", "Name": "old", "State": "SUSPENDED"}]
    status, document, _ = _scan(tmp_path / "suspended", listing)  # a bare list of accounts
    assert status == base_status
    assert _accounts(document)["444444444444"] == (
        "skipped",
        "old",
        "account is SUSPENDED in AWS Organizations",
    )


@pytest.mark.parametrize(
    ("listing", "said"),
    [
        ({"Accounts": LISTED[:1]}, "the export has a directory for 222222222222, which"),
        ({"Accounts": LISTED, "NextToken": "AAAA"}, "one page of several (NextToken)"),
        ({"Accounts": [*LISTED, {"Id": "../x"}]}, "Id '../x' is no account ID"),
        ({"Accounts": [*LISTED, LISTED[0]]}, "account 111111111111 is listed twice"),
        ({"Organization": {}}, "expected the output of `aws organizations list-accounts`"),
    ],
    ids=["directory-not-listed", "one-page", "bad-id", "twice", "other-document"],
)
def test_a_listing_that_cannot_be_kept_is_refused(tmp_path: Path, listing: Any, said: str) -> None:
    status, _, stderr = _scan(tmp_path, listing)
    assert status == 2
    assert "accounts.json" in stderr
    assert said in stderr
