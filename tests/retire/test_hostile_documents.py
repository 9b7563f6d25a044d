"""Documents retire keeps that could change meaning when read back. A user whose inline
policy IAM returns with a key twice in one object: a backup would keep one of the two and
a rollback would restore a different policy, so retire leaves the user untouched and
reports it as unread (exit 3). A journal whose JSON columns were edited (a key twice,
NaN, Infinity, not JSON): damaged, exit 2, before any change. Never a traceback."""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli
from keyless.retire import StepStatus
from tests.retire.conftest import World
from tests.retire.estate import Key, Person, describe_user

#: moto keeps the document as it was sent, as IAM does; a JSON parser keeps one "Effect".
TWICE = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Effect":"Deny",'
    '"Action":"s3:*","Resource":"*"}]}'
)


def _run(world: World, *args: str) -> Result:
    return CliRunner().invoke(cli, ["retire", *args, "--journal", str(world.journal)])


def _bob(world: World) -> None:
    world.estate.add(Person("bob", console=False))
    world.estate.iam.put_user_policy(UserName="bob", PolicyName="deploy", PolicyDocument=TWICE)


def test_a_policy_with_a_key_twice_leaves_its_user_untouched(world: World) -> None:
    _bob(world)
    before = describe_user(world.estate.iam, "bob")

    report = world.retire("bob")

    assert [(s.status, s.label) for s in report.steps] == [(StepStatus.UNREAD, "user")]
    assert "deploy" in report.steps[0].reason
    assert "/Statement/0/Effect" in report.steps[0].reason
    assert report.exit_code == 3
    assert describe_user(world.estate.iam, "bob") == before


def test_a_dry_run_says_the_same_and_writes_nothing(world: World) -> None:
    _bob(world)

    report = world.retire("bob", apply=False)

    assert report.steps[0].status is StepStatus.UNREAD
    assert not world.journal.exists()


@pytest.mark.parametrize(
    "statement",
    [
        """UPDATE actions SET detail = '{"a": 1, "a": 2}'""",
        """UPDATE actions SET detail = '{"a": NaN}'""",
        """UPDATE runs SET request = '{"max_actions": Infinity}'""",
        "UPDATE actions SET detail = '{'",
    ],
)
def test_a_journal_edited_between_two_runs_stops_the_next_before_any_change(
    world: World, statement: str
) -> None:
    world.estate.add(Person("alice", keys=(Key(),)), Person("bob", keys=(Key(),)))
    staged = _run(world, "--user", "alice", "--apply")
    assert staged.exit_code == 0, staged.output
    with sqlite3.connect(world.journal) as db:
        db.execute(statement)

    result = _run(world, "--user", "bob", "--apply")

    assert result.exit_code == 2, result.output
    assert "damaged" in result.stderr
    assert "Traceback" not in result.output
    assert describe_user(world.estate.iam, "bob")["keys"][0][1] == "Active"
