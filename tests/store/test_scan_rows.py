"""Rows keyless never writes into a recorded scan (a user, key or finding on an account the
scan did not read, a user listed twice) are refused as damage when the scan is read;
what keyless does write there (an organization check's finding on a management account
the scan left out) is counted and compared, never dropped."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from keyless.errors import InputError
from keyless.model import DatasetState, DatasetStatus, Organization
from keyless.store import open_store, record_of_result
from tests.builders import NOW, make_account, make_inventory, make_key, make_user
from tests.store.support import assert_damaged, edit, record, run_on, scan, two_scans

COMMANDS = [["history", "--format", "json"], ["diff", "@previous", "@latest", "--format", "json"]]
UNLISTED = "999999999999"
ARN = f"arn:aws:iam::{UNLISTED}:user/crafted"


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return two_scans(tmp_path / "h.sqlite3")


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    ("statement", "message"),
    [
        (
            "INSERT INTO findings SELECT id, 'user-key-not-rotated', 'critical',"
            f" '{UNLISTED}', '{ARN}', '{ARN}', 'crafted' FROM scans",
            "a finding of 'user-key-not-rotated' on an account the scan did not read",
        ),
        (
            # An organization check, in a scan of no organization: keyless never runs it.
            "INSERT INTO findings SELECT id, 'org-identity-center-missing', 'critical',"
            f" '{UNLISTED}', '{ARN}', '{ARN}', 'crafted' FROM scans",
            "a finding of 'org-identity-center-missing' on an account the scan did not read",
        ),
        (
            "INSERT INTO suppressed_findings SELECT id, 'user-key-not-rotated', 'critical',"
            f" '{UNLISTED}', '{ARN}', '{ARN}', 'crafted' FROM scans",
            "a finding of 'user-key-not-rotated' on an account the scan did not read",
        ),
        (
            f"INSERT INTO users SELECT id, '{UNLISTED}', '{ARN}', 'crafted', 1, 0 FROM scans",
            f"a user '{ARN}' on an account the scan did not read",
        ),
        (
            f"INSERT INTO access_keys SELECT id, '{UNLISTED}', '{ARN}', 1, NULL, 1, NULL, NULL"
            " FROM scans",
            f"an access key of '{ARN}' on an account the scan did not read",
        ),
        (
            "INSERT INTO not_evaluated SELECT id, 'user-key-not-rotated', 'elsewhere', 'why'"
            " FROM scans",
            "a check not evaluated: 'user-key-not-rotated' on an account the scan does not list",
        ),
        (
            # A failed account's users are not known: keyless never records them.
            "UPDATE accounts SET status = 'failed' WHERE account = '444455556666'",
            "on an account the scan did not read ('444455556666')",
        ),
        (
            "INSERT INTO users SELECT * FROM users",
            "listed twice",
        ),
        (
            "INSERT INTO access_keys SELECT * FROM access_keys",
            "twice in one slot",
        ),
    ],
    ids=[
        "finding",
        "organization-finding-without-organization",
        "suppressed",
        "user",
        "key",
        "not-evaluated",
        "failed-account",
        "user-twice",
        "key-twice",
    ],
)
def test_a_row_keyless_never_writes_is_refused(
    store: Path, command: list[str], statement: str, message: str
) -> None:
    """Such rows were dropped or counted twice without a word: a crafted critical finding
    on an unlisted account gave "0 new", a user listed twice doubled the users."""
    edit(store, statement)
    assert_damaged(run_on(store, command), message)


def test_two_identical_findings_are_kept(store: Path) -> None:
    """A check may report two problems of one resource in the same words (keyless writes
    both): not damage."""
    edit(store, "INSERT INTO findings SELECT * FROM findings WHERE rowid = 1")

    result = run_on(store, ["history", "--format", "json"])

    assert result.exit_code == 0, result.output


MANAGEMENT = "000011112222"


def _organization_store(path: Path) -> None:
    """Two scans of an organization whose management account was left out: Identity
    Center unknown in the first (its check not evaluated on the management account),
    known to be missing in the second (a finding on the management account)."""
    ci = make_user("ci", keys=[make_key(age_days=10)])
    with open_store(path, create=True) as opened:
        for state in (DatasetState.MISSING, DatasetState.AVAILABLE):
            organization = Organization(
                "o-abcdefghij", MANAGEMENT, identity_center_state=DatasetStatus(state, "")
            )
            inventory = make_inventory(make_account(users=[ci]), organization=organization)
            opened.record(record_of_result(scan(inventory, now=NOW)))


def test_an_organization_finding_on_an_unread_account_is_counted(tmp_path: Path) -> None:
    path = tmp_path / "org.sqlite3"
    _organization_store(path)

    history = run_on(path, ["history", "--format", "json"])
    diff = run_on(path, ["diff", "@previous", "@latest", "--format", "json"])

    assert history.exit_code == 0, history.output
    first, second = json.loads(history.stdout)["scans"]
    gained = second["total"]["findings"]["medium"] - first["total"]["findings"]["medium"]
    assert gained == 1
    assert MANAGEMENT not in second["accounts"]
    assert diff.exit_code == 0, diff.output
    accounts = {a["account"]: a for a in json.loads(diff.stdout)["accounts"]}
    new = accounts[MANAGEMENT]["findings"]["new"]
    assert [f["check"] for f in new] == ["org-identity-center-missing"]


@pytest.mark.parametrize("twice", ["users", "keys"])
def test_a_scan_listing_a_user_twice_is_not_recorded(store: Path, twice: str) -> None:
    """A snapshot edited to list a user twice is read as it is: recorded, its store would
    be refused when read back."""
    scan_record = record()
    doubled = getattr(scan_record, twice)
    with open_store(store, create=True) as opened:
        with pytest.raises(InputError, match="the scan is not recorded: it lists"):
            opened.record(replace(scan_record, **{twice: (*doubled, doubled[0])}))
        assert len(opened.scan_ids()) == 2


NEWER_CHECK = "org-check-from-a-later-keyless"


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO findings SELECT id, '" + NEWER_CHECK + "', 'high',"
        f" '{UNLISTED}', '{ARN}', '{ARN}', 'an organization finding' FROM scans",
        "INSERT INTO not_evaluated SELECT id, '" + NEWER_CHECK + "', '*', 'why' FROM scans",
    ],
    ids=["finding", "not-evaluated"],
)
def test_a_check_of_a_newer_keyless_is_not_called_damage(
    store: Path, command: list[str], statement: str
) -> None:
    """A later keyless's organization check may write where this one's never do (the
    management account left out of the scan): refused, but as a store this keyless is too
    old for, naming the version that recorded it; it said "damaged"."""
    edit(store, statement, "UPDATE scans SET keyless_version = '99.0.0'")

    result = run_on(store, command)

    assert result.exit_code == 2, result.output
    assert "damaged" not in result.stderr
    assert "recorded by keyless '99.0.0'" in result.stderr
    assert f"'{NEWER_CHECK}'" in result.stderr
    assert "upgrade keyless" in result.stderr


def test_an_unknown_check_of_this_keyless_version_is_damage(store: Path) -> None:
    """The same row in a scan this very version recorded is damage: it never writes one."""
    edit(
        store,
        "INSERT INTO findings SELECT id, '" + NEWER_CHECK + "', 'high',"
        f" '{UNLISTED}', '{ARN}', '{ARN}', 'crafted' FROM scans",
    )

    assert_damaged(run_on(store, COMMANDS[0]), f"a finding of '{NEWER_CHECK}'")
