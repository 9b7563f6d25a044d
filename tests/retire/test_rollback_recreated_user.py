"""A rollback brings a retired user back from its backup. When the name is held by another
user since (someone created a new ``alice`` after keyless deleted the old one: IAM gives
it a new unique ID, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids),
the rollback gave that other user the old one's groups, policies, boundary and tags: an
intern named like a retired administrator became one. It is now refused for that user
(the backup stays open, the other user untouched); a dry run says so too."""

from __future__ import annotations

import pytest

from keyless.render import Format, render
from keyless.retire import StepStatus
from tests.retire.conftest import World
from tests.retire.estate import READ_ONLY, Person, describe_user


def _retired_and_named_again(world: World) -> None:
    world.estate.add(Person("alice", groups=("admins",), inline={"deploy": READ_ONLY}))
    world.retire("alice")
    iam = world.estate.iam
    assert describe_user(iam, "alice") is None
    iam.create_user(UserName="alice", Tags=[{"Key": "team", "Value": "interns"}])


@pytest.mark.parametrize("apply", [True, False])
def test_a_rollback_does_not_give_a_new_user_of_the_name_the_old_ones_permissions(
    world: World, apply: bool
) -> None:
    _retired_and_named_again(world)

    report = world.rollback("alice", apply=apply)

    after = describe_user(world.estate.iam, "alice")
    assert after["groups"] == []
    assert after["inline"] == {}
    users = [step for step in report.steps if step.user == "alice"]
    assert [step.status for step in users] == [StepStatus.REFUSED]
    assert "another user" in users[0].reason
    assert all(user.restored is None for user in world.status().users)


def test_the_same_user_is_still_restored(world: World) -> None:
    world.estate.add(Person("alice", groups=("admins",), inline={"deploy": READ_ONLY}))
    world.retire("alice")

    world.rollback("alice")

    assert describe_user(world.estate.iam, "alice")["groups"] == ["admins"]


def test_status_says_a_backup_of_an_earlier_user_of_the_name_is_superseded(world: World) -> None:
    # alice was retired, a new alice created and retired too: two backups, of two users.
    # A rollback restores the latest only (the name holds one user), and the earlier one
    # was reported "deleted; `keyless retire rollback` recreates it", which it never does.
    _retired_and_named_again(world)
    world.retire("alice", days=1)
    assert describe_user(world.estate.iam, "alice") is None

    report = world.status(days=1)
    first, second = report.users  # in the order the backups were taken
    text = render(report, Format.TEXT)

    assert first.superseded == second.backed_up
    assert second.superseded is None
    lines = [line for line in text.splitlines() if "alice in" in line]
    assert len(lines) == 2
    assert "superseded" in lines[0]
    assert "recreates it" not in lines[0]
    assert "recreates it" in lines[1]


def test_a_user_an_unfinished_rollback_created_is_restored_by_the_next(world: World) -> None:
    # The first rollback creates alice again, then cannot give back her group (deleted
    # meanwhile): the user has a new unique ID, keyless's own, and the next rollback, once
    # the group is back, finishes her restoration instead of refusing her.
    world.estate.add(Person("alice", groups=("admins",), inline={"deploy": READ_ONLY}))
    world.retire("alice")
    iam = world.estate.iam
    iam.delete_group(GroupName="admins")
    first = world.rollback("alice")
    assert StepStatus.FAILED in [step.status for step in first.steps]
    assert describe_user(iam, "alice")["groups"] == []
    iam.create_group(GroupName="admins")

    second = world.rollback("alice")

    assert StepStatus.REFUSED not in [step.status for step in second.steps]
    after = describe_user(iam, "alice")
    assert after["groups"] == ["admins"]
    assert after["inline"] == {"deploy": READ_ONLY}


def _status_line(world: World) -> str:
    text = render(world.status(), Format.TEXT)
    (line,) = [line for line in text.splitlines() if "alice in" in line]
    return line


def test_status_says_a_rollback_checks_the_unique_id_before_recreating(world: World) -> None:
    # Another alice holds the name now: the rollback refuses to restore onto her, and
    # status said "`keyless retire rollback` recreates it". Status does not look the name
    # up in AWS; it says what the rollback checks, with the ID the backup recorded.
    iam = world.estate.iam
    world.estate.add(Person("alice", groups=("admins",)))
    old_id = iam.get_user(UserName="alice")["User"]["UserId"]
    world.retire("alice")
    iam.create_user(UserName="alice")

    line = _status_line(world)

    assert f"checks the user's unique ID ({old_id}) first" in line
    assert "leaves another user of the name alone" in line
    assert world.rollback("alice").steps[0].status is StepStatus.REFUSED


def test_status_says_an_unfinished_rollback_goes_on(world: World) -> None:
    # A rollback created alice again and could not finish (her group was gone): status
    # said the rollback "recreates it", while she exists, keyless's own.
    world.estate.add(Person("alice", groups=("admins",), inline={"deploy": READ_ONLY}))
    world.retire("alice")
    world.estate.iam.delete_group(GroupName="admins")
    world.rollback("alice")

    line = _status_line(world)

    assert "a rollback created it again" in line
    assert "goes on restoring it" in line
    assert "recreates it" not in line
