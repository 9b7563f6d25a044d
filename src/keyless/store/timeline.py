"""The history of a store: per recorded scan, what each account counted (users, console
users, active keys, findings by severity, suppressed findings), which accounts were not
read, and whether the scan was complete. :class:`~keyless.store.database.Store` reads it
with :func:`read_history`; every value is checked as :mod:`keyless.store.rows` checks it.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable
from types import MappingProxyType

from keyless.errors import InputError
from keyless.store.counts import account_counts
from keyless.store.history import Counts, History, HistoryPoint
from keyless.store.integrity import check_history_rows
from keyless.store.record import NOT_SELECTED
from keyless.store.rows import Cells
from keyless.store.schema import COMMANDS, SCANS_IN_ORDER


def read_history(
    db: sqlite3.Connection,
    damaged: Callable[[str], InputError],
    where: str,
    account: str | None,
    limit: int | None,
    *,
    suppressed_kept: bool,
) -> History:
    """Counts per recorded scan (the last ``limit`` scans), per account and overall; with
    ``account``, that account's only. ``damaged`` makes the error for a value edited into
    something else; ``suppressed_kept`` says the store has the suppressed findings' table
    (else their counts are unknown, not zero)."""
    scans = list(db.execute(SCANS_IN_ORDER))
    if limit is not None:
        scans = scans[-limit:] if limit > 0 else []
    wanted = {row[0] for row in scans}
    only = (account, account)  # (? IS NULL OR account = ?): every account, or one
    reader = Cells(damaged, "a scan")
    counts = account_counts(db, only, reader.severity, damaged, suppressed_kept=suppressed_kept)
    labels: dict[str, str] = {}
    statuses: dict[int, list[tuple[str, str]]] = defaultdict(list)
    scanned_in: set[tuple[int, str]] = set()
    for scan_id, account_id, label, status in db.execute(
        "SELECT scan_id, account, label, status FROM accounts"
        " WHERE (? IS NULL OR account = ?) ORDER BY scan_id",
        only,
    ):
        cell = Cells(damaged, f"scan {scan_id}")
        account_id = cell.text(account_id, "accounts.account")
        labels[account_id] = cell.text(label, "accounts.label")
        status = cell.status(status, "accounts.status")
        if status == "scanned":
            scanned_in.add((scan_id, account_id))
        if scan_id in wanted:
            statuses[scan_id].append((account_id, status))
    # What is counted on no account read may only be an organization check's findings on
    # its management account, left out of the scan: anything else is refused, and those
    # are counted in the scan's total, never dropped.
    unread = [key for key in counts if key not in scanned_in]
    check_history_rows(db, damaged, unread, suppressed_kept=suppressed_kept, where=where)
    outside: dict[int, Counts] = {}
    for scan_id, account_id in unread:
        found = counts[(scan_id, account_id)]
        outside[scan_id] = outside[scan_id] + found if scan_id in outside else found
    # A scan limited with --checks found only what its checks find: its totals are a
    # lower bound, as an incomplete scan's, never a drop that did not happen.
    limited = {
        row[0]
        for row in db.execute(
            "SELECT DISTINCT scan_id FROM not_evaluated WHERE reason = ?", (NOT_SELECTED,)
        )
    }
    points = []
    for scan_id, scanned_at, collected_at, command, source, complete in scans:
        cell = Cells(damaged, f"scan {scan_id}")
        read = {
            a: counts.get((scan_id, a), Counts(suppressed=0 if suppressed_kept else None))
            for a, s in statuses[scan_id]
            if s == "scanned"
        }
        scanned = cell.date(scanned_at, "scans.scanned_at")
        at = cell.optional_date(collected_at, "scans.collected_at") or scanned
        points.append(
            HistoryPoint(
                scan_id=scan_id,
                at=at,
                command=cell.choice(command, "scans.command", COMMANDS),
                source=cell.text(source, "scans.source"),
                complete=cell.flag(complete, "scans.complete") and scan_id not in limited,
                accounts=MappingProxyType(read),
                unread=tuple(a for a, s in statuses[scan_id] if s != "scanned"),
                outside=outside.get(scan_id, Counts(suppressed=0 if suppressed_kept else None)),
            )
        )
    return History(tuple(points), MappingProxyType(labels), where, account)
