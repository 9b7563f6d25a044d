"""A retire journal edited by hand: a dropped table or column, a BLOB where text belongs,
a date that is none, a detail nested beyond the parser's depth, a JSON column with a key
twice in one object, NaN or Infinity, or no JSON at all. Each is a JournalError
naming what is damaged (the CLI's exit 2), raised before anything contacts AWS, never a
TypeError, RecursionError or sqlite3 error in the middle of a run."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.retire.journal import Journal
from keyless.retire.model import Action, ActionKind
from keyless.retire.records import JournalError, Quarantine

NOW = datetime(2026, 1, 1, tzinfo=UTC)
KEY = "AKIAAAAAAAAAAAAAAAAA"


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    path = tmp_path / "journal.sqlite"
    opened = Journal.open(path, writable=True)
    assert opened is not None
    with opened:
        opened.start_quarantine("123456789012", KEY, "alice", NOW)
        run = opened.begin("retire", {"users": ["alice"]}, NOW)
        action = Action(ActionKind.DEACTIVATE_KEY, "123456789012", "alice", KEY, "idle")
        opened.intend(run.id, action, NOW)
    return path


def edit(path: Path, *statements: str) -> Path:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA ignore_check_constraints = ON")
        for statement in statements:
            db.execute(statement)
    return path


def read_everything(path: Path) -> tuple[tuple[Quarantine, ...], int]:
    """The journal's quarantine, and how many actions and backups it holds."""
    opened = Journal.open(path, writable=False)
    assert opened is not None
    with opened:
        return opened.quarantined(), len(opened.entries()) + len(opened.backups())


@pytest.mark.parametrize(
    ("statement", "phrase"),
    [
        ("DROP TABLE quarantine", "no table quarantine"),
        ("ALTER TABLE actions DROP COLUMN note", "table actions has no column note"),
        ("UPDATE actions SET account = x'00ff'", "account is not text"),
        ("UPDATE actions SET intended_at = 'yesterday'", "action 1 of the journal is damaged"),
        ("UPDATE actions SET detail = '" + "[" * 100_000 + "'", "depth limit exceeded"),
        ("UPDATE actions SET detail = '[1]'", "detail is not a JSON object"),
        ("UPDATE quarantine SET key_id = x'41'", "key_id is not text"),
        ("UPDATE quarantine SET by_keyless = 'yes'", "by_keyless is not 0 or 1"),
        ("UPDATE quarantine SET since = '2026-02-30T00:00:00+00:00'", "is damaged"),
        ("""UPDATE actions SET detail = '{"a": 1, "a": 2}'""", "detail#/a: a key appears twice"),
        ("UPDATE actions SET detail = '{\"a\": NaN}'", "detail is not valid JSON"),
        ("UPDATE actions SET detail = '{\"a\": -Infinity}'", "detail is not valid JSON"),
        ("UPDATE actions SET detail = 'not json'", "detail is not valid JSON"),
        ("""UPDATE runs SET request = '{"users": [], "users": ["bob"]}'""", "run 1"),
        ("UPDATE runs SET request = 'Infinity'", "run 1 of the journal is damaged"),
        ("UPDATE runs SET request = '[]'", "request is not a JSON object"),
    ],
)
def test_a_damaged_journal_is_a_journal_error(journal: Path, statement: str, phrase: str) -> None:
    edit(journal, statement)
    with pytest.raises(JournalError) as raised:
        read_everything(journal)
    assert phrase in raised.value.describe()


def test_a_time_without_an_offset_is_utc(journal: Path) -> None:
    edit(journal, "UPDATE quarantine SET since = '2026-01-01T00:00:00'")
    quarantined, _ = read_everything(journal)
    assert [q.since for q in quarantined] == [NOW]


@pytest.mark.usefixtures("no_aws")
@pytest.mark.parametrize(
    "statement", ["DROP TABLE quarantine", "UPDATE quarantine SET account = x'00'"]
)
def test_retire_status_exits_2_on_a_damaged_journal(journal: Path, statement: str) -> None:
    edit(journal, statement)
    result = CliRunner().invoke(cli, ["retire", "status", "--journal", str(journal)])
    assert result.exit_code == 2, result.output
    assert "damaged" in result.stderr
    assert "Traceback" not in result.output
