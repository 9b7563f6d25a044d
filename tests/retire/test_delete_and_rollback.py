"""A user with everything DeleteUser cares about: removed in the order of the DeleteUser
API reference, then brought back by rollback with every restorable attribute equal to
what it was, and what cannot come back said."""

from __future__ import annotations

import pytest

from keyless.retire import StepStatus
from tests.retire.conftest import World
from tests.retire.estate import READ_ONLY, Key, Person, describe_user
from tests.retire.stubs import Boundaries, Calls

BOUNDARY = "arn:aws:iam::123456789012:policy/boundary"
CREDENTIAL = {
    "UserName": "alice",
    "Status": "Active",
    "ServiceUserName": "alice-at-123456789012",
    "ServiceSpecificCredentialId": "ACCAEXAMPLE123456789",
    "ServiceName": "codecommit.amazonaws.com",
}
ALICE = Person(
    "alice",
    path="/people/",
    keys=(Key(age=400, used=100), Key(age=500, used=None, active=False)),
    console=True,
    password_used=90,
    mfa=True,
    groups=("developers", "auditors"),
    policies=("read",),
    inline={"deploy": {**READ_ONLY, "Statement": [{**READ_ONLY["Statement"][0], "Sid": "x"}]}},
    tags=(("email", "alice@example.com"), ("team", "payments")),
    ssh_keys=2,
    certificates=1,
)


@pytest.fixture
def boundaries(world: World) -> Boundaries:
    found = Boundaries(world.estate.session, world.iam_stub)
    world.estate.policy("boundary")
    found.arns["alice"] = BOUNDARY
    return found


def _iam(world: World):  # a client made after the hooks: it sees the boundary
    return world.estate.session.client("iam")


def _retired(world: World) -> Calls:
    world.estate.add(ALICE)
    world.iam_stub.add_response(
        "ListServiceSpecificCredentials",
        {"ServiceSpecificCredentials": [{**CREDENTIAL, "CreateDate": world.now}]},
    )
    world.iam_stub.add_response(
        "DeleteServiceSpecificCredential",
        {},
        {
            "UserName": "alice",
            "ServiceSpecificCredentialId": CREDENTIAL["ServiceSpecificCredentialId"],
        },
    )
    world.retire("alice")
    world.reconnect()
    calls = Calls(world.estate.session)
    world.retire("alice", days=15)
    return calls


@pytest.mark.usefixtures("boundaries")
def test_everything_delete_user_refuses_goes_first_in_the_documented_order(world: World) -> None:
    calls = _retired(world)

    # https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteUser.html
    assert calls.names() == [
        "DeleteAccessKey",
        "DeleteAccessKey",
        "DeleteLoginProfile",
        "DeactivateMFADevice",
        "DeleteVirtualMFADevice",
        "DeleteSSHPublicKey",
        "DeleteSSHPublicKey",
        "DeleteSigningCertificate",
        "DeleteServiceSpecificCredential",
        "RemoveUserFromGroup",
        "RemoveUserFromGroup",
        "DetachUserPolicy",
        "DeleteUserPolicy",
        "DeleteUserPermissionsBoundary",
        "DeleteUser",
    ]


@pytest.mark.usefixtures("boundaries")
def test_every_change_names_the_user_it_acts_on(world: World) -> None:
    calls = _retired(world)

    for name, arguments in calls.changes():
        if name != "DeleteVirtualMFADevice":  # takes the device's serial only
            assert arguments["UserName"] == "alice", name


@pytest.mark.usefixtures("boundaries")
def test_rollback_restores_every_restorable_attribute(world: World) -> None:
    world.estate.add(ALICE)
    before = describe_user(_iam(world), "alice")
    world.retire("alice")
    world.retire("alice", days=15)

    report = world.rollback("alice", days=16)
    after = describe_user(_iam(world), "alice")

    assert report.exit_code == 0
    assert before["boundary"] == BOUNDARY
    assert all(
        before[f] for f in ("tags", "groups", "attached", "inline", "ssh_keys", "certificates")
    )
    for field in ("path", "tags", "boundary", "groups", "attached", "inline", "ssh_keys"):
        assert after[field] == before[field], field
    assert after["certificates"] == before["certificates"]


@pytest.mark.usefixtures("boundaries")
def test_rollback_says_what_cannot_come_back(world: World) -> None:
    world.estate.add(ALICE)
    world.retire("alice")
    world.retire("alice", days=15)

    report = world.rollback("alice", days=16)
    lost = " | ".join(what for _, _, what in report.lost)
    after = describe_user(_iam(world), "alice")

    assert (after["keys"], after["console"], after["mfa"]) == ([], False, [])
    assert world.key("alice.key1") in lost
    assert world.key("alice.key2") in lost
    assert "console password" in lost
    assert "arn:aws:iam::123456789012:mfa/alice" in lost
    assert "unique ID" in lost


@pytest.mark.usefixtures("boundaries")
def test_a_second_rollback_has_nothing_left_to_do(world: World) -> None:
    world.estate.add(ALICE)
    world.retire("alice")
    world.retire("alice", days=15)
    world.rollback("alice", days=16)

    again = world.rollback("alice", days=17)

    assert again.steps == ()


def test_rollback_reactivates_the_keys_keyless_deactivated(world: World) -> None:
    world.estate.add(Person("ci", keys=(Key(), Key(age=900, used=None, active=False))))
    world.retire("ci")

    report = world.rollback(days=1)

    assert [step.status for step in report.steps] == [StepStatus.DONE]
    assert describe_user(world.estate.iam, "ci")["keys"] == sorted(
        [(world.key("ci.key1"), "Active"), (world.key("ci.key2"), "Inactive")]
    )


def test_rollback_of_one_key_leaves_the_others_out_of_service(world: World) -> None:
    world.estate.add(Person("a", keys=(Key(),)), Person("b", keys=(Key(),)))
    world.retire("a", "b")

    world.rollback(keys=("a.key1",), days=1)

    assert describe_user(world.estate.iam, "a")["keys"][0][1] == "Active"
    assert describe_user(world.estate.iam, "b")["keys"][0][1] == "Inactive"


def test_a_dry_rollback_changes_nothing(world: World) -> None:
    world.estate.add(Person("ci", keys=(Key(),)))
    world.retire("ci")

    report = world.rollback(apply=False, days=1)

    assert [step.status for step in report.steps] == [StepStatus.PLANNED]
    assert describe_user(world.estate.iam, "ci")["keys"][0][1] == "Inactive"


def test_the_backup_holds_no_secret(world: World) -> None:
    world.estate.add(ALICE)
    world.retire("alice")
    world.retire("alice", days=15)

    stored = world.journal.read_bytes()

    assert world.estate.secrets
    assert not any(secret.encode() in stored for secret in world.estate.secrets)
    assert b"Pw-alice" not in stored
