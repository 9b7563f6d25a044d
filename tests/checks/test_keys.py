"""key-not-rotated, key-unused, key-two-active."""

from __future__ import annotations

import pytest

from keyless.config import Thresholds
from tests.builders import make_key, make_user
from tests.checks.support import findings, scan


@pytest.mark.parametrize(
    ("age_days", "fires"),
    [(10, False), (89, False), (90, False), (90.9, False), (91, True), (412, True)],
)
def test_key_not_rotated_fires_only_past_90_days(age_days: float, fires: bool) -> None:
    user = make_user(keys=[make_key(age_days=age_days)])
    assert bool(findings("key-not-rotated", user)) is fires


def test_key_not_rotated_message_names_key_user_age_and_limit() -> None:
    user = make_user("alice", keys=[make_key(slot=1, age_days=412)])
    (finding,) = findings("key-not-rotated", user)
    assert finding.message == "access key 1 of alice is 412 days old (limit 90)"
    assert finding.resource == user.arn
    assert finding.severity == "high"
    assert finding.evidence["age_days"] == 412
    assert finding.evidence["created"].startswith("2024-")


def test_key_not_rotated_ignores_inactive_keys() -> None:
    user = make_user(keys=[make_key(active=False, age_days=500)])
    assert findings("key-not-rotated", user) == ()


def test_key_not_rotated_does_not_pass_keys_of_unknown_age() -> None:
    user = make_user(keys=[make_key(age_days=None)])
    result = scan("key-not-rotated", user)
    assert tuple(result.findings) == ()
    assert result.check_runs[0].status == "not_evaluated"


def test_key_not_rotated_reports_each_old_key() -> None:
    user = make_user(keys=[make_key(1, age_days=200), make_key(2, age_days=300)])
    assert [f.evidence["slot"] for f in findings("key-not-rotated", user)] == [1, 2]


def test_key_not_rotated_uses_configured_limit() -> None:
    user = make_user(keys=[make_key(age_days=40)])
    (finding,) = findings("key-not-rotated", user, Thresholds(key_max_age_days=30))
    assert "(limit 30)" in finding.message


@pytest.mark.parametrize(
    ("age_days", "last_used_days", "fires"),
    [
        (400, 1, False),
        (400, 45, False),
        (400, 46, True),
        (400, 200, True),
        (7, None, False),
        (8, None, True),
        (3, None, False),
        (None, None, False),
    ],
)
def test_key_unused_boundaries(
    age_days: float | None, last_used_days: float | None, fires: bool
) -> None:
    user = make_user(keys=[make_key(age_days=age_days, last_used_days=last_used_days)])
    assert bool(findings("key-unused", user)) is fires


def test_key_unused_message_for_idle_key() -> None:
    user = make_user("bob", keys=[make_key(slot=2, age_days=400, last_used_days=120)])
    (finding,) = findings("key-unused", user)
    assert finding.message == "access key 2 of bob was last used 120 days ago (limit 45)"
    assert finding.evidence["idle_days"] == 120


def test_key_unused_message_for_never_used_key() -> None:
    user = make_user("bob", keys=[make_key(age_days=30, last_used_days=None)])
    (finding,) = findings("key-unused", user)
    assert finding.message == "access key 1 of bob has never been used and is 30 days old (grace 7)"
    assert finding.evidence["last_used"] is None


def test_key_unused_ignores_inactive_keys() -> None:
    user = make_user(keys=[make_key(active=False, age_days=400, last_used_days=300)])
    assert findings("key-unused", user) == ()


@pytest.mark.parametrize(
    ("thresholds", "fires"),
    [
        (Thresholds(key_unused_days=10), True),
        (Thresholds(key_unused_days=20), False),
    ],
)
def test_key_unused_uses_configured_limit(thresholds: Thresholds, fires: bool) -> None:
    user = make_user(keys=[make_key(age_days=400, last_used_days=15)])
    assert bool(findings("key-unused", user, thresholds)) is fires


def test_key_unused_uses_configured_grace() -> None:
    user = make_user(keys=[make_key(age_days=5, last_used_days=None)])
    assert findings("key-unused", user, Thresholds(key_never_used_grace_days=2))


@pytest.mark.parametrize(
    ("keys", "fires"),
    [
        ([], False),
        ([make_key(1)], False),
        ([make_key(1), make_key(2, active=False)], False),
        ([make_key(1), make_key(2)], True),
    ],
)
def test_key_two_active(keys: list, fires: bool) -> None:
    assert bool(findings("key-two-active", make_user(keys=keys))) is fires


def test_key_two_active_message_and_evidence() -> None:
    user = make_user("carol", keys=[make_key(1), make_key(2)])
    (finding,) = findings("key-two-active", user)
    assert finding.message == "carol has 2 active access keys"
    assert finding.evidence["slots"] == (1, 2)
    assert finding.severity == "medium"
