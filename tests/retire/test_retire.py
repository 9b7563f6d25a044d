"""keyless retire against moto in-process: each stage, the refusals, and that nothing
outside the selection changes."""

from __future__ import annotations

from datetime import timedelta

from keyless.retire import StepStatus
from tests.retire.conftest import World
from tests.retire.estate import Key, Person, describe_user


def _statuses(report, kind: str) -> list[StepStatus]:
    return [step.status for step in report.steps if step.label == kind]


def test_a_dry_run_changes_nothing_and_writes_no_journal(world: World) -> None:
    world.estate.add(Person("alice", keys=(Key(age=400, used=100),)))
    before = describe_user(world.estate.iam, "alice")

    report = world.retire("alice", apply=False)

    assert _statuses(report, "deactivate-key") == [StepStatus.PLANNED]
    assert describe_user(world.estate.iam, "alice") == before
    assert not world.journal.exists()


def test_apply_deactivates_an_idle_key(world: World) -> None:
    world.estate.add(Person("alice", keys=(Key(age=400, used=100),)))

    report = world.retire("alice")

    assert _statuses(report, "deactivate-key") == [StepStatus.DONE]
    assert describe_user(world.estate.iam, "alice")["keys"] == [
        (world.key("alice.key1"), "Inactive")
    ]
    assert report.exit_code == 0


def test_a_key_used_within_min_idle_days_is_refused(world: World) -> None:
    world.estate.add(Person("alice", keys=(Key(age=400, used=2),)))

    report = world.retire("alice")

    assert _statuses(report, "deactivate-key") == [StepStatus.REFUSED]
    assert describe_user(world.estate.iam, "alice")["keys"][0][1] == "Active"
    assert report.exit_code == 1


def test_force_deactivates_the_named_key_despite_recent_use(world: World) -> None:
    world.estate.add(Person("alice", keys=(Key(age=400, used=2),)))

    report = world.retire("alice", force=("alice.key1",))

    assert _statuses(report, "deactivate-key") == [StepStatus.DONE]


def test_a_key_created_recently_and_never_used_is_refused(world: World) -> None:
    world.estate.add(Person("alice", keys=(Key(age=3, used=None),)))

    report = world.retire("alice")

    assert _statuses(report, "deactivate-key") == [StepStatus.REFUSED]
    assert "may not be in use yet" in report.steps[0].reason


def test_a_deactivated_key_waits_out_its_quarantine(world: World) -> None:
    world.estate.add(Person("alice", keys=(Key(age=400, used=100),)))
    world.retire("alice")

    report = world.retire("alice", days=10)

    assert _statuses(report, "delete-key") == [StepStatus.WAITING]
    assert describe_user(world.estate.iam, "alice") is not None


def test_after_the_quarantine_the_user_is_deleted(world: World) -> None:
    world.estate.add(Person("alice", keys=(Key(age=400, used=100),), console=True, mfa=True))
    world.retire("alice")

    report = world.retire("alice", days=15)

    assert describe_user(world.estate.iam, "alice") is None
    assert _statuses(report, "delete-user") == [StepStatus.DONE]
    assert report.exit_code == 0


def test_a_key_used_after_deactivation_is_refused_deletion(world: World) -> None:
    world.estate.add(Person("alice", keys=(Key(age=400, used=100),)))
    world.retire("alice")
    world.estate.use_key("alice.key1", world.now + timedelta(hours=1))

    report = world.retire("alice", days=15)

    assert _statuses(report, "delete-key") == [StepStatus.REFUSED]
    assert "rollback" in report.steps[0].reason
    assert describe_user(world.estate.iam, "alice")["keys"] == [
        (world.key("alice.key1"), "Inactive")
    ]


def test_a_key_found_inactive_starts_its_quarantine_when_first_seen(world: World) -> None:
    world.estate.add(Person("alice", keys=(Key(age=800, used=None, active=False),)))
    world.retire("alice")

    early = world.retire("alice", days=13)
    late = world.retire("alice", days=15)

    assert _statuses(early, "delete-key") == [StepStatus.WAITING]
    assert _statuses(late, "delete-key") == [StepStatus.DONE]


def test_a_dry_run_says_the_quarantine_of_a_key_found_inactive_starts_with_apply(
    world: World,
) -> None:
    # A dry run journals nothing: it said "its quarantine starts now; deletable from" two
    # weeks on, while the quarantine starts with the first --apply run (days later here).
    world.estate.add(Person("alice", keys=(Key(age=800, used=None, active=False),)))
    deletable = (world.now + timedelta(days=14)).date().isoformat()

    (dry,) = [s for s in world.retire("alice", apply=False).steps if s.label == "delete-key"]
    later = world.retire("alice", days=3)

    assert dry.reason == (
        "inactive, not by keyless: its 14-day quarantine starts with the first --apply run"
        f" that sees it (with --apply today, deletable from {deletable})"
    )
    (applied,) = [s for s in later.steps if s.label == "delete-key"]
    assert applied.reason.endswith(
        f"its quarantine starts now; deletable from {(world.now + timedelta(days=17)).date()}"
    )


def test_a_key_named_alone_goes_but_its_user_stays(world: World) -> None:
    world.estate.add(Person("ci", keys=(Key(age=400, used=100), Key(age=10, used=1))))
    world.retire(keys=("ci.key1",))

    report = world.retire(keys=("ci.key1",), days=15)

    assert _statuses(report, "delete-key") == [StepStatus.DONE]
    assert describe_user(world.estate.iam, "ci")["keys"] == [(world.key("ci.key2"), "Active")]


def test_an_unknown_key_is_refused(world: World) -> None:
    world.estate.add(Person("ci", keys=(Key(),)))

    report = world.retire(keys=("AKIAAAAAAAAAAAAAAAAA",))

    assert [step.status for step in report.steps] == [StepStatus.REFUSED]
    assert "no IAM user" in report.steps[0].reason


def test_a_console_password_used_recently_keeps_the_user(world: World) -> None:
    world.estate.add(Person("bob", console=True, password_used=3))

    report = world.retire("bob")

    assert _statuses(report, "user") == [StepStatus.REFUSED]
    assert describe_user(world.estate.iam, "bob")["console"] is True


def test_force_names_a_user_whose_password_was_used_recently(world: World) -> None:
    world.estate.add(Person("bob", console=True, password_used=3))

    world.retire("bob", force=("bob",))

    assert describe_user(world.estate.iam, "bob") is None


def test_a_user_that_does_not_exist_is_refused(world: World) -> None:
    report = world.retire("nobody")

    assert _statuses(report, "user") == [StepStatus.REFUSED]
    assert report.exit_code == 1


def test_only_the_selected_user_changes(world: World) -> None:
    world.estate.add(
        Person("alice", keys=(Key(),), groups=("devs",), policies=("read",), console=True),
        Person("bob", keys=(Key(),), groups=("devs",), policies=("read",), console=True),
    )
    bob = describe_user(world.estate.iam, "bob")
    world.retire("alice")

    world.retire("alice", days=15)

    assert describe_user(world.estate.iam, "alice") is None
    assert describe_user(world.estate.iam, "bob") == bob


def test_max_actions_caps_the_changes_of_a_run(world: World) -> None:
    world.estate.add(*(Person(f"u{n}", keys=(Key(),)) for n in range(3)))

    report = world.retire("u0", "u1", "u2", max_actions=2)

    assert _statuses(report, "deactivate-key") == [
        StepStatus.DONE,
        StepStatus.DONE,
        StepStatus.DEFERRED,
    ]
    assert describe_user(world.estate.iam, "u2")["keys"][0][1] == "Active"


def test_a_user_retirement_larger_than_the_cap_is_not_started(world: World) -> None:
    world.estate.add(Person("alice", keys=(Key(),), groups=("a", "b", "c")))
    world.retire("alice")

    report = world.retire("alice", days=15, max_actions=3)

    assert {step.status for step in report.steps} == {StepStatus.DEFERRED}
    assert describe_user(world.estate.iam, "alice")["groups"] == ["a", "b", "c"]


def test_a_failed_change_stops_that_user_and_the_next_run_finishes(world: World) -> None:
    world.estate.add(Person("alice", groups=("devs",)))
    world.iam_stub.add_response(
        "ListServiceSpecificCredentials",
        {
            "ServiceSpecificCredentials": [
                {
                    "UserName": "alice",
                    "Status": "Active",
                    "ServiceUserName": "alice-at-123456789012",
                    "CreateDate": world.now,
                    "ServiceSpecificCredentialId": "ACCAEXAMPLE123456789",
                    "ServiceName": "codecommit.amazonaws.com",
                }
            ]
        },
    )
    world.iam_stub.add_error("DeleteServiceSpecificCredential", "AccessDenied", "not allowed")

    first = world.retire("alice")
    second = world.retire("alice")

    assert _statuses(first, "delete-service-specific-credential") == [StepStatus.FAILED]
    assert _statuses(first, "remove-from-group") == [StepStatus.SKIPPED]
    assert first.exit_code == 1
    assert describe_user(world.estate.iam, "alice") is None
    assert _statuses(second, "backup-user") == []
