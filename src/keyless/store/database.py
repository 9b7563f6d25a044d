"""The local history store: recorded scans in one SQLite file.

SQLite (the standard library's ``sqlite3``) because it is one file, needs no server, and
gives transactions: every scan is written in a single transaction, so a process killed
mid-write leaves the store as it was before (SQLite's rollback journal restores it on the
next open: https://www.sqlite.org/atomiccommit.html). Nothing secret is ever stored (see
:mod:`keyless.store.record`).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType, TracebackType
from typing import Any

from keyless.dates import iso
from keyless.errors import InputError
from keyless.findings import Severity
from keyless.store.history import Counts, History, HistoryPoint
from keyless.store.record import (
    AccountRecord,
    FindingRecord,
    KeyRecord,
    NotEvaluatedRecord,
    ScanRecord,
    UserRecord,
)
from keyless.store.schema import STATEMENTS, VERSION

#: Where ``--record`` keeps scans unless ``--store`` says otherwise.
DEFAULT_STORE = Path(".keyless") / "history.sqlite3"
COMMANDS = ("scan", "collect")
_BUSY_TIMEOUT_SECONDS = 30.0


class Store:
    """A history store on an open SQLite connection (see :func:`open_store`)."""

    def __init__(self, connection: sqlite3.Connection, where: str = "the store") -> None:
        self._db = connection
        self._db.isolation_level = None  # transactions are begun and ended explicitly
        self.where = where
        try:
            self._db.execute("PRAGMA foreign_keys = ON")
            self._prepare()
        except sqlite3.DatabaseError as error:
            raise InputError(f"not a keyless history store ({error})", where=where) from None

    def _prepare(self) -> None:
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        if version == VERSION:
            return
        tables = self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if version == 0 and tables == 0:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for statement in STATEMENTS:
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {VERSION}")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            return
        raise InputError(
            f"not a keyless history store of version {VERSION} (user_version {version})",
            where=self.where,
            hint="Record into a new store with --store PATH.",
        )

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def record(
        self, record: ScanRecord, *, command: str = "scan", recorded_at: datetime | None = None
    ) -> int:
        """Add ``record`` as a new scan, whole or not at all. Returns its ID."""
        if command not in COMMANDS:
            raise ValueError(f"command must be one of {COMMANDS}")
        self._db.execute("BEGIN IMMEDIATE")
        try:
            scan_id = self._insert(record, command, recorded_at or datetime.now(UTC))
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return scan_id

    def _insert(self, record: ScanRecord, command: str, recorded_at: datetime) -> int:
        cursor = self._db.execute(
            "INSERT INTO scans (recorded_at, scanned_at, collected_at, command, source,"
            " organization, complete, keyless_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                iso(recorded_at),
                iso(record.scanned_at),
                iso(record.collected_at),
                command,
                record.source,
                record.organization,
                int(record.complete),
                record.keyless_version,
            ),
        )
        scan_id = cursor.lastrowid
        if scan_id is None:  # pragma: no cover - an INSERT into a rowid table always has one
            raise RuntimeError("SQLite returned no row ID")
        many = self._db.executemany
        many(
            "INSERT INTO accounts VALUES (?, ?, ?, ?, ?)",
            ((scan_id, a.id, a.label, a.status, a.error) for a in record.accounts),
        )
        many(
            "INSERT INTO users VALUES (?, ?, ?, ?, ?, ?)",
            (
                (scan_id, u.account, u.arn, u.name, int(u.console_access), int(u.mfa_active))
                for u in record.users
            ),
        )
        many(
            "INSERT INTO access_keys VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    scan_id,
                    k.account,
                    k.user_arn,
                    k.slot,
                    k.key_id,
                    int(k.active),
                    iso(k.created),
                    iso(k.last_used),
                )
                for k in record.keys
            ),
        )
        many(
            "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (scan_id, f.check, f.severity.value, f.account, f.resource, f.subject, f.message)
                for f in record.findings
            ),
        )
        many(
            "INSERT INTO not_evaluated VALUES (?, ?, ?, ?)",
            ((scan_id, n.check, n.account, n.reason) for n in record.not_evaluated),
        )
        return scan_id

    def scan_ids(self) -> tuple[int, ...]:
        """Every recorded scan's ID, oldest first."""
        return tuple(row[0] for row in self._db.execute(_SCANS_IN_ORDER))

    def resolve(self, reference: str) -> int:
        """A scan ID from a reference: a number, ``latest`` or ``previous``."""
        ids = self.scan_ids()
        named = {"latest": -1, "previous": -2}
        if reference in named:
            if len(ids) < -named[reference]:
                raise InputError(f"the store has no {reference} scan", where=self.where)
            return ids[named[reference]]
        if not (reference.isascii() and reference.isdigit()) or int(reference) not in ids:
            raise InputError(
                f"no recorded scan {reference!r}",
                where=self.where,
                hint="`keyless history` lists the recorded scans and their numbers.",
            )
        return int(reference)

    def load(self, scan_id: int) -> ScanRecord:
        """The recorded scan ``scan_id``."""
        row = self._db.execute(
            "SELECT scanned_at, collected_at, source, organization, complete, keyless_version"
            " FROM scans WHERE id = ?",
            (scan_id,),
        ).fetchone()
        if row is None:
            raise InputError(f"no recorded scan {scan_id}", where=self.where)
        scanned_at, collected_at, source, organization, complete, version = row
        rows = self._rows
        return ScanRecord(
            scanned_at=_date(scanned_at),
            collected_at=_optional_date(collected_at),
            source=source,
            organization=organization,
            complete=bool(complete),
            keyless_version=version,
            accounts=tuple(
                AccountRecord(*r)
                for r in rows(
                    "SELECT account, label, status, error FROM accounts"
                    " WHERE scan_id = ? ORDER BY rowid",
                    scan_id,
                )
            ),
            users=tuple(
                UserRecord(account, arn, name, bool(console), bool(mfa))
                for account, arn, name, console, mfa in rows(
                    "SELECT account, arn, name, console_access, mfa_active FROM users"
                    " WHERE scan_id = ? ORDER BY rowid",
                    scan_id,
                )
            ),
            keys=tuple(
                KeyRecord(
                    account,
                    user,
                    slot,
                    key_id,
                    bool(active),
                    _optional_date(created),
                    _optional_date(last_used),
                )
                for account, user, slot, key_id, active, created, last_used in rows(
                    "SELECT account, user_arn, slot, key_id, active, created, last_used"
                    " FROM access_keys WHERE scan_id = ? ORDER BY rowid",
                    scan_id,
                )
            ),
            findings=tuple(
                FindingRecord(check, Severity(severity), account, resource, subject, message)
                for check, severity, account, resource, subject, message in rows(
                    "SELECT check_id, severity, account, resource, subject, message"
                    " FROM findings WHERE scan_id = ? ORDER BY rowid",
                    scan_id,
                )
            ),
            not_evaluated=tuple(
                NotEvaluatedRecord(*r)
                for r in rows(
                    "SELECT check_id, account, reason FROM not_evaluated"
                    " WHERE scan_id = ? ORDER BY rowid",
                    scan_id,
                )
            ),
        )

    def _rows(self, query: str, scan_id: int) -> Iterator[tuple[Any, ...]]:
        yield from self._db.execute(query, (scan_id,))

    def history(self, account: str | None = None, limit: int | None = None) -> History:
        """Counts per recorded scan (the last ``limit`` scans), per account and overall;
        with ``account``, that account's only."""
        scans = list(self._db.execute(_SCANS_IN_ORDER))
        if limit is not None:
            scans = scans[-limit:] if limit > 0 else []
        wanted = {row[0] for row in scans}
        only = (account, account)  # (? IS NULL OR account = ?): every account, or one
        counts = _account_counts(self._db, only)
        labels: dict[str, str] = {}
        statuses: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for scan_id, account_id, label, status in self._db.execute(
            "SELECT scan_id, account, label, status FROM accounts"
            " WHERE (? IS NULL OR account = ?) ORDER BY scan_id",
            only,
        ):
            labels[account_id] = label
            if scan_id in wanted:
                statuses[scan_id].append((account_id, status))
        points = []
        for scan_id, scanned_at, collected_at, command, source, complete in scans:
            read = {
                a: counts.get((scan_id, a), Counts())
                for a, s in statuses[scan_id]
                if s == "scanned"
            }
            points.append(
                HistoryPoint(
                    scan_id=scan_id,
                    at=_date(collected_at or scanned_at),
                    command=command,
                    source=source,
                    complete=bool(complete),
                    accounts=MappingProxyType(read),
                    unread=tuple(a for a, s in statuses[scan_id] if s != "scanned"),
                )
            )
        return History(tuple(points), MappingProxyType(labels), self.where, account)


_SCANS_IN_ORDER = (
    "SELECT id, scanned_at, collected_at, command, source, complete FROM scans"
    " ORDER BY coalesce(collected_at, scanned_at), id"
)


def _account_counts(
    db: sqlite3.Connection, only: tuple[str | None, str | None]
) -> Mapping[tuple[int, str], Counts]:
    """Per (scan, account): users, console users, active keys, findings by severity."""
    users = {
        (scan, account): (total, console)
        for scan, account, total, console in db.execute(
            "SELECT scan_id, account, count(*), sum(console_access) FROM users"
            " WHERE (? IS NULL OR account = ?) GROUP BY scan_id, account",
            only,
        )
    }
    keys = {
        (scan, account): active
        for scan, account, active in db.execute(
            "SELECT scan_id, account, count(*) FROM access_keys"
            " WHERE active = 1 AND (? IS NULL OR account = ?) GROUP BY scan_id, account",
            only,
        )
    }
    findings: dict[tuple[int, str], dict[Severity, int]] = defaultdict(dict)
    for scan, account, severity, number in db.execute(
        "SELECT scan_id, account, severity, count(*) FROM findings"
        " WHERE (? IS NULL OR account = ?) GROUP BY scan_id, account, severity",
        only,
    ):
        findings[(scan, account)][Severity(severity)] = number
    result = {}
    for key in set(users) | set(keys) | set(findings):
        total, console = users.get(key, (0, 0))
        by_severity = findings.get(key, {})
        result[key] = Counts(
            users=total,
            console_users=console or 0,
            active_keys=keys.get(key, 0),
            findings=MappingProxyType({s: by_severity.get(s, 0) for s in Severity}),
        )
    return result


def _date(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _optional_date(text: str | None) -> datetime | None:
    return None if text is None else _date(text)


def open_store(path: Path, *, create: bool = False) -> Store:
    """Open the store at ``path``. With ``create`` (recording) a missing store is created
    and the default store's directory too; otherwise the store must exist. A symbolic
    link is never written through."""
    where = str(path)
    if create:
        if path.is_symlink():
            raise InputError("refusing to write the store through a symbolic link", where=where)
        if path == DEFAULT_STORE:
            _make_directory(path.parent, where)
        if not path.parent.is_dir():
            raise InputError("cannot create the store: its directory does not exist", where=where)
    elif not path.exists():
        raise InputError(
            "no history store here",
            where=where,
            hint="Record scans first: `keyless scan --record` (or `keyless collect --record`).",
        )
    if path.exists() and not path.is_file():
        raise InputError("the store must be a regular file", where=where)
    # Even to read, the store opens for writing when the file allows it (SQLite falls back
    # to read-only otherwise): after a crash, the first connection that can write rolls
    # the interrupted transaction back.
    uri = f"{path.resolve().as_uri()}?mode={'rwc' if create else 'rw'}"
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=_BUSY_TIMEOUT_SECONDS)
    except sqlite3.Error as error:
        raise InputError(f"cannot open the store: {error}", where=where) from None
    return Store(connection, where)


def _make_directory(directory: Path, where: str) -> None:
    """Create the default store's directory, with a .gitignore so that the history (account
    IDs, user names) is not committed by accident."""
    try:
        if not directory.is_dir():
            directory.mkdir()
            (directory / ".gitignore").write_text("# keyless history store\n*\n")
    except OSError as error:
        raise InputError(
            f"cannot create the store's directory: {error.strerror}", where=where
        ) from None
