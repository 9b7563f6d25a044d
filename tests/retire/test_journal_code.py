"""A journal holding what keyless never makes and SQLite runs: a trigger (one could move
a key's quarantine start back as keyless records it, so that the next run deletes the key
at once), a view in a table's place (a recursive one never ends). Refused when the
journal is opened, dry or not, before anything is read or written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from keyless.retire.journal import Journal
from keyless.retire.records import JournalError

#: Every key that enters quarantine entered it in 2000: deletable at once.
BACKDATE = (
    "CREATE TRIGGER backdate AFTER INSERT ON quarantine BEGIN"
    " UPDATE quarantine SET since = '2000-01-01T00:00:00Z'; END"
)
ENDLESS_ACTIONS = (
    "CREATE VIEW actions (id, run_id, account, user_name, kind, target, reason, detail, state,"
    " intended_at, settled_at, error, note) AS"
    " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n)"
    " SELECT i, 1, '111111111111', 'u', 'deactivate-key', 'AKIA', '', '{}', 'intended',"
    " '2026-01-01T00:00:00Z', NULL, NULL, NULL FROM n"
)


def _journal(tmp_path: Path, *statements: str) -> Path:
    path = tmp_path / "j.sqlite"
    with Journal.open(path, writable=True):
        pass
    db = sqlite3.connect(path)
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()
    return path


@pytest.mark.parametrize("writable", [True, False])
def test_a_journal_with_a_trigger_is_refused(tmp_path: Path, writable: bool) -> None:
    path = _journal(tmp_path, BACKDATE)
    with pytest.raises(JournalError, match="damaged: a trigger 'backdate', which keyless never"):
        Journal.open(path, writable=writable)


@pytest.mark.parametrize("writable", [True, False])
def test_a_view_in_place_of_a_table_is_refused(tmp_path: Path, writable: bool) -> None:
    path = _journal(tmp_path, "DROP TABLE actions", ENDLESS_ACTIONS)
    with pytest.raises(JournalError, match="damaged: a view 'actions', which keyless never"):
        Journal.open(path, writable=writable)
