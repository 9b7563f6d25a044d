"""A history store edited by hand. SQLite keeps a BLOB in any column and a string in an
INTEGER one and a user can switch CHECK constraints off, so every
value read back is checked: a bad date, an unknown severity or a value of the wrong type
makes ``keyless history`` and ``keyless diff`` exit 2 naming the column, never a
traceback. Text from the store (a source, an account label, a user name) reaches the
terminal escaped: a newline, an ANSI escape or a bidirectional override does not act."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "tests" / "collect" / "fixtures" / "account"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with two scans of the export fixture."""
    folder = tmp_path_factory.mktemp("store")
    shutil.copytree(ACCOUNT, folder / "export")
    path = folder / "history.sqlite3"
    for _ in range(2):
        result = run("scan", "--input", folder / "export", "--record", "--store", path, "-q")
        assert result.exit_code in (0, 1), result.output
    return path


def edited(recorded: Path, tmp_path: Path, *statements: str) -> Path:
    store = tmp_path / "history.sqlite3"
    shutil.copyfile(recorded, store)
    with sqlite3.connect(store) as db:
        db.execute("PRAGMA ignore_check_constraints = ON")
        for statement in statements:
            db.execute(statement)
    return store


def assert_refused(result: Result, phrase: str) -> None:
    assert result.exit_code == 2, result.output
    assert "the history store is damaged" in result.stderr
    assert phrase in result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


EDITS = [
    ("UPDATE scans SET scanned_at = 'last tuesday'", "scans.scanned_at"),
    ("UPDATE scans SET collected_at = '2025-13-45'", "scans.collected_at"),
    ("UPDATE scans SET scanned_at = x'00ff'", "scans.scanned_at"),
    ("UPDATE scans SET source = x'1b5b33316d'", "scans.source"),
    ("UPDATE scans SET complete = 7", "scans.complete"),
    ("UPDATE scans SET command = 'rm'", "scans.command"),
    ("UPDATE accounts SET label = x'00'", "accounts.label"),
    ("UPDATE accounts SET status = 'pwned'", "accounts.status"),
    ("UPDATE findings SET severity = 'catastrophic'", "findings.severity"),
]


@pytest.mark.parametrize(("statement", "column"), EDITS)
def test_history_refuses_an_edited_row(
    recorded: Path, tmp_path: Path, statement: str, column: str
) -> None:
    assert_refused(run("history", "--store", edited(recorded, tmp_path, statement)), column)


DIFF_EDITS = [
    *EDITS[:5],
    ("UPDATE accounts SET label = x'00'", "accounts.label"),
    ("UPDATE findings SET severity = 'catastrophic'", "findings.severity"),
    ("UPDATE findings SET message = x'0102'", "findings.message"),
    ("UPDATE users SET name = x'ff'", "users.name"),
    ("UPDATE users SET console_access = 'yes'", "users.console_access"),
    ("UPDATE access_keys SET created = 'soon'", "access_keys.created"),
    ("UPDATE access_keys SET slot = 'one'", "access_keys.slot"),
]


@pytest.mark.parametrize(("statement", "column"), DIFF_EDITS)
def test_diff_refuses_an_edited_row(
    recorded: Path, tmp_path: Path, statement: str, column: str
) -> None:
    store = edited(recorded, tmp_path, statement)
    result = run("diff", "@previous", "@latest", "--store", store, "--format", "json")
    assert_refused(result, column)


def test_a_missing_table_is_a_damaged_store(recorded: Path, tmp_path: Path) -> None:
    store = edited(recorded, tmp_path, "DROP TABLE findings")
    assert_refused(run("history", "--store", store), "no such table")
    assert_refused(run("diff", "@previous", "@latest", "--store", store), "no such table")


def test_a_date_without_an_offset_is_read_as_utc(recorded: Path, tmp_path: Path) -> None:
    store = edited(recorded, tmp_path, "UPDATE scans SET scanned_at = '2025-01-01T00:00:00'")
    assert run("history", "--store", store).exit_code == 0
    assert run("diff", "@previous", "@latest", "--store", store).exit_code in (0, 1)


HOSTILE = "evil\n\x1b[2J\x1b[31mALLOW\u202etxt.exe"


def test_history_shows_an_edited_source_and_label_escaped(recorded: Path, tmp_path: Path) -> None:
    store = edited(
        recorded,
        tmp_path,
        f"UPDATE scans SET source = '{HOSTILE}'",
        f"UPDATE accounts SET label = '{HOSTILE}'",
    )
    result = run("history", "--store", store)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout
    assert "\u202e" not in result.stdout
    assert "\\x1b[2J" in result.stdout
    assert not any(line.startswith("\x1b") or line == "ALLOW" for line in result.stdout.split("\n"))


def test_diff_shows_edited_text_escaped(recorded: Path, tmp_path: Path) -> None:
    store = edited(
        recorded,
        tmp_path,
        f"UPDATE scans SET source = '{HOSTILE}'",
        f"UPDATE accounts SET label = '{HOSTILE}'",
        f"UPDATE users SET name = '{HOSTILE}' WHERE scan_id = 2",
        f"UPDATE findings SET message = '{HOSTILE}' WHERE scan_id = 2",
    )
    result = run("diff", "@previous", "@latest", "--store", store)
    assert result.exit_code in (0, 1), result.output
    assert "\x1b" not in result.stdout
    assert "\u202e" not in result.stdout
    assert "\\x1b[2J" in result.stdout
    assert "\\u202e" in result.stdout


def test_a_remade_table_is_refused_before_the_scan_is_recorded(
    recorded: Path, tmp_path: Path
) -> None:
    """A table remade by hand with other columns: recording into it failed after the
    whole scan with a traceback (``table findings has 1 columns but 7 values``)."""
    store = edited(recorded, tmp_path, "DROP TABLE findings", "CREATE TABLE findings (x TEXT)")
    before = store.read_bytes()
    export = recorded.parent / "export"
    result = run("scan", "--input", export, "--record", "--store", store, "-q")
    assert_refused(result, "the table findings has the columns (x), not (scan_id, check_id,")
    assert result.stdout == ""  # refused when the store is opened, before the scan
    assert store.read_bytes() == before
    assert_refused(run("history", "--store", store), "the table findings has the columns (x)")


def test_a_dropped_table_is_refused_when_recording(recorded: Path, tmp_path: Path) -> None:
    store = edited(recorded, tmp_path, "DROP TABLE not_evaluated")
    result = run("scan", "--input", recorded.parent / "export", "--record", "--store", store)
    assert_refused(result, "no such table: not_evaluated")
