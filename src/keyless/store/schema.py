"""The history store's SQL schema, version 1 (published as docs/schemas/history-v1.sql;
a test fails when the two disagree).

Adding a table or a nullable column keeps version 1; anything else makes version 2 with a
migration. The version lives in SQLite's ``user_version`` header field, so a store written
by another version is recognised before any table is read.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Mapping
from types import MappingProxyType

VERSION = 1

#: The commands that record scans (the ``scans.command`` column's CHECK).
COMMANDS = ("scan", "collect")

#: Tables added to version 1 after its first release: a store written before lacks them,
#: and gains them the first time it records (reading it, they are simply empty).
#: ``suppressed_findings``: what the scan's configuration ignored, so that ``diff`` of two
#: recorded scans calls a finding a new ignore hides *suppressed*, never fixed.
ADDED_IN_1 = (
    """CREATE TABLE IF NOT EXISTS suppressed_findings (
    scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    check_id TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low', 'info')),
    account TEXT NOT NULL,
    resource TEXT NOT NULL,
    subject TEXT NOT NULL,
    message TEXT NOT NULL
)""",
    "CREATE INDEX IF NOT EXISTS suppressed_findings_by_scan ON suppressed_findings (scan_id)",
)
ADDED_TABLES = frozenset({"suppressed_findings"})

STATEMENTS = (
    """CREATE TABLE scans (
    id INTEGER PRIMARY KEY,
    recorded_at TEXT NOT NULL,
    scanned_at TEXT NOT NULL,
    collected_at TEXT,
    command TEXT NOT NULL CHECK (command IN ('scan', 'collect')),
    source TEXT NOT NULL,
    organization TEXT,
    complete INTEGER NOT NULL CHECK (complete IN (0, 1)),
    keyless_version TEXT NOT NULL
)""",
    """CREATE TABLE accounts (
    scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    account TEXT NOT NULL,
    label TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('scanned', 'failed', 'skipped')),
    error TEXT,
    PRIMARY KEY (scan_id, account)
)""",
    """CREATE TABLE users (
    scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    account TEXT NOT NULL,
    arn TEXT NOT NULL,
    name TEXT NOT NULL,
    console_access INTEGER NOT NULL CHECK (console_access IN (0, 1)),
    mfa_active INTEGER NOT NULL CHECK (mfa_active IN (0, 1))
)""",
    "CREATE INDEX users_by_scan ON users (scan_id, account)",
    """CREATE TABLE access_keys (
    scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    account TEXT NOT NULL,
    user_arn TEXT NOT NULL,
    slot INTEGER NOT NULL,
    key_id TEXT,
    active INTEGER NOT NULL CHECK (active IN (0, 1)),
    created TEXT,
    last_used TEXT
)""",
    "CREATE INDEX access_keys_by_scan ON access_keys (scan_id, account)",
    """CREATE TABLE findings (
    scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    check_id TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low', 'info')),
    account TEXT NOT NULL,
    resource TEXT NOT NULL,
    subject TEXT NOT NULL,
    message TEXT NOT NULL
)""",
    "CREATE INDEX findings_by_scan ON findings (scan_id, account)",
    """CREATE TABLE not_evaluated (
    scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    check_id TEXT NOT NULL,
    account TEXT NOT NULL,
    reason TEXT NOT NULL
)""",
    "CREATE INDEX not_evaluated_by_scan ON not_evaluated (scan_id)",
    *ADDED_IN_1,
)


@functools.cache
def expected_columns() -> Mapping[str, tuple[str, ...]]:
    """Each table of the schema and its columns, in order, as SQLite reports them."""
    db = sqlite3.connect(":memory:")
    try:
        for statement in STATEMENTS:
            db.execute(statement)
        tables = [
            row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        return MappingProxyType(
            {
                table: tuple(
                    row[1] for row in db.execute("SELECT * FROM pragma_table_info(?)", (table,))
                )
                for table in tables
            }
        )
    finally:
        db.close()


@functools.cache
def expected_sql() -> Mapping[str, str]:
    """Each table's and index's SQL as SQLite keeps it for a store keyless made (every
    version of keyless wrote these same statements; a store made before
    ``suppressed_findings`` gained it by the same statement), :func:`normalised`."""
    db = sqlite3.connect(":memory:")
    try:
        for statement in STATEMENTS:
            db.execute(statement)
        return MappingProxyType(
            {
                name: normalised(sql)
                for name, sql in db.execute(
                    "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL"
                )
            }
        )
    finally:
        db.close()


def normalised(sql: str) -> str:
    """``sql`` with its runs of white space made one space: the statement, however
    laid out."""
    return " ".join(sql.split())


#: The tables whose pages SQLite checks when a store is opened (``PRAGMA quick_check``):
#: all but the findings and suppressed findings. Checking the whole file of 100 recorded
#: scans of the messy benchmark account (2,500 users, 10,000 roles) cost as much as
#: ``keyless history`` itself (3 s), the findings' pages nearly all of it; these cost
#: about 6 % of it. ``history`` reads every page of the findings anyway (SQLite reports a
#: damaged one as it reads it), ``diff`` its two scans'.
PAGES_CHECKED = (
    "scans",
    "accounts",
    "users",
    "access_keys",
    "not_evaluated",
)


#: Every recorded scan, oldest first (by when its estate was collected).
SCANS_IN_ORDER = (
    "SELECT id, scanned_at, collected_at, command, source, complete FROM scans"
    " ORDER BY coalesce(collected_at, scanned_at), id"
)
