"""The history store: what goes in comes back, whole scans or nothing, and a store it
did not write is refused with a clear message."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from keyless.errors import InputError
from keyless.store import open_store
from keyless.store.record import AccountRecord
from tests.store.support import record

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "docs" / "schemas" / "history-v1.sql"


def _catalogue(connection: sqlite3.Connection) -> list[tuple[str, ...]]:
    rows = connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    return [*rows, ("user_version", str(version), "", "")]


def test_the_published_schema_is_the_code_schema(tmp_path: Path) -> None:
    published = sqlite3.connect(":memory:")
    published.executescript(SCHEMA_FILE.read_text())
    open_store(tmp_path / "h.db", create=True).close()
    made = sqlite3.connect(tmp_path / "h.db")
    assert _catalogue(made) == _catalogue(published)


def test_a_recorded_scan_reads_back_unchanged(tmp_path: Path) -> None:
    original = record()
    with open_store(tmp_path / "h.db", create=True) as store:
        scan_id = store.record(original)
        assert store.load(scan_id) == original


def test_scans_are_numbered_and_named(tmp_path: Path) -> None:
    with open_store(tmp_path / "h.db", create=True) as store:
        first = store.record(record(days_later=0))
        second = store.record(record(days_later=7))
        assert store.scan_ids() == (first, second)
        assert store.resolve("latest") == second
        assert store.resolve("previous") == first
        assert store.resolve(str(first)) == first


def test_an_unknown_scan_is_an_input_error(tmp_path: Path) -> None:
    with open_store(tmp_path / "h.db", create=True) as store:
        store.record(record())
        with pytest.raises(InputError, match="no recorded scan '7'"):
            store.resolve("7")


def test_a_failure_inside_the_transaction_records_nothing(tmp_path: Path) -> None:
    good = record()
    # An account status the schema's CHECK constraint refuses: SQLite fails after the
    # scan row and before the accounts are all in.
    bad = replace(good, accounts=(*good.accounts, AccountRecord("999", "999", "vanished")))
    with open_store(tmp_path / "h.db", create=True) as store:
        store.record(good)
        with pytest.raises(sqlite3.IntegrityError):
            store.record(bad)
        assert store.scan_ids() == (1,)
    rows = sqlite3.connect(tmp_path / "h.db").execute("SELECT count(*) FROM accounts").fetchone()
    assert rows == (len(good.accounts),)


# The child records one scan, then starts a second and stops inside its transaction (the
# trace callback runs as SQLite executes the first user INSERT) until it is killed.
CHILD = """
import sqlite3, sys
from keyless.store import Store
from tests.store.support import record

connection = sqlite3.connect(sys.argv[1])
store = Store(connection, sys.argv[1])
store.record(record(users=3))
print("first recorded", flush=True)

def stop_in_the_middle(statement):
    if statement.startswith("INSERT INTO users"):
        print("writing", flush=True)
        sys.stdin.read()

connection.set_trace_callback(stop_in_the_middle)
store.record(record(users=50, days_later=7))
print("second recorded", flush=True)
"""


def test_a_process_killed_mid_write_loses_nothing_recorded_before(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline() == "first recorded\n"
    assert child.stdout.readline() == "writing\n"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert Path(f"{path}-journal").stat().st_size > 0  # the kill interrupted a transaction
    with open_store(path) as store:
        assert store.scan_ids() == (1,)
        assert store.load(1) == record(users=3)
        assert store.record(record(days_later=14)) == 2
    integrity = sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()
    assert integrity == ("ok",)


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(InputError, match="not a keyless history store"):
        open_store(path)


def test_a_store_of_another_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    open_store(path, create=True).close()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version = 2")
    connection.close()
    with pytest.raises(InputError, match="version 1 \\(user_version 2\\)"):
        open_store(path)


def test_reading_a_missing_store_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        open_store(tmp_path / "absent.db")
    assert "--record" in caught.value.describe()
    assert not (tmp_path / "absent.db").exists()


@pytest.mark.parametrize("create", [False, True])
def test_a_store_that_is_not_a_regular_file_is_refused_as_such(
    tmp_path: Path, create: bool
) -> None:
    fifo = tmp_path / "history.sqlite3"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="must be a regular file"):
        open_store(fifo, create=create)


def test_recording_never_writes_through_a_symlink(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.db"
    target.write_bytes(b"")
    link = tmp_path / "h.db"
    link.symlink_to(target)
    with pytest.raises(InputError, match="symbolic link"):
        open_store(link, create=True)
    assert target.read_bytes() == b""


def test_the_default_store_directory_is_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from keyless.store import DEFAULT_STORE

    monkeypatch.chdir(tmp_path)
    with open_store(DEFAULT_STORE, create=True) as store:
        store.record(record())
    assert (tmp_path / DEFAULT_STORE).is_file()
