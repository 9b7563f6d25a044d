"""A user's retirement that stops halfway (a change AWS refused) leaves the user with a
backup; the next run finishes it without taking another. Whatever the user was given
between the two runs (a group, an attached or inline policy, a tag, an SSH key) was
removed by that run with no backup holding it: the rollback recreated the user without
it, and did not say it was lost. A run now takes a new backup whenever the user holds
something its backup lacks, holding both what the earlier one recorded (removed by the
run that stopped) and what the user holds now, so the rollback brings all of it back."""

from __future__ import annotations

import json

from keyless.retire import StepStatus
from tests.retire.conftest import World
from tests.retire.estate import READ_ONLY, Person, describe_user

CREDENTIAL = {
    "UserName": "alice",
    "Status": "Active",
    "ServiceUserName": "alice-at-123456789012",
    "ServiceSpecificCredentialId": "ACCAEXAMPLE123456789",
    "ServiceName": "codecommit.amazonaws.com",
}
EXTRA = {**READ_ONLY, "Statement": [{**READ_ONLY["Statement"][0], "Sid": "extra"}]}


def _statuses(report, kind: str) -> list[StepStatus]:
    return [step.status for step in report.steps if step.label == kind]


def _stopped_halfway(world: World) -> None:
    """alice's retirement stops at her service-specific credential (AWS refuses its
    deletion), after her backup was taken."""
    world.estate.add(Person("alice", groups=("devs",), inline={"deploy": READ_ONLY}))
    world.iam_stub.add_response(
        "ListServiceSpecificCredentials",
        {"ServiceSpecificCredentials": [{**CREDENTIAL, "CreateDate": world.now}]},
    )
    world.iam_stub.add_error("DeleteServiceSpecificCredential", "AccessDenied", "not allowed")
    first = world.retire("alice")
    assert _statuses(first, "backup-user") == [StepStatus.DONE]
    assert _statuses(first, "delete-service-specific-credential") == [StepStatus.FAILED]
    assert describe_user(world.estate.iam, "alice") is not None


def test_what_the_user_was_given_after_its_backup_is_rolled_back(world: World) -> None:
    _stopped_halfway(world)
    iam = world.estate.iam
    iam.create_group(GroupName="admins")
    iam.add_user_to_group(GroupName="admins", UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="extra", PolicyDocument=json.dumps(EXTRA))
    iam.tag_user(UserName="alice", Tags=[{"Key": "team", "Value": "payments"}])

    second = world.retire("alice")
    assert _statuses(second, "backup-user") == [StepStatus.DONE]
    assert describe_user(iam, "alice") is None

    world.rollback("alice")
    restored = describe_user(iam, "alice")
    assert restored is not None
    assert restored["groups"] == ["admins", "devs"]
    assert restored["inline"] == {"deploy": READ_ONLY, "extra": EXTRA}
    assert restored["tags"] == [("team", "payments")]


def test_a_user_given_nothing_new_keeps_its_backup(world: World) -> None:
    _stopped_halfway(world)

    second = world.retire("alice")

    assert _statuses(second, "backup-user") == []
    assert describe_user(world.estate.iam, "alice") is None
    world.rollback("alice")
    assert describe_user(world.estate.iam, "alice")["groups"] == ["devs"]


def _rolled_back_from_two_backups(world: World) -> None:
    """alice's retirement stopped, she was given a group, a second run took a second
    backup (holding both) and deleted her, and the rollback restored her from it."""
    _stopped_halfway(world)
    iam = world.estate.iam
    iam.create_group(GroupName="admins")
    iam.add_user_to_group(GroupName="admins", UserName="alice")
    second = world.retire("alice")
    assert _statuses(second, "backup-user") == [StepStatus.DONE]
    world.rollback("alice")
    assert describe_user(iam, "alice")["groups"] == ["admins", "devs"]


def test_a_rollback_restores_the_backups_the_latest_holds(world: World) -> None:
    # The restored backup held the earlier one: both are restored. The earlier one was
    # left "unrestored", and a second rollback restored it again, giving back a group and
    # a policy a person had taken away from alice since.
    _rolled_back_from_two_backups(world)
    iam = world.estate.iam
    iam.remove_user_from_group(GroupName="devs", UserName="alice")
    iam.delete_user_policy(UserName="alice", PolicyName="deploy")

    again = world.rollback("alice")

    assert [s for s in again.steps if s.status is StepStatus.DONE] == []
    after = describe_user(iam, "alice")
    assert after["groups"] == ["admins"]
    assert after["inline"] == {}
    watched = world.status().users
    assert len(watched) == 2
    assert all(user.restored is not None for user in watched)
