"""Scan results and records for the store tests, built from the shared in-memory builders."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from click.testing import CliRunner, Result

from keyless.cli import cli
from keyless.engine import ScanResult, run_checks
from keyless.model import Inventory
from keyless.store import ScanRecord, open_store, record_of_result
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


def two_scans(path: Path) -> Path:
    """A store at ``path`` holding two scans a week apart."""
    with open_store(path, create=True) as opened:
        opened.record(record())
        opened.record(record(days_later=7))
    return path


def edit(path: Path, *statements: str) -> None:
    """Run ``statements`` on the store's file as a person with sqlite3 would (CHECK
    constraints off: the readers must name a bad value themselves)."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA ignore_check_constraints = ON")
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()


def run_on(path: Path, command: list[str]) -> Result:
    """``keyless COMMAND --store PATH``."""
    return CliRunner().invoke(cli, [*command, "--store", str(path)])


def assert_damaged(result: Result, message: str) -> None:
    """The command refused the store as damaged (exit 2), saying ``message``."""
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "the history store is damaged" in result.stderr
    assert message in result.stderr
