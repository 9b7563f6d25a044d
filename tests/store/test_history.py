"""Counting recorded scans over time: per account, overall, and honest about accounts
that could not be read."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from keyless.findings import Severity
from keyless.model import AccountStatus
from keyless.store import open_store
from keyless.store.record import record_of_result
from tests.builders import ACCOUNT_ID, OTHER_ACCOUNT_ID, make_account, make_inventory
from tests.store.support import estate, record, scan


def test_counts_per_account_and_overall(tmp_path: Path) -> None:
    original = record(users=3)
    with open_store(tmp_path / "h.db", create=True) as store:
        store.record(original)
        (point,) = store.history().points
    ci, people = point.accounts[ACCOUNT_ID], point.accounts[OTHER_ACCOUNT_ID]
    assert (ci.users, ci.active_keys, ci.console_users) == (3, 3, 0)
    assert (people.users, people.active_keys, people.console_users) == (1, 0, 1)
    for severity in Severity:
        expected = sum(1 for f in original.findings if f.severity is severity)
        assert point.total.findings[severity] == expected
    assert point.total.users == 4


def test_points_are_in_time_order_with_their_numbers(tmp_path: Path) -> None:
    with open_store(tmp_path / "h.db", create=True) as store:
        late = store.record(record(users=1, days_later=14))
        early = store.record(record(users=5, days_later=0))
        history = store.history()
    assert [p.scan_id for p in history.points] == [early, late]
    assert [p.total.users for p in history.points] == [6, 2]


def test_one_account_only(tmp_path: Path) -> None:
    with open_store(tmp_path / "h.db", create=True) as store:
        store.record(record())
        history = store.history(account=OTHER_ACCOUNT_ID)
    assert set(history.labels) == {OTHER_ACCOUNT_ID}
    assert history.points[0].total.users == 1


def test_an_unread_account_has_no_counts_in_that_scan(tmp_path: Path) -> None:
    inventory = estate()
    failed = replace(
        inventory,
        accounts=(
            inventory.accounts[0],
            make_account(OTHER_ACCOUNT_ID, status=AccountStatus.FAILED, error="AccessDenied"),
        ),
    )
    with open_store(tmp_path / "h.db", create=True) as store:
        store.record(record_of_result(scan(failed)))
        (point,) = store.history().points
    assert OTHER_ACCOUNT_ID not in point.accounts
    assert point.unread == (OTHER_ACCOUNT_ID,)
    assert not point.complete


def test_the_last_scans_only(tmp_path: Path) -> None:
    with open_store(tmp_path / "h.db", create=True) as store:
        for day in range(5):
            store.record(record(days_later=day))
        assert [p.scan_id for p in store.history(limit=2).points] == [4, 5]


def test_an_empty_account_counts_zero(tmp_path: Path) -> None:
    empty = record_of_result(scan(make_inventory(make_account(users=[]))))
    with open_store(tmp_path / "h.db", create=True) as store:
        store.record(empty)
        (point,) = store.history().points
    assert point.accounts[ACCOUNT_ID].users == 0
