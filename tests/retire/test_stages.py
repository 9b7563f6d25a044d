"""The stage decisions as a pure function of a user's state, the journal's memory and
the thresholds; and what "done" looks like for each action (how a resumed run settles
one an interrupted run left unrecorded)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

import pytest

from keyless.retire.effects import holds
from keyless.retire.model import (
    Action,
    ActionKind,
    KeyState,
    MfaState,
    StepStatus,
    UserAttributes,
    UserState,
)
from keyless.retire.records import Backup, Quarantine
from keyless.retire.selection import Force, Target
from keyless.retire.stages import Policy, decide

NOW = datetime(2026, 3, 1, tzinfo=UTC)
ACCOUNT = "123456789012"
KEY = "AKIAIOSFODNN7EXAMPLE"
SERIAL = f"arn:aws:iam::{ACCOUNT}:mfa/alice"


class Memory:
    def __init__(
        self, quarantined: dict[str, datetime] | None = None, backup_of: str | None = None
    ) -> None:
        self.quarantined = quarantined or {}
        self.backup_of = backup_of

    def quarantine(self, account: str, key_id: str) -> Quarantine | None:
        since = self.quarantined.get(key_id)
        return Quarantine(account, key_id, "alice", since, True, None) if since else None

    def open_backup(self, account: str, user: str) -> Backup | None:
        if self.backup_of is None:
            return None
        document = MappingProxyType({"user_id": self.backup_of})
        return Backup(1, account, user, NOW, document, None)


def _days(n: float) -> datetime:
    return NOW - timedelta(days=n)


def _user(*keys: KeyState, **fields: object) -> UserState:
    state = UserState(ACCOUNT, "alice", True, user_id="AIDAEXAMPLE1", keys=keys)
    return replace(state, **fields)  # type: ignore[arg-type]


def _target(**fields: object) -> Target:
    return replace(Target(ACCOUNT, "alice", None, True, "--user alice"), **fields)  # type: ignore[arg-type]


def _kinds(decision) -> list[str]:
    return [step.label for step in decision.steps if step.status is StepStatus.PLANNED]


def test_an_idle_key_is_deactivated() -> None:
    state = _user(KeyState(KEY, True, _days(400), _days(100)))

    decision = decide(_target(), state, Memory(), Policy(), NOW)

    assert _kinds(decision) == ["deactivate-key"]
    assert decision.steps[0].reason == "last used 100 days ago"


def test_the_plan_keeps_a_key_that_is_still_needed_even_when_forced() -> None:
    state = _user(KeyState(KEY, True, _days(400), _days(100)))
    target = _target(blockers=("the workflows of example/app still pass this key",))

    decision = decide(target, state, Memory(), Policy(force=Force(keys=frozenset({KEY}))), NOW)

    assert decision.steps[0].status is StepStatus.REFUSED
    assert "still needed" in decision.steps[0].reason


def test_a_key_on_its_last_quarantine_day_waits() -> None:
    state = _user(KeyState(KEY, False, _days(400), _days(100)))

    decision = decide(_target(), state, Memory({KEY: _days(13.9)}), Policy(), NOW)

    assert [s.status for s in decision.steps] == [StepStatus.WAITING, StepStatus.WAITING]


def test_after_its_quarantine_a_user_with_everything_goes_in_delete_user_order() -> None:
    attributes = UserAttributes(
        mfa_devices=(MfaState(SERIAL), MfaState("GAHT12345678")),
        groups=("devs",),
        attached_policies=(f"arn:aws:iam::{ACCOUNT}:policy/read",),
    )
    state = _user(
        KeyState(KEY, False, _days(400), _days(100)),
        login_profile=True,
        boundary=f"arn:aws:iam::{ACCOUNT}:policy/boundary",
        attributes=attributes,
    )

    decision = decide(_target(), state, Memory({KEY: _days(15)}), Policy(), NOW)

    assert decision.chain
    assert _kinds(decision) == [
        "backup-user",
        "delete-key",
        "delete-login-profile",
        "deactivate-mfa-device",
        "delete-virtual-mfa-device",
        "deactivate-mfa-device",  # a hardware device is deactivated, not deleted
        "remove-from-group",
        "detach-user-policy",
        "delete-permissions-boundary",
        "delete-user",
    ]


def test_without_its_attributes_a_retirement_asks_for_them() -> None:
    state = _user(KeyState(KEY, False, _days(400), _days(100)))

    decision = decide(_target(), state, Memory({KEY: _days(15)}), Policy(), NOW)

    assert decision.needs_attributes


def test_a_retirement_that_was_interrupted_keeps_its_backup() -> None:
    state = _user(attributes=UserAttributes())

    decision = decide(_target(), state, Memory(backup_of="AIDAEXAMPLE1"), Policy(), NOW)

    assert _kinds(decision) == ["delete-user"]


def test_a_user_created_again_outside_keyless_gets_a_new_backup() -> None:
    state = _user(attributes=UserAttributes())

    decision = decide(_target(), state, Memory(backup_of="AIDAOLDUSERID"), Policy(), NOW)

    assert _kinds(decision) == ["backup-user", "delete-user"]


def test_a_virtual_device_left_deactivated_by_a_crash_is_deleted() -> None:
    state = _user(attributes=UserAttributes(leftover_virtual_mfa=(SERIAL,)))

    decision = decide(_target(), state, Memory(backup_of="AIDAEXAMPLE1"), Policy(), NOW)

    assert _kinds(decision) == ["delete-virtual-mfa-device", "delete-user"]


def test_a_key_not_selected_keeps_its_user() -> None:
    state = _user(KeyState(KEY, True, _days(400), _days(1)), KeyState("AKIA" + "B" * 16, False))
    target = _target(key_ids=("AKIA" + "B" * 16,))

    decision = decide(target, state, Memory({"AKIA" + "B" * 16: _days(20)}), Policy(), NOW)

    assert decision.steps[-1].label == "user"
    assert decision.steps[-1].status is StepStatus.WAITING
    assert "not selected" in decision.steps[-1].reason


GONE = UserState(ACCOUNT, "alice", exists=False)
WITH_KEY = _user(KeyState(KEY, False), attributes=UserAttributes(groups=("devs",)))


@pytest.mark.parametrize(
    ("kind", "target", "state", "expected"),
    [
        (ActionKind.DEACTIVATE_KEY, KEY, WITH_KEY, True),
        (ActionKind.REACTIVATE_KEY, KEY, WITH_KEY, False),
        (ActionKind.DELETE_KEY, KEY, WITH_KEY, False),
        (ActionKind.DELETE_KEY, KEY, GONE, True),
        (ActionKind.REMOVE_FROM_GROUP, "devs", WITH_KEY, False),
        (ActionKind.REMOVE_FROM_GROUP, "ops", WITH_KEY, True),
        (ActionKind.ADD_TO_GROUP, "devs", WITH_KEY, True),
        (ActionKind.DELETE_USER, "", WITH_KEY, False),
        (ActionKind.DELETE_USER, "", GONE, True),
        (ActionKind.CREATE_USER, "", GONE, False),
        (ActionKind.CREATE_USER, "", WITH_KEY, True),
        (ActionKind.BACKUP_USER, "", WITH_KEY, False),
    ],
)
def test_an_effect_holds_exactly_when_aws_shows_it(
    kind: ActionKind, target: str, state: UserState, expected: bool
) -> None:
    assert holds(Action(kind, ACCOUNT, "alice", target), state) is expected
