"""``keyless history`` counts the findings a configuration suppressed apart from those it
reported: an ignore of ``*`` made the findings of every later scan drop to zero, and the
history showed the debt paid. Now the drop shows as suppressed, in the text, the JSON and
the HTML; a store written before keyless kept them says unknown, never zero."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "schemas" / "history-v1.schema.json").read_text())

IGNORE_ALL = '[[ignore]]\ncheck = "*"\nreason = "accepted for the quarter"\n'


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two recorded scans of one snapshot: the second with every finding ignored."""
    folder = tmp_path_factory.mktemp("history")
    snapshot, config, store = folder / "s.json", folder / "ignore.toml", folder / "h.sqlite3"
    assert run("collect", "--demo", "--out", snapshot).exit_code == 0
    config.write_text(IGNORE_ALL)
    first = run("scan", "--snapshot", snapshot, "--record", "--store", store, "-q")
    assert first.exit_code == 1, first.output
    second = run("scan", "--snapshot", snapshot, "--config", config, "--record",
                 "--store", store, "-q")  # fmt: skip
    assert second.exit_code == 0, second.output
    return store


def _document(store: Path) -> dict[str, Any]:
    result = run("history", "--store", store, "--format", "json")
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    jsonschema.validate(document, SCHEMA)
    return document


def _rows(text: str) -> list[list[str]]:
    """The first cells of each table row (rich draws ``│`` between cells)."""
    return [[cell.strip() for cell in line.split("│")][:4] for line in text.splitlines()]


def test_the_json_counts_what_an_ignore_hides_as_suppressed(store: Path) -> None:
    before, after = (scan["total"] for scan in _document(store)["scans"])

    reported = sum(before["findings"].values())
    assert reported > 0
    assert before["suppressed"] == 0
    assert sum(after["findings"].values()) == 0
    assert after["suppressed"] == reported


def test_each_account_counts_its_own(store: Path) -> None:
    _, after = _document(store)["scans"]

    per_account = [counts["suppressed"] for counts in after["accounts"].values()]
    assert sum(per_account) == after["total"]["suppressed"]
    assert all(number > 0 for number in per_account)


def test_the_text_shows_the_suppressed_series(store: Path) -> None:
    reported = _document(store)["scans"][-1]["total"]["suppressed"]
    result = run("history", "--store", store)

    assert result.exit_code == 0, result.output
    assert ["suppressed", "0", str(reported), f"+{reported}"] in _rows(result.stdout)


def test_the_html_has_a_suppressed_column_and_line(store: Path) -> None:
    result = run("history", "--store", store, "--format", "html")

    assert result.exit_code == 0, result.output
    assert '<th class="num">suppressed</th>' in result.stdout
    assert 'class="tone-info">suppressed<' in result.stdout


def test_a_store_written_before_keyless_kept_them_says_unknown(store: Path, tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite3"
    old.write_bytes(store.read_bytes())
    with sqlite3.connect(old) as db:  # as a store of keyless 0.1.0
        db.execute("DROP TABLE suppressed_findings")

    scans = _document(old)["scans"]
    text = run("history", "--store", old)

    assert [scan["total"]["suppressed"] for scan in scans] == [None, None]
    assert all(
        counts["suppressed"] is None for scan in scans for counts in scan["accounts"].values()
    )
    assert text.exit_code == 0, text.output
    assert "unknown, not zero" in " ".join(text.stdout.split())
    assert ["suppressed", "?", "?", ""] in _rows(text.stdout)
