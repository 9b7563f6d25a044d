"""The retire journal: one SQLite file that records every action before its AWS call and
its outcome after, the keys in quarantine, and the backups of users.

Why SQLite: each record is a transaction that survives a crash (the process killed at any
instant leaves every committed record intact and no half-written one), and one file holds
a whole migration. An action still ``intended`` after a crash is settled by the next run,
which looks at AWS to see whether it happened (:mod:`keyless.retire.run`).

The schema is in :mod:`keyless.retire.schema`, published as
``docs/schemas/retire-journal-v1.sql``. No table holds a secret: keys are known by ID,
passwords only by their existence.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from keyless.dates import iso
from keyless.errors import KeylessError, quoted
from keyless.retire.model import Action, ActionKind
from keyless.retire.provenance import check_provenance, probe_provenance
from keyless.retire.records import (
    Backup,
    Entry,
    JournalError,
    Quarantine,
    Run,
    check_request,
    to_backup,
    to_entry,
    to_quarantine,
)
from keyless.retire.schema import APPLICATION_ID, FORMAT, missing_columns, statements
from keyless.sqlite_code import code_objects, damaged_pages

DEFAULT_PATH = Path("keyless-retire.sqlite")


class Journal:
    """An open journal. Writable journals are locked for the life of the object, so two
    runs never interleave their actions; read-only ones (dry runs, ``status``) are not."""

    def __init__(self, connection: sqlite3.Connection, path: Path, lock: int | None) -> None:
        self._db = connection
        self.path = path
        self._lock = lock

    @classmethod
    def open(cls, path: Path, *, writable: bool) -> Journal | None:
        """The journal at ``path``; created when ``writable`` and missing. A read-only
        open of a missing journal is ``None`` (nothing has been recorded yet)."""
        if path.is_symlink():
            raise JournalError("refusing a journal that is a symbolic link", where=str(path))
        if path.exists() and not path.is_file():
            raise JournalError("the journal must be a regular file", where=str(path))
        if not writable:
            if not path.exists():
                return None
            probe_provenance(path)
            connection = _connect(f"{path.resolve().as_uri()}?mode=ro", path, uri=True)
            journal = cls(connection, path, None)
            try:
                journal._check()
            except BaseException:
                journal.close()
                raise
            return journal
        directory = path.parent if str(path.parent) else Path(".")
        if not directory.is_dir():
            raise JournalError("the journal's directory does not exist", where=str(path))
        try:
            # Owner-only: the journal names users and holds their policies.
            lock = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        except OSError as error:
            raise JournalError(
                f"cannot open the journal: {error.strerror}", where=str(path)
            ) from None
        try:
            check_provenance(lock, path)
        except BaseException:
            os.close(lock)
            raise
        _lock(lock, path)
        try:
            fresh = os.fstat(lock).st_size == 0
            journal = cls(_connect(str(path), path), path, lock)
        except BaseException:
            os.close(lock)
            raise
        try:
            if fresh:
                journal._create()
            journal._check()
        except BaseException:
            journal.close()
            raise
        # FULL: a record is on disk before the AWS call it announces is made.
        journal._db.execute("PRAGMA synchronous = FULL")
        return journal

    def close(self) -> None:
        """Close the database and release the lock."""
        self._db.close()
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- runs -------------------------------------------------------------------------

    def begin(self, command: str, request: Mapping[str, Any], now: datetime) -> Run:
        """Start a run, or resume the last one when it never finished and asked for the
        same thing; an unfinished run with another request is marked interrupted."""
        text = json.dumps(request, sort_keys=True, separators=(",", ":"))
        with self._transaction():
            unfinished = self._db.execute(
                "SELECT id, command, request FROM runs WHERE outcome IS NULL ORDER BY id DESC"
            ).fetchall()
            resumed = None
            for run_id, last_command, last_request in unfinished:
                latest = run_id == unfinished[0][0]
                if latest and (last_command, last_request) == (command, text):
                    resumed = run_id
                else:
                    self._db.execute(
                        "UPDATE runs SET outcome = 'interrupted' WHERE id = ?", (run_id,)
                    )
            if resumed is not None:
                return Run(resumed, True, self._changes(resumed))
            cursor = self._db.execute(
                "INSERT INTO runs (command, request, started_at) VALUES (?, ?, ?)",
                (command, text, iso(now)),
            )
        return Run(_rowid(cursor), False, 0)

    def finish(self, run_id: int, now: datetime) -> None:
        """Mark a run finished (an interrupted run never reaches this)."""
        with self._transaction():
            self._db.execute(
                "UPDATE runs SET finished_at = ?, outcome = 'finished' WHERE id = ?",
                (iso(now), run_id),
            )

    def _changes(self, run_id: int) -> int:
        row = self._db.execute(
            "SELECT count(*) FROM actions WHERE run_id = ? AND kind != ? AND state != 'not-done'",
            (run_id, ActionKind.BACKUP_USER.value),
        ).fetchone()
        return int(row[0])

    # -- actions ----------------------------------------------------------------------

    def intend(self, run_id: int, action: Action, now: datetime) -> int:
        """Record ``action`` before its AWS call; its ID settles it afterwards."""
        with self._transaction():
            cursor = self._db.execute(
                "INSERT INTO actions (run_id, account, user_name, kind, target, reason, detail,"
                " state, intended_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'intended', ?)",
                (
                    run_id,
                    action.account,
                    action.user,
                    action.kind.value,
                    action.target,
                    action.reason,
                    json.dumps(dict(action.detail), sort_keys=True),
                    iso(now),
                ),
            )
        return _rowid(cursor)

    def settle(
        self,
        action_id: int,
        state: str,
        now: datetime,
        *,
        error: str | None = None,
        note: str | None = None,
        backup: Mapping[str, Any] | None = None,
    ) -> None:
        """Record an action's outcome, with what follows from it in the same transaction:
        a deactivated key enters quarantine, a reactivated one leaves it, a deleted key is
        marked deleted, a backup is stored."""
        with self._transaction():
            self._db.execute(
                "UPDATE actions SET state = ?, settled_at = ?, error = ?, note = ? WHERE id = ?",
                (state, iso(now), error, note, action_id),
            )
            if state != "done":
                return
            entry = self._entry(action_id)
            action = entry.action
            if action.kind is ActionKind.DEACTIVATE_KEY:
                self._quarantine(
                    action.account, action.target, action.user, entry.intended_at, True
                )
            elif action.kind is ActionKind.REACTIVATE_KEY:
                self._db.execute(
                    "DELETE FROM quarantine WHERE account = ? AND key_id = ?",
                    (action.account, action.target),
                )
            elif action.kind is ActionKind.DELETE_KEY:
                self._db.execute(
                    "UPDATE quarantine SET deleted_at = ? WHERE account = ? AND key_id = ?",
                    (iso(now), action.account, action.target),
                )
            elif action.kind is ActionKind.BACKUP_USER and backup is not None:
                self._db.execute(
                    "INSERT INTO backups (action_id, account, user_name, taken_at, document)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (action_id, action.account, action.user, iso(now), json.dumps(backup)),
                )

    def pending(self) -> tuple[Entry, ...]:
        """Actions recorded as intended whose outcome was never recorded (a crash)."""
        rows = self._db.execute(f"{_ENTRY} WHERE state = 'intended' ORDER BY id").fetchall()
        return tuple(to_entry(row) for row in rows)

    def entries(self, run_id: int | None = None) -> tuple[Entry, ...]:
        """Every recorded action (of one run), oldest first."""
        if run_id is None:
            rows = self._db.execute(f"{_ENTRY} ORDER BY id").fetchall()
        else:
            rows = self._db.execute(f"{_ENTRY} WHERE run_id = ? ORDER BY id", (run_id,)).fetchall()
        return tuple(to_entry(row) for row in rows)

    def _entry(self, action_id: int) -> Entry:
        return to_entry(self._db.execute(f"{_ENTRY} WHERE id = ?", (action_id,)).fetchone())

    # -- quarantine -------------------------------------------------------------------

    def quarantine(self, account: str, key_id: str) -> Quarantine | None:
        """The key's quarantine record, if it has one."""
        row = self._db.execute(
            f"{_QUARANTINE} WHERE account = ? AND key_id = ?", (account, key_id)
        ).fetchone()
        return to_quarantine(row) if row else None

    def quarantined(self) -> tuple[Quarantine, ...]:
        """Every key keyless took out of service or found out of it."""
        rows = self._db.execute(f"{_QUARANTINE} ORDER BY account, user_name, key_id").fetchall()
        return tuple(to_quarantine(row) for row in rows)

    def start_quarantine(self, account: str, key_id: str, user: str, since: datetime) -> None:
        """Record that a key was found already inactive: its quarantine starts now."""
        with self._transaction():
            self._quarantine(account, key_id, user, since, False)

    def _quarantine(
        self, account: str, key_id: str, user: str, since: datetime, by_keyless: bool
    ) -> None:
        self._db.execute(
            "INSERT INTO quarantine (account, key_id, user_name, since, by_keyless)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, key_id) DO UPDATE SET"
            " since = excluded.since, by_keyless = excluded.by_keyless, deleted_at = NULL",
            (account, key_id, user, iso(since), int(by_keyless)),
        )

    # -- backups ----------------------------------------------------------------------

    def open_backup(self, account: str, user: str) -> Backup | None:
        """The user's latest backup, unless a rollback restored it. An earlier one is never
        open: the latest was taken after it, holding it or a user created again since
        (:func:`keyless.retire.backup.latest_unrestored`)."""
        row = self._db.execute(
            f"{_BACKUP} WHERE account = ? AND user_name = ? ORDER BY id DESC", (account, user)
        ).fetchone()
        backup = to_backup(row) if row else None
        return backup if backup is not None and backup.restored_at is None else None

    def backups(self) -> tuple[Backup, ...]:
        """Every backup, oldest first."""
        return tuple(to_backup(row) for row in self._db.execute(f"{_BACKUP} ORDER BY id"))

    def mark_restored(self, backup_id: int, now: datetime) -> None:
        """A rollback brought the user back: later retirements take a new backup. The
        earlier backups of the same user (its user ID) that the restored one holds are
        restored with it: a run takes a second backup of a user holding what the first
        lacks, merged with the first (:mod:`keyless.retire.execute`)."""
        with self._transaction():
            restored = to_backup(
                self._db.execute(f"{_BACKUP} WHERE id = ?", (backup_id,)).fetchone()
            )
            earlier = self._db.execute(
                f"{_BACKUP} WHERE account = ? AND user_name = ? AND id < ? AND restored_at IS NULL",
                (restored.account, restored.user, backup_id),
            ).fetchall()
            user_id = restored.document.get("user_id")
            held = [b.id for b in map(to_backup, earlier) if b.document.get("user_id") == user_id]
            self._db.executemany(
                "UPDATE backups SET restored_at = ? WHERE id = ?",
                [(iso(now), each) for each in (backup_id, *held)],
            )

    # -- plumbing ---------------------------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.Error as error:
            raise JournalError(f"cannot write the journal: {error}", where=str(self.path)) from None

    def _create(self) -> None:
        with self._transaction():
            for statement in statements():
                self._db.execute(statement)
            self._db.execute("INSERT INTO meta (key, value) VALUES ('format', ?)", (FORMAT,))
        self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    def _check(self) -> None:
        try:
            (application,) = self._db.execute("PRAGMA application_id").fetchone()
            row = self._db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        except sqlite3.Error:
            row = None
            application = None
        if application != APPLICATION_ID or row is None:
            raise JournalError(
                "not a keyless retire journal",
                where=str(self.path),
                hint="Name a journal written by `keyless retire --apply`, or a new file.",
            )
        if row[0] != FORMAT:
            raise JournalError(
                f"journal format {quoted(row[0])}: this keyless reads {FORMAT}",
                where=str(self.path),
            )
        code = code_objects(self._db)
        # Then SQLite's own check of every page (PRAGMA quick_check; a journal is small):
        # a damaged page no read below reaches (an index's, a free one's) is damage too.
        pages = None if code else damaged_pages(self._db)
        missing = (
            f"a {code[0][0]} {quoted(code[0][1], 60)}, which keyless never makes"
            if code
            else missing_columns(self._db)
            or (None if pages is None else f"SQLite finds its pages damaged ({pages[:300]})")
        )
        if missing:
            raise JournalError(
                f"the journal is damaged: {missing}",
                where=str(self.path),
                hint="A journal edited by hand cannot be followed; keep it for the record and"
                " name a new one with --journal.",
            )
        # Every row read now, not when a run reaches it: a damaged one stops the command
        # before anything contacts AWS, never between two users' changes.
        for row in self._db.execute("SELECT id, request FROM runs"):
            check_request(row)
        for read in (self.entries, self.quarantined, self.backups):
            read()


_ENTRY = (
    "SELECT id, run_id, account, user_name, kind, target, reason, detail, state,"
    " intended_at, settled_at, error, note FROM actions"
)
_QUARANTINE = "SELECT account, key_id, user_name, since, by_keyless, deleted_at FROM quarantine"
_BACKUP = "SELECT id, account, user_name, taken_at, document, restored_at FROM backups"


def _connect(target: str, path: Path, *, uri: bool = False) -> sqlite3.Connection:
    try:
        connection = sqlite3.connect(target, uri=uri, isolation_level=None, timeout=10)
    except sqlite3.Error as error:
        raise JournalError(f"cannot open the journal: {error}", where=str(path)) from None
    return connection


def _lock(descriptor: int, path: Path) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory lock
        return
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(descriptor)
        raise JournalError(
            "another keyless retire run is using this journal",
            where=str(path),
            hint="Wait for it to finish; runs on one journal never interleave.",
        ) from None


def _rowid(cursor: sqlite3.Cursor) -> int:
    if cursor.lastrowid is None:  # pragma: no cover - an INSERT always sets it
        raise KeylessError("the journal did not record the row")
    return cursor.lastrowid
