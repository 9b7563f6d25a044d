"""The local history store: recorded scans in one SQLite file.

SQLite (the standard library's ``sqlite3``) because it is one file, needs no server, and
gives transactions: every scan is written in a single transaction, so a process killed
mid-write leaves the store as it was before (SQLite's rollback journal restores it on the
next open: https://www.sqlite.org/atomiccommit.html). Nothing secret is ever stored (see
:mod:`keyless.store.record`).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from keyless.dates import iso
from keyless.errors import InputError, quoted
from keyless.files import STDIN
from keyless.sqlite_code import code_objects, damaged_pages
from keyless.store import rows
from keyless.store.history import History
from keyless.store.integrity import check_scan_rows, listed_twice
from keyless.store.provenance import check_store, create_store_file, write_gitignore
from keyless.store.record import ScanRecord
from keyless.store.schema import (
    ADDED_IN_1,
    ADDED_TABLES,
    COMMANDS,
    PAGES_CHECKED,
    SCANS_IN_ORDER,
    STATEMENTS,
    VERSION,
    expected_columns,
    expected_sql,
    normalised,
)
from keyless.store.timeline import read_history

#: Where ``--record`` keeps scans unless ``--store`` says otherwise.
DEFAULT_STORE = Path(".keyless") / "history.sqlite3"
_BUSY_TIMEOUT_SECONDS = 30.0
#: A scan number has at most this many digits (SQLite's rowids are 64-bit integers).
_MAX_SCAN_DIGITS = 19
#: How much of what is wrong with a damaged store a message shows.
_MOST_SHOWN = 400


class Store:
    """A history store on an open SQLite connection (see :func:`open_store`)."""

    def __init__(
        self, connection: sqlite3.Connection, where: str = "the store", *, create: bool = True
    ) -> None:
        """``create``: an empty database becomes a new store (recording); without it (a
        command that only reads) an empty file is refused, never written."""
        self._db = connection
        self._db.isolation_level = None  # transactions are begun and ended explicitly
        self.where = where
        self._create = create
        try:
            self._db.execute("PRAGMA foreign_keys = ON")
            self._prepare()
        except sqlite3.DatabaseError as error:
            raise self._in_use(error) or InputError(
                f"not a keyless history store ({error})", where=where
            ) from None

    def _prepare(self) -> None:
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        if version == VERSION:
            self._check_tables()
            return
        tables = self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if version == 0 and tables == 0 and not self._create:
            # An empty file (keyless creates a store whole, in one transaction): a read
            # must not turn it into a database.
            raise InputError(
                "not a keyless history store: the file is empty",
                where=self.where,
                hint="Record scans first: `keyless scan --record` (or `keyless collect --record`).",
            )
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

    def _check_tables(self) -> None:
        """A store of this version whose tables were dropped or remade by hand is refused
        when it is opened, before a scan is run to be recorded into it (an INSERT into a
        remade table failed after the whole scan, with a traceback). A view or a trigger is
        refused too: keyless makes neither, and SQLite runs their code when the store is
        read or written (a view in a table's place can yield rows without end)."""
        for kind, name in code_objects(self._db):
            raise self._damaged(f"a {kind} {quoted(name, 60)}, which keyless never makes")
        for table, columns in expected_columns().items():
            # table_xinfo, not table_info: a generated column is hidden from the latter.
            found = tuple(
                row[1] for row in self._db.execute("SELECT * FROM pragma_table_xinfo(?)", (table,))
            )
            if not found and table in ADDED_TABLES:
                continue  # a store written before the table: added when it next records
            if not found:
                raise self._damaged(f"no such table: {table}")
            if found != columns:
                raise self._damaged(
                    f"the table {table} has the columns ({', '.join(found)[:300]}),"
                    f" not ({', '.join(columns)})"
                )
        # The same columns may come with another table's constraints (an expensive CHECK
        # run on every row recorded), or an index keyless never makes on an expression.
        expected = expected_sql()
        for kind, name, table, sql in self._db.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master"
            " WHERE type IN ('table', 'index') AND sql IS NOT NULL"
        ):
            if table not in expected_columns():
                continue  # not read by keyless (sqlite_stat1 after ANALYZE, the user's own)
            wanted = expected.get(name)
            if wanted is None or not isinstance(sql, str) or normalised(sql) != wanted:
                raise self._damaged(f"the {kind} {quoted(name, 60)} is not as keyless makes it")
        present = [t for t in PAGES_CHECKED if t not in ADDED_TABLES or self._has_table(t)]
        problem = damaged_pages(self._db, present)
        if problem is not None:
            raise self._damaged(f"SQLite finds its pages damaged ({problem})")

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
        repeated = listed_twice(record)
        if repeated is not None:
            raise InputError(
                f"the scan is not recorded: it lists {repeated} twice", where=self.where
            )
        # The store locked by another process, a read-only file or a full disk: an
        # OperationalError. A constraint refusing a row keyless built is a defect and
        # stays one.
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise self._in_use(error) or self._unwritable(error) from None
        try:
            for statement in ADDED_IN_1:  # a store written before them gains them here
                self._db.execute(statement)
            scan_id = self._insert(record, command, recorded_at or datetime.now(UTC))
            self._db.execute("COMMIT")
        except BaseException as error:
            self._db.execute("ROLLBACK")
            if isinstance(error, sqlite3.OperationalError):
                raise self._in_use(error) or self._unwritable(error) from None
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
            "INSERT INTO suppressed_findings VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (scan_id, f.check, f.severity.value, f.account, f.resource, f.subject, f.message)
                for f in record.suppressed
            ),
        )
        many(
            "INSERT INTO not_evaluated VALUES (?, ?, ?, ?)",
            ((scan_id, n.check, n.account, n.reason) for n in record.not_evaluated),
        )
        return scan_id

    def scan_ids(self) -> tuple[int, ...]:
        """Every recorded scan's ID, oldest first."""
        try:
            return tuple(row[0] for row in self._db.execute(SCANS_IN_ORDER))
        except sqlite3.DatabaseError as error:
            raise self._in_use(error) or self._damaged(str(error)) from None

    def resolve(self, reference: str) -> int:
        """A scan ID from a reference: a number, ``latest`` or ``previous``."""
        ids = self.scan_ids()
        named = {"latest": -1, "previous": -2}
        if reference in named:
            if len(ids) < -named[reference]:
                raise InputError(f"the store has no {reference} scan", where=self.where)
            return ids[named[reference]]
        # Past 4,300 digits int() raises rather than reads: no scan has such a number.
        if (
            not (reference.isascii() and reference.isdigit())
            or len(reference) > _MAX_SCAN_DIGITS
            or int(reference) not in ids
        ):
            raise InputError(
                f"no recorded scan {quoted(reference)}",
                where=self.where,
                hint="`keyless history` lists the recorded scans and their numbers.",
            )
        return int(reference)

    def load(self, scan_id: int) -> ScanRecord:
        """The recorded scan ``scan_id``. A store edited by hand (a value of the wrong type,
        a date that is none, an unknown severity) is an InputError naming the row."""
        try:
            return self._load(scan_id)
        except sqlite3.DatabaseError as error:
            raise self._in_use(error) or self._damaged(str(error)) from None

    def _load(self, scan_id: int) -> ScanRecord:
        row = self._db.execute(
            "SELECT scanned_at, collected_at, source, organization, complete, keyless_version"
            " FROM scans WHERE id = ?",
            (scan_id,),
        ).fetchone()
        if row is None:
            raise InputError(f"no recorded scan {scan_id}", where=self.where)
        scanned_at, collected_at, source, organization, complete, version = row
        suppressed_kept = self._has_table(rows.SUPPRESSED.name)
        cell = rows.Cells(self._damaged, f"scan {scan_id}")
        record = ScanRecord(
            scanned_at=cell.date(scanned_at, "scans.scanned_at"),
            collected_at=cell.optional_date(collected_at, "scans.collected_at"),
            source=cell.text(source, "scans.source"),
            organization=cell.optional_text(organization, "scans.organization"),
            complete=cell.flag(complete, "scans.complete"),
            keyless_version=cell.text(version, "scans.keyless_version"),
            accounts=tuple(rows.records(self._db, scan_id, cell, rows.ACCOUNTS)),
            users=tuple(rows.records(self._db, scan_id, cell, rows.USERS)),
            keys=tuple(rows.records(self._db, scan_id, cell, rows.KEYS)),
            findings=tuple(rows.records(self._db, scan_id, cell, rows.FINDINGS)),
            not_evaluated=tuple(rows.records(self._db, scan_id, cell, rows.NOT_EVALUATED)),
            suppressed=tuple(rows.records(self._db, scan_id, cell, rows.SUPPRESSED))
            if suppressed_kept
            else (),
        )
        # After every value is read and checked: a value out of place is named by its
        # column first.
        check_scan_rows(
            self._db, self._damaged, scan_id, suppressed_kept=suppressed_kept, where=self.where
        )
        return record

    def _has_table(self, name: str) -> bool:
        query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        return self._db.execute(query, (name,)).fetchone() is not None

    def _in_use(self, error: sqlite3.DatabaseError) -> InputError | None:
        """The error for a store another process holds locked past the busy timeout (a
        scan recording into it, or any program with a transaction open on it), or None
        for any other error: a store in use is neither damaged nor not a store."""
        # An error of Python's sqlite3 module itself (text that is not UTF-8) has no name.
        if getattr(error, "sqlite_errorname", None) not in ("SQLITE_BUSY", "SQLITE_LOCKED"):
            return None
        return InputError(
            f"the history store is locked by another process (waited"
            f" {_BUSY_TIMEOUT_SECONDS:g} seconds for it)",
            where=self.where,
            hint="Run again when the other program (a keyless scan recording) has finished"
            " with it, or record into another store with --store PATH.",
        )

    def _unwritable(self, error: sqlite3.DatabaseError) -> InputError:
        return InputError(f"cannot record the scan in the history store: {error}", where=self.where)

    def _damaged(self, what: str) -> InputError:
        # SQLite's message may quote the store's text (a value that is not UTF-8), whole.
        shown = what if len(what) <= _MOST_SHOWN else what[:_MOST_SHOWN] + "…"
        return InputError(
            f"the history store is damaged: {shown}",
            where=self.where,
            hint="A store edited by hand cannot be trusted: record into a new one with"
            " --store PATH.",
        )

    def history(self, account: str | None = None, limit: int | None = None) -> History:
        """Counts per recorded scan (the last ``limit`` scans), per account and overall;
        with ``account``, that account's only. A store edited by hand is an InputError
        naming what is wrong."""
        try:
            return read_history(
                self._db,
                self._damaged,
                self.where,
                account,
                limit,
                suppressed_kept=self._has_table(rows.SUPPRESSED.name),
            )
        except sqlite3.DatabaseError as error:
            raise self._in_use(error) or self._damaged(str(error)) from None


def open_store(path: Path, *, create: bool = False) -> Store:
    """Open the store at ``path``. With ``create`` (recording) a missing store is created
    (owner-only) and the default store's directory too; otherwise the store must exist. A
    symbolic link is never written through, and a store that is not the user's is refused
    (:mod:`keyless.store.provenance`)."""
    where = str(path)
    if where == STDIN:
        # `-` is standard input where keyless reads a file; as a store it made a database
        # file named "-" in the working directory.
        raise InputError(
            "refusing a store named '-': - is not standard input or output here",
            where=where,
            hint="Give the store's file name; a file really named - by its full path.",
        )
    default = path == DEFAULT_STORE
    if default and path.parent.is_symlink():
        # The working directory is often a checkout: a `.keyless` link it ships would
        # have keyless create its store wherever the link leads, or read one from there.
        raise InputError(
            f"refusing to {'write' if create else 'read'} the store through a symbolic link"
            f" ({path.parent})",
            where=where,
            hint="Remove the link, or name the store with --store PATH.",
        )
    if create:
        if path.is_symlink():
            raise InputError("refusing to write the store through a symbolic link", where=where)
        if default:
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
    if create and not path.exists():
        if default:
            write_gitignore(path.parent, where)
        create_store_file(path)
    check_store(path, default=default)
    # Even to read, the store opens for writing when the file allows it (SQLite falls back
    # to read-only otherwise): after a crash, the first connection that can write rolls
    # the interrupted transaction back.
    uri = f"{path.resolve().as_uri()}?mode={'rwc' if create else 'rw'}"
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=_BUSY_TIMEOUT_SECONDS)
    except sqlite3.Error as error:
        raise InputError(f"cannot open the store: {error}", where=where) from None
    return Store(connection, where, create=create)


def _make_directory(directory: Path, where: str) -> None:
    """Create the default store's directory (its ``.gitignore`` is written with the store,
    so that the history, account IDs and user names, is not committed by accident)."""
    try:
        if not directory.is_dir():
            directory.mkdir()
    except OSError as error:
        raise InputError(
            f"cannot create the store's directory: {error.strerror}", where=where
        ) from None
