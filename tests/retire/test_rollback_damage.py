"""A journal damaged between retire and rollback, or between two retire runs: every
backup and quarantine row a rollback will act on, and every backup a retire run may
compare a user with, is checked before the first AWS call, so a damaged one stops the run
whole (a JournalError, the CLI's exit 2) instead of halfway, with some users restored or
retired and the rest not (or a TypeError traceback)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from click.testing import CliRunner

from keyless.cli import cli
from keyless.retire.records import JournalError
from tests.retire.conftest import World
from tests.retire.estate import Key, Person


def edit(journal: Path, statement: str, *values: object) -> None:
    with sqlite3.connect(journal) as db:
        assert db.execute(statement, values).rowcount == 1
    db.close()


def exists(world: World, user: str) -> bool:
    try:
        world.estate.iam.get_user(UserName=user)
    except ClientError:
        return False
    return True


@pytest.fixture
def deleted(world: World) -> World:
    """alice and bob retired to the end: both users deleted, both backed up."""
    world.estate.add(Person("alice", keys=(Key(),)), Person("bob", keys=(Key(),)))
    world.retire("alice", "bob")
    world.retire("alice", "bob", days=15)
    assert not exists(world, "alice")
    assert not exists(world, "bob")
    return world


@pytest.mark.parametrize(
    ("change", "phrase"),
    [
        ("json_set(document, '$.groups', json('[\"devs; rm -rf\"]'))", "invalid IAM name"),
        ("json_set(document, '$.inline_policies', json('[{\"name\": 1}]'))", "'name' is not"),
        ("json_set(document, '$.tags', json('[{\"key\": \"k\"}]'))", "'value' is not a str"),
        ("json_set(document, '$.user', 'alice')", "holds 123456789012:alice, not"),
    ],
)
def test_a_damaged_backup_stops_the_rollback_before_any_aws_call(
    deleted: World, change: str, phrase: str
) -> None:
    edit(deleted.journal, f"UPDATE backups SET document = {change} WHERE user_name = 'bob'")

    with pytest.raises(JournalError) as raised:
        deleted.rollback(days=16)

    assert "backup" in raised.value.message
    assert "'bob'" in raised.value.message
    assert phrase in raised.value.message
    assert not exists(deleted, "alice")  # restored first, were bob's backup read late


def test_a_damaged_quarantine_stops_the_rollback_before_any_aws_call(world: World) -> None:
    world.estate.add(Person("alice", keys=(Key(),)), Person("bob", keys=(Key(),)))
    world.retire("alice", "bob")
    edit(world.journal, "UPDATE quarantine SET key_id = 'AKIA-../x' WHERE user_name = 'bob'")

    with pytest.raises(JournalError, match="quarantine of a key"):
        world.rollback(days=1)

    keys = world.estate.iam.list_access_keys(UserName="alice")["AccessKeyMetadata"]
    assert [key["Status"] for key in keys] == ["Inactive"]


def test_the_cli_says_which_backup_is_damaged_and_exits_2(deleted: World) -> None:
    edit(
        deleted.journal,
        "UPDATE backups SET document = json_set(document, '$.path', 'people') "
        "WHERE user_name = 'bob'",
    )

    result = CliRunner().invoke(
        cli, ["retire", "rollback", "--apply", "--journal", str(deleted.journal)]
    )

    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "backup 2 of the journal (123456789012:'bob') is damaged" in result.stderr
    assert not exists(deleted, "alice")


def test_a_damaged_backup_stops_a_retire_run_before_any_aws_call(deleted: World) -> None:
    # alice and bob created again under the same names: each run compares them with
    # their backups (bob's lists MFA devices as a number, which it never is)
    for user in ("alice", "bob"):
        deleted.estate.iam.create_user(UserName=user)
        deleted.estate.iam.create_access_key(UserName=user)
    edit(
        deleted.journal,
        "UPDATE backups SET document = json_set(document, '$.mfa_devices', 5) "
        "WHERE user_name = 'bob'",
    )

    with pytest.raises(JournalError, match=r"backup 2 of the journal \(123456789012:'bob'\)"):
        deleted.retire("alice", "bob", days=60)

    keys = deleted.estate.iam.list_access_keys(UserName="alice")["AccessKeyMetadata"]
    assert [key["Status"] for key in keys] == ["Active"]
