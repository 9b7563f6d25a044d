"""A user whose inline policy document IAM returns with a key twice in one object: a
backup would keep one of the two and a rollback would restore a different policy, so
retire leaves the user untouched and reports it as unread (exit 3), never a traceback."""

from __future__ import annotations

from keyless.retire import StepStatus
from tests.retire.conftest import World
from tests.retire.estate import Person, describe_user

#: moto keeps the document as it was sent, as IAM does; a JSON parser keeps one "Effect".
TWICE = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Effect":"Deny",'
    '"Action":"s3:*","Resource":"*"}]}'
)


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
