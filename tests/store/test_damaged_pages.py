"""A store whose pages are damaged where no query of the command reads is refused when it
is opened (SQLite's ``PRAGMA quick_check``), never read as clean."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.errors import InputError
from keyless.store import open_store
from tests.store.support import record


def _first_leaf(path: Path, table: str) -> tuple[int, int]:
    """The first leaf page of ``table`` (its oldest rows) and the page size."""
    db = sqlite3.connect(path)
    try:
        (page,) = db.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY path LIMIT 1",
            (table,),
        ).fetchone()
        (size,) = db.execute("PRAGMA page_size").fetchone()
    finally:
        db.close()
    return page, size


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """Three scans of 200 users each: the first scan's users fill pages of their own."""
    path = tmp_path / "h.sqlite3"
    with open_store(path, create=True) as opened:
        for days in (0, 7, 14):
            opened.record(record(users=200, days_later=days))
    return path


def _damage_oldest_users(path: Path) -> None:
    page, size = _first_leaf(path, "users")
    with path.open("r+b") as file:
        file.seek((page - 1) * size)
        file.write(b"\xff" * size)


def test_damaged_pages_no_diff_reads_are_refused(store: Path) -> None:
    """diff @previous @latest reads the two newest scans' rows only: a damaged page of
    the first scan's users went unseen."""
    _damage_oldest_users(store)

    result = CliRunner().invoke(cli, ["diff", "@previous", "@latest", "--store", str(store)])

    assert result.exit_code == 2, result.output
    assert "the history store is damaged: SQLite finds its pages damaged" in result.stderr


def test_a_damaged_store_is_refused_before_a_scan_is_recorded(store: Path) -> None:
    _damage_oldest_users(store)

    with pytest.raises(InputError, match="SQLite finds its pages damaged"):
        open_store(store, create=True)


def test_an_undamaged_store_passes(store: Path) -> None:
    result = CliRunner().invoke(cli, ["diff", "@previous", "@latest", "--store", str(store)])

    assert result.exit_code in (0, 1), result.output
