"""Whose journal it is: a journal that came with a checkout, an archive or another user
(owned by someone else, or open to other users) is refused before anything is read from
it, by retire, status and rollback, dry or not; nothing in AWS changes."""

from __future__ import annotations

import os
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli
from keyless.errors import KeylessError
from keyless.retire import RollbackRequest, SessionReach, rollback
from keyless.retire.journal import Journal
from keyless.retire.records import JournalError
from tests.retire.conftest import World
from tests.retire.estate import Key, Person, describe_user

#: An ID that is not the test's own (``nobody`` on most systems).
OTHER_USER = 65534


def _journal(tmp_path: Path) -> Path:
    path = tmp_path / "j.sqlite"
    with Journal.open(path, writable=True):
        pass
    return path


def _give_away(path: Path) -> None:
    """Make ``path`` another user's: chown when the test runs as root, else a copy is
    impossible, so the test is skipped."""
    if os.geteuid() != 0:
        pytest.skip("giving a file to another user needs root")
    os.chown(path, OTHER_USER, -1)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o666])
@pytest.mark.parametrize("writable", [True, False])
def test_a_journal_open_to_other_users_is_refused(
    tmp_path: Path, mode: int, writable: bool
) -> None:
    path = _journal(tmp_path)
    path.chmod(mode)
    before = path.read_bytes()

    with pytest.raises(JournalError, match=f"open to other users \\(mode {mode:04o}\\)"):
        Journal.open(path, writable=writable)

    assert path.read_bytes() == before
    assert path.stat().st_mode & 0o777 == mode


@pytest.mark.parametrize("writable", [True, False])
def test_a_journal_of_another_user_is_refused(tmp_path: Path, writable: bool) -> None:
    path = _journal(tmp_path)
    _give_away(path)

    with pytest.raises(JournalError, match=f"belongs to another user \\(uid {OTHER_USER}\\)"):
        Journal.open(path, writable=writable)


@pytest.mark.parametrize("suffix", ["-journal", "-wal"])
@pytest.mark.parametrize("writable", [True, False])
def test_an_sqlite_file_beside_it_from_someone_else_is_refused(
    tmp_path: Path, suffix: str, writable: bool
) -> None:
    """SQLite plays a hot rollback journal back into the database on open: one shipped
    beside the journal (a checkout's 0644) would rewrite it."""
    path = _journal(tmp_path)
    beside = path.with_name(path.name + suffix)
    beside.write_bytes(b"not yours")
    beside.chmod(0o644)
    before = path.read_bytes()

    with pytest.raises(JournalError, match="open to other users") as refused:
        Journal.open(path, writable=writable)

    assert refused.value.where == str(beside)
    assert path.read_bytes() == before
    assert beside.read_bytes() == b"not yours"


def test_a_link_beside_it_is_refused(tmp_path: Path) -> None:
    path = _journal(tmp_path)
    path.with_name(path.name + "-journal").symlink_to(tmp_path / "elsewhere")

    with pytest.raises(JournalError, match="not a regular file"):
        Journal.open(path, writable=True)


def test_an_owner_only_journal_opens(tmp_path: Path) -> None:
    path = _journal(tmp_path)
    path.chmod(0o400)  # read-only for its owner is still the owner's alone

    with Journal.open(path, writable=False) as journal:
        assert journal is not None


def _cli(world: World, *args: str) -> Result:
    return CliRunner().invoke(cli, ["retire", *args, "--journal", str(world.journal)])


@pytest.fixture
def deactivated(world: World) -> World:
    """alice's key deactivated by an --apply run: the journal records it."""
    world.estate.add(Person("alice", keys=(Key(age=400, used=100),)))
    applied = _cli(world, "--user", "alice", "--apply")
    assert applied.exit_code == 0, applied.stderr
    assert describe_user(world.estate.iam, "alice")["keys"][0][1] == "Inactive"
    return world


@pytest.mark.parametrize(
    "command",
    [
        ["rollback", "--apply"],
        ["rollback"],
        ["status", "--no-cloudtrail"],
        ["--user", "alice", "--apply"],
        ["--user", "alice"],
    ],
)
def test_a_checked_out_journal_drives_nothing(deactivated: World, command: list[str]) -> None:
    deactivated.journal.chmod(0o644)  # as `git checkout` writes a committed file

    result = _cli(deactivated, *command)

    assert result.exit_code == 2, result.output
    assert "open to other users (mode 0644)" in result.stderr
    assert "chmod 600" in result.stderr
    assert "Traceback" not in result.stderr
    assert describe_user(deactivated.estate.iam, "alice")["keys"][0][1] == "Inactive"


def test_another_users_journal_is_not_rolled_back(deactivated: World) -> None:
    _give_away(deactivated.journal)

    result = _cli(deactivated, "rollback", "--apply")

    assert result.exit_code == 2, result.output
    assert "belongs to another user" in result.stderr
    assert describe_user(deactivated.estate.iam, "alice")["keys"][0][1] == "Inactive"


def test_a_journal_of_another_account_is_not_rolled_back(deactivated: World) -> None:
    """Credentials for one account (no --org) never act on another account's record."""
    credentials = deactivated.estate.session.client("sts").assume_role(
        RoleArn="arn:aws:iam::210987654321:role/admin", RoleSessionName="other"
    )["Credentials"]
    other = boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name="us-east-1",
    )
    request = RollbackRequest(apply=True, journal=deactivated.journal)

    with pytest.raises(KeylessError, match="123456789012 is not the account the credentials"):
        rollback(request, SessionReach(other))

    assert describe_user(deactivated.estate.iam, "alice")["keys"][0][1] == "Inactive"
