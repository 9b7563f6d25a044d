"""Scan results and records for the store tests, built from the shared in-memory builders."""

from __future__ import annotations

from datetime import datetime, timedelta

from keyless.engine import ScanResult, run_checks
from keyless.model import Inventory
from keyless.store import ScanRecord, record_of_result
from tests.builders import (
    NOW,
    OTHER_ACCOUNT_ID,
    make_account,
    make_inventory,
    make_key,
    make_user,
)


def estate(*, users: int = 3, collected_at: datetime = NOW) -> Inventory:
    """Two accounts: ``users`` CI users with an old key each in the first, one console
    user without MFA in the second (ages counted from NOW)."""
    ci = [make_user(f"ci-{n}", keys=[make_key(age_days=400 + n)]) for n in range(users)]
    person = make_user("bob", account_id=OTHER_ACCOUNT_ID, console=True)
    return make_inventory(
        make_account(users=ci), make_account(OTHER_ACCOUNT_ID, users=[person]), now=collected_at
    )


def scan(inventory: Inventory, now: datetime = NOW) -> ScanResult:
    """The checks run over ``inventory`` at ``now``."""
    return run_checks(inventory, now=now)


def record(*, users: int = 3, days_later: int = 0) -> ScanRecord:
    """The record of a scan of :func:`estate` taken ``days_later`` days after NOW."""
    now = NOW + timedelta(days=days_later)
    return record_of_result(scan(estate(users=users, collected_at=now), now=now))
