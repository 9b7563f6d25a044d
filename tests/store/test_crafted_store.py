"""A history store crafted by hand (a store is a SQLite file a user may be handed): what
SQLite lets a file hold that keyless never writes is refused with a message (exit 2),
never a traceback or a command that does not end."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from keyless.errors import InputError
from keyless.store import open_store
from keyless.store.schema import ADDED_IN_1, STATEMENTS, VERSION
from tests.store.support import assert_damaged, edit, record, run_on, two_scans

FORMATS = {"history": ("text", "json", "html"), "diff": ("text", "json", "markdown")}
COMMANDS = [
    [command, *(["@previous", "@latest"] if command == "diff" else []), "--format", output]
    for command, outputs in FORMATS.items()
    for output in outputs
]


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return two_scans(tmp_path / "h.sqlite3")


#: A view in the place of a table, yielding rows without end (a read never returned).
ENDLESS_USERS = (
    "CREATE VIEW users (scan_id, account, arn, name, console_access, mfa_active) AS"
    " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n)"
    " SELECT 1, '111111111111', 'arn:aws:iam::111111111111:user/u' || i, 'u', 0, 0 FROM n"
)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_view_in_place_of_a_table_is_refused(store: Path, command: list[str]) -> None:
    edit(store, "DROP TABLE users", ENDLESS_USERS)
    assert_damaged(run_on(store, command), "a view 'users', which keyless never makes")


def test_a_trigger_is_refused_before_a_scan_is_recorded(store: Path) -> None:
    edit(store, "CREATE TRIGGER wipe AFTER INSERT ON scans BEGIN DELETE FROM findings; END")
    with pytest.raises(Exception, match="a trigger 'wipe', which keyless never makes"):
        open_store(store, create=True)


def test_a_generated_column_is_a_remade_table(store: Path) -> None:
    edit(
        store,
        "ALTER TABLE users RENAME TO old_users",
        "CREATE TABLE users (scan_id, account, arn, name, console_access, mfa_active,"
        " big AS (zeroblob(1000000000)))",
    )
    assert_damaged(run_on(store, ["history"]), "the table users has the columns")


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"], ids=["first", "last"]
)
def test_a_date_with_no_utc_value_is_refused(store: Path, command: list[str], moment: str) -> None:
    """An offset at the edge of the calendar: converting it to UTC overflowed when the
    history was drawn (a traceback)."""
    edit(store, f"UPDATE scans SET scanned_at = '{moment}', collected_at = '{moment}'")
    assert_damaged(run_on(store, command), "expected a date with a UTC value")


def test_a_key_date_with_no_utc_value_is_refused(store: Path) -> None:
    edit(store, "UPDATE access_keys SET created = '9999-12-31T23:59:59-12:00'")
    assert_damaged(run_on(store, ["diff", "@previous", "@latest"]), "access_keys.created of scan")


@pytest.mark.parametrize("output", FORMATS["diff"])
def test_text_that_is_not_utf8_is_refused_and_shown_cut(store: Path, output: str) -> None:
    """Python's sqlite3 raises its own error for it, which has no SQLite error name (an
    AttributeError traceback); its message quotes the whole value."""
    edit(store, "UPDATE users SET name = CAST(x'ff' || zeroblob(100000) AS TEXT)")
    result = run_on(store, ["diff", "@previous", "@latest", "--format", output])
    assert_damaged(result, "Could not decode to UTF-8 column 'name'")
    assert len(result.stderr) < 1000


@pytest.mark.parametrize(
    ("reference", "message"),
    [("", "'': names nothing (an empty argument)"), ("a\x00b", "holds a NUL character")],
)
def test_a_reference_that_names_no_path_is_refused(
    store: Path, reference: str, message: str
) -> None:
    """An empty argument read as the working directory ("is not a file", naming nothing);
    a NUL character (from Python) was a ValueError traceback."""
    result = run_on(store, ["diff", reference, "@latest"])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert message in result.stderr


#: A CHECK that writes a gigabyte for every row recorded (and every row it is tried on).
COSTLY = "CHECK (length(zeroblob(1000000000)) > 0)"


@pytest.mark.parametrize(
    ("statements", "message"),
    [
        (
            (
                "ALTER TABLE users RENAME TO old_users",
                "CREATE TABLE users (scan_id INTEGER, account TEXT, arn TEXT, name TEXT,"
                f" console_access INTEGER, mfa_active INTEGER {COSTLY})",
                "INSERT INTO users SELECT * FROM old_users",
                "DROP TABLE old_users",
            ),
            "the table 'users' is not as keyless makes it",
        ),
        (
            ("CREATE INDEX costly ON findings (length(zeroblob(1000000000)))",),
            "the index 'costly' is not as keyless makes it",
        ),
        (
            (
                "DROP INDEX findings_by_scan",
                "CREATE INDEX findings_by_scan ON findings (length(zeroblob(1000000000)))",
            ),
            "the index 'findings_by_scan' is not as keyless makes it",
        ),
    ],
    ids=["table-check", "extra-index", "remade-index"],
)
def test_a_table_or_index_remade_with_the_same_columns_is_refused(
    store: Path, statements: tuple[str, ...], message: str
) -> None:
    """The columns were all that was compared: an expensive CHECK or index passed, and
    ran on every row recorded."""
    edit(store, *statements)

    assert_damaged(run_on(store, ["history"]), message)
    with pytest.raises(InputError, match=message):
        open_store(store, create=True)


def test_every_form_keyless_wrote_is_accepted(tmp_path: Path) -> None:
    """A store made before suppressed_findings (which it gains by the same statement when
    it next records), laid out with other white space, is a store keyless made."""
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    for statement in STATEMENTS:
        if statement not in ADDED_IN_1:
            db.execute(" ".join(statement.split()))
    db.execute(f"PRAGMA user_version = {VERSION}")
    db.commit()
    db.close()
    path.chmod(0o600)

    with open_store(path, create=True) as opened:
        opened.record(record())
    result = run_on(path, ["history", "--format", "json"])

    assert result.exit_code == 0, result.output
