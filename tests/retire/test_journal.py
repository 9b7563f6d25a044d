"""The journal file: its schema is the published one, it refuses what is not a journal,
two runs never share it, and an interrupted run is resumed only by the same request."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from keyless.retire.journal import Journal
from keyless.retire.model import Action, ActionKind
from keyless.retire.records import JournalError
from keyless.retire.schema import SCHEMA

SCHEMA_FILE = Path(__file__).parents[2] / "docs" / "schemas" / "retire-journal-v1.sql"
NOW = datetime(2026, 3, 1, tzinfo=UTC)


def _structure(connection: sqlite3.Connection) -> list[tuple[str, ...]]:
    tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master ORDER BY name")]
    found = []
    for name in tables:
        kind, sql = connection.execute(
            "SELECT type, sql FROM sqlite_master WHERE name = ?", (name,)
        ).fetchone()
        found.append((kind, name, " ".join(str(sql).split())))
    return found


def test_the_published_schema_is_the_one_the_code_creates(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "j.sqlite", writable=True):
        pass
    published = sqlite3.connect(":memory:")
    published.executescript(SCHEMA_FILE.read_text())

    created = sqlite3.connect(tmp_path / "j.sqlite")

    assert _structure(created) == _structure(published)
    assert SCHEMA_FILE.read_text() == SCHEMA, "run `make docs`"


def test_a_file_that_is_not_a_journal_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    other.chmod(0o600)  # the owner's own file: refused for what it holds, not its mode
    before = other.read_bytes()

    with pytest.raises(JournalError, match="not a keyless retire journal"):
        Journal.open(other, writable=True)

    assert other.read_bytes() == before


def test_text_is_not_a_journal(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    text.chmod(0o600)

    with pytest.raises(JournalError, match="not a keyless retire journal"):
        Journal.open(text, writable=False)


def test_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.sqlite"
    link = tmp_path / "journal.sqlite"
    link.symlink_to(target)

    with pytest.raises(JournalError, match="symbolic link"):
        Journal.open(link, writable=True)
    assert not target.exists()


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="regular file"):
        Journal.open(tmp_path, writable=True)


def test_a_journal_is_created_readable_by_its_owner_only(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "j.sqlite", writable=True):
        pass

    assert (tmp_path / "j.sqlite").stat().st_mode & 0o077 == 0


def test_a_dry_run_reads_no_journal_into_existence(tmp_path: Path) -> None:
    assert Journal.open(tmp_path / "j.sqlite", writable=False) is None
    assert not (tmp_path / "j.sqlite").exists()


def test_two_runs_never_share_a_journal(tmp_path: Path) -> None:
    with (
        Journal.open(tmp_path / "j.sqlite", writable=True),
        pytest.raises(JournalError, match="another keyless retire run"),
    ):
        Journal.open(tmp_path / "j.sqlite", writable=True)


def test_the_lock_is_released_with_the_journal(tmp_path: Path) -> None:
    Journal.open(tmp_path / "j.sqlite", writable=True).close()  # type: ignore[union-attr]

    with Journal.open(tmp_path / "j.sqlite", writable=True) as journal:
        assert journal is not None


def test_an_unfinished_run_is_resumed_by_the_same_request(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "j.sqlite", writable=True) as journal:
        first = journal.begin("retire", {"selection": ["--user a"]}, NOW)
        action = Action(ActionKind.DEACTIVATE_KEY, "123456789012", "a", "AKIAIOSFODNN7EXAMPLE")
        journal.settle(journal.intend(first.id, action, NOW), "done", NOW)

        again = journal.begin("retire", {"selection": ["--user a"]}, NOW)

    assert (again.id, again.resumed, again.changes) == (first.id, True, 1)


def test_an_unfinished_run_is_not_resumed_by_another_request(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "j.sqlite", writable=True) as journal:
        first = journal.begin("retire", {"selection": ["--user a"]}, NOW)

        other = journal.begin("retire", {"selection": ["--user b"]}, NOW)

    assert other.id != first.id
    assert not other.resumed


def test_a_deactivation_done_puts_the_key_in_quarantine(tmp_path: Path) -> None:
    action = Action(ActionKind.DEACTIVATE_KEY, "123456789012", "a", "AKIAIOSFODNN7EXAMPLE")
    with Journal.open(tmp_path / "j.sqlite", writable=True) as journal:
        run = journal.begin("retire", {}, NOW)
        entry = journal.intend(run.id, action, NOW)
        assert journal.quarantine("123456789012", action.target) is None
        assert [e.id for e in journal.pending()] == [entry]

        journal.settle(entry, "done", NOW)

        record = journal.quarantine("123456789012", action.target)
        assert journal.pending() == ()
    assert record is not None
    assert (record.since, record.by_keyless) == (NOW, True)


def test_a_journal_someone_else_wrote_over_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with Journal.open(path, writable=True):
        pass
    os.truncate(path, 100)

    with pytest.raises(JournalError):
        Journal.open(path, writable=False)


@pytest.mark.parametrize("writable", [True, False])
def test_a_damaged_page_no_read_reaches_is_refused(tmp_path: Path, writable: bool) -> None:
    """Opening reads every row by its table, never an index: a damaged index page went
    unseen (SQLite's quick_check reads every page)."""
    path = tmp_path / "j.sqlite"
    with Journal.open(path, writable=True):
        pass
    db = sqlite3.connect(path)
    (page,) = db.execute("SELECT pageno FROM dbstat WHERE name = 'actions_by_state'").fetchone()
    (size,) = db.execute("PRAGMA page_size").fetchone()
    db.close()
    with path.open("r+b") as file:
        file.seek((page - 1) * size)
        file.write(b"\xff" * size)

    with pytest.raises(
        JournalError, match="the journal is damaged: SQLite finds its pages damaged"
    ):
        Journal.open(path, writable=writable)
