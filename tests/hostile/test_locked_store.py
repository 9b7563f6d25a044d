"""A history store another process holds locked (a scan recording into it, or any
program with a transaction open on it) for longer than keyless waits. Recording into it
ended in a traceback and exit code 1 (which means "findings"), and `diff` and
`history` called it "not a keyless history store". Now each says the store is locked
by another process (exit 2), and nothing is recorded."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli
from keyless.store import database

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "tests" / "collect" / "fixtures" / "account"
LOCKED = "the history store is locked by another process"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ACCOUNT, tmp_path / "export")
    path = tmp_path / "history.sqlite3"
    for _ in range(2):
        result = run("scan", "--input", tmp_path / "export", "--record", "--store", path, "-q")
        assert result.exit_code in (0, 1), result.output
    # Wait a moment, not half a minute, for the lock the test holds to be released.
    monkeypatch.setattr(database, "_BUSY_TIMEOUT_SECONDS", 0.05)
    return path


def _hold(path: Path, how: str) -> Iterator[sqlite3.Connection]:
    other = sqlite3.connect(path, isolation_level=None)
    other.execute(f"BEGIN {how}")
    try:
        yield other
    finally:
        other.execute("ROLLBACK")
        other.close()


@pytest.fixture
def writing(store: Path) -> Iterator[sqlite3.Connection]:
    """Another process in a write transaction: readers may read, no one else writes."""
    yield from _hold(store, "IMMEDIATE")


@pytest.fixture
def exclusive(store: Path) -> Iterator[sqlite3.Connection]:
    """Another process holding the store whole: no one reads or writes."""
    yield from _hold(store, "EXCLUSIVE")


def _assert_locked(result: Result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == 2, result.output
    assert LOCKED in result.stderr
    assert "Traceback" not in result.output


def _scans(path: Path) -> int:
    with sqlite3.connect(path) as db:
        count: int = db.execute("SELECT count(*) FROM scans").fetchone()[0]
    return count


def test_recording_into_a_store_being_written_is_refused(
    store: Path, writing: sqlite3.Connection, tmp_path: Path
) -> None:
    result = run("scan", "--input", tmp_path / "export", "--record", "--store", store, "-q")
    _assert_locked(result)
    assert _scans(store) == 2  # read while the other process still writes


def test_diff_of_a_locked_store_says_it_is_locked(
    store: Path, exclusive: sqlite3.Connection
) -> None:
    _assert_locked(run("diff", "@previous", "@latest", "--store", store))


def test_history_of_a_locked_store_says_it_is_locked(
    store: Path, exclusive: sqlite3.Connection
) -> None:
    _assert_locked(run("history", "--store", store))


def test_a_store_free_again_is_read(store: Path) -> None:
    result = run("diff", "@previous", "@latest", "--store", store)
    assert result.exit_code in (0, 1), result.output
