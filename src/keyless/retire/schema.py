"""The journal's SQL schema (``keyless/retire-journal/v1``), published as
``docs/schemas/retire-journal-v1.sql`` (``python -m keyless.retire.sql`` prints it; a test
fails when the two differ), its statements one by one, and what of it a journal file lacks."""

from __future__ import annotations

import sqlite3

FORMAT = "keyless/retire-journal/v1"
#: ``PRAGMA application_id``: marks the file as a keyless journal ("KLRJ").
APPLICATION_ID = 0x4B4C524A

SCHEMA = """\
-- keyless/retire-journal/v1: the journal of `keyless retire` (SQLite, one file).
-- Every action is inserted as 'intended' before its AWS call and settled after it
-- ('done', 'failed', or 'not-done' when a later run found it had not happened).
-- Times are ISO-8601 UTC with a Z. No column holds a secret.

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One row per `keyless retire --apply` or `keyless retire rollback --apply`.
-- request: the selection and options as JSON; a run with the same request as an
-- unfinished one resumes it. outcome is NULL while it runs (or after a crash).
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    command TEXT NOT NULL CHECK (command IN ('retire', 'rollback')),
    request TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    outcome TEXT CHECK (outcome IN ('finished', 'interrupted'))
);

-- kind: deactivate-key, delete-key, backup-user, delete-login-profile, ... (docs/retire.md).
-- target: the key ID, group name, policy ARN or name, MFA serial, SSH key, certificate
-- or credential ID it acts on ('' for the user itself). detail: JSON object.
CREATE TABLE actions (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs (id),
    account TEXT NOT NULL,
    user_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('intended', 'done', 'failed', 'not-done')),
    intended_at TEXT NOT NULL,
    settled_at TEXT,
    error TEXT,
    note TEXT
);
CREATE INDEX actions_by_state ON actions (state);

-- Keys out of service: since keyless deactivated them (by_keyless = 1) or first found
-- them inactive (by_keyless = 0). deleted_at is set when keyless deleted the key.
CREATE TABLE quarantine (
    account TEXT NOT NULL,
    key_id TEXT NOT NULL,
    user_name TEXT NOT NULL,
    since TEXT NOT NULL,
    by_keyless INTEGER NOT NULL CHECK (by_keyless IN (0, 1)),
    deleted_at TEXT,
    PRIMARY KEY (account, key_id)
);

-- A user as it was before keyless changed anything that cannot be undone
-- (document: JSON, keyless/retire-backup/v1). restored_at is set by a rollback.
CREATE TABLE backups (
    id INTEGER PRIMARY KEY,
    action_id INTEGER NOT NULL UNIQUE REFERENCES actions (id),
    account TEXT NOT NULL,
    user_name TEXT NOT NULL,
    taken_at TEXT NOT NULL,
    document TEXT NOT NULL,
    restored_at TEXT
);
CREATE INDEX backups_by_user ON backups (account, user_name);
"""


def statements(script: str = SCHEMA) -> list[str]:
    """The SQL statements of ``script`` (the schema), one each, comments left out."""
    body = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("--"))
    return [statement.strip() for statement in body.split(";") if statement.strip()]


def missing_columns(db: sqlite3.Connection) -> str | None:
    """What of the journal's schema (its tables and their columns) the file lacks, or
    None: a table dropped or altered by hand would fail in the middle of a run."""
    expected = sqlite3.connect(":memory:")
    try:
        for statement in statements():
            expected.execute(statement)
        tables = [
            name
            for (name,) in expected.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        for table in tables:
            wanted = {column[1] for column in expected.execute(f"PRAGMA table_info({table})")}
            try:
                present = {column[1] for column in db.execute(f"PRAGMA table_info({table})")}
            except sqlite3.Error as error:
                return f"table {table}: {error}"
            if not present:
                return f"no table {table}"
            if wanted - present:
                return f"table {table} has no column {', '.join(sorted(wanted - present))}"
    finally:
        expected.close()
    return None
