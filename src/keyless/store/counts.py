"""The history's counts, per recorded scan and account, read from the store in a few
grouped queries: users, console users, active keys, findings by severity, and the findings
the scan's configuration suppressed.

Suppressed findings are counted apart from the reported ones, so that a debt that goes
down because a broad ``[[ignore]]`` hides it shows as *suppressed*, never as fixed. A
store written before keyless kept them (no ``suppressed_findings`` table) has no such
count: it is unknown (``None``), not zero.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable, Mapping
from types import MappingProxyType

from keyless.errors import InputError, quoted
from keyless.findings import Severity
from keyless.store.history import Counts

#: The reader of a stored severity (a store is a file anyone may have edited).
SeverityReader = Callable[[object, str], Severity]

Key = tuple[int, str]


def account_counts(
    db: sqlite3.Connection,
    only: tuple[str | None, str | None],
    severity: SeverityReader,
    damaged: Callable[[str], InputError],
    *,
    suppressed_kept: bool,
) -> Mapping[Key, Counts]:
    """Per (scan, account): users, console users, active keys, findings by severity and,
    when ``suppressed_kept`` (the store has the table), the suppressed findings.
    ``damaged`` makes the error for a user or key listed twice."""
    # A user listed twice in a scan (or a user's key slot) would be counted twice: the
    # collectors refuse a user listed twice, so keyless never writes one (the length
    # makes the key's pair unambiguous).
    users: dict[Key, tuple[int, int]] = {}
    for scan, account, total, console, distinct in db.execute(
        "SELECT scan_id, account, count(*), sum(console_access = 1), count(DISTINCT arn)"
        " FROM users WHERE (? IS NULL OR account = ?) GROUP BY scan_id, account",
        only,
    ):
        if distinct != total:
            raise damaged(f"scan {scan} has a user listed twice ({quoted(account, 40)})")
        users[(scan, account)] = (total, console or 0)
    keys: dict[Key, int] = {}
    for scan, account, active, total, distinct in db.execute(
        "SELECT scan_id, account, sum(active = 1), count(*),"
        " count(DISTINCT length(user_arn) || ':' || user_arn || ':' || slot)"
        " FROM access_keys WHERE (? IS NULL OR account = ?) GROUP BY scan_id, account",
        only,
    ):
        if distinct != total:
            raise damaged(
                f"scan {scan} has an access key twice in one slot ({quoted(account, 40)})"
            )
        keys[(scan, account)] = active or 0
    suppressed = (
        _grouped(
            db,
            "SELECT scan_id, account, count(*) FROM suppressed_findings"
            " WHERE (? IS NULL OR account = ?) GROUP BY scan_id, account",
            only,
        )
        if suppressed_kept
        else {}
    )
    findings: dict[Key, dict[Severity, int]] = defaultdict(dict)
    for scan, account, level, number in db.execute(
        "SELECT scan_id, account, severity, count(*) FROM findings"
        " WHERE (? IS NULL OR account = ?) GROUP BY scan_id, account, severity",
        only,
    ):
        findings[(scan, account)][severity(level, "findings.severity")] = number
    result = {}
    for key in set(users) | set(keys) | set(findings) | set(suppressed):
        total, console = users.get(key, (0, 0))
        by_severity = findings.get(key, {})
        result[key] = Counts(
            users=total,
            console_users=console,
            active_keys=keys.get(key, 0),
            findings=MappingProxyType({s: by_severity.get(s, 0) for s in Severity}),
            suppressed=suppressed.get(key, 0) if suppressed_kept else None,
        )
    return result


def _grouped(
    db: sqlite3.Connection, query: str, only: tuple[str | None, str | None]
) -> dict[Key, int]:
    return {(scan, account): number for scan, account, number in db.execute(query, only)}
