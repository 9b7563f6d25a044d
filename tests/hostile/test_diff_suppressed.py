"""``keyless diff`` when NEW's configuration ignores findings OLD reported. The findings
were gone from NEW's list, so the diff called them *fixed*: a ``keyless.toml`` ignore of
``*`` turned every open finding into a fix, in the text, the JSON a CI job gates on, and
the Markdown posted on a pull request. Now a finding NEW found and ignored is
*suppressed*, never fixed, in every format; one really gone is still fixed."""

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
SCHEMA = json.loads((ROOT / "docs" / "schemas" / "diff-v1.schema.json").read_text())

IGNORE_ALL = """\
[[ignore]]
check = "*"
reason = "accepted for the quarter"
"""


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("estate")
    snapshot = folder / "demo.json"
    assert run("collect", "--demo", "--out", snapshot).exit_code == 0
    (folder / "ignore-all.toml").write_text(IGNORE_ALL)
    old = folder / "old.json"
    result = run("scan", "--snapshot", snapshot, "--format", "json", "--output", old)
    assert result.exit_code == 1, result.output
    new = folder / "new.json"
    result = run(
        "scan", "--snapshot", snapshot, "--config", folder / "ignore-all.toml",
        "--format", "json", "--output", new,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return {"snapshot": snapshot, "old": old, "new": new, "config": folder / "ignore-all.toml"}


def _document(*args: str | Path) -> dict[str, Any]:
    result = run("diff", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    jsonschema.validate(document, SCHEMA)
    return document


def test_findings_ignored_by_a_new_scan_document_are_not_fixed(estate: dict[str, Path]) -> None:
    reported = len(json.loads(estate["old"].read_text())["findings"])
    totals = _document(estate["old"], estate["new"])["totals"]
    assert totals["findings_fixed"] == 0
    assert totals["findings_unverified"] == 0
    assert totals["findings_suppressed"] == reported > 0


def test_findings_ignored_when_a_snapshot_is_scanned_are_not_fixed(
    estate: dict[str, Path],
) -> None:
    document = _document(estate["old"], estate["snapshot"], "--config", estate["config"])
    assert document["totals"]["findings_fixed"] == 0
    first = document["accounts"][0]["findings"]
    assert first["fixed"] == []
    assert first["suppressed"]


def test_the_text_and_markdown_say_suppressed(estate: dict[str, Path]) -> None:
    text = run("diff", estate["old"], estate["new"])
    assert text.exit_code == 0, text.output
    words = " ".join(text.stdout.split())  # lines wrap at the terminal's width
    assert "findings 0 new, 0 fixed, 0 unverified, 0 unchanged, " in words
    assert " suppressed (" in words
    assert "its configuration ignores it: not a fix" in words
    markdown = run("diff", estate["old"], estate["new"], "--format", "markdown")
    assert "- **Suppressed**: " in markdown.stdout
    assert "- **Fixed**: " not in markdown.stdout


def test_a_finding_that_is_gone_is_still_fixed(estate: dict[str, Path], tmp_path: Path) -> None:
    # The same NEW document without its suppressed findings: they are gone, not ignored.
    document = json.loads(estate["new"].read_text())
    document["suppressed"] = []
    gone = tmp_path / "gone.json"
    gone.write_text(json.dumps(document))
    totals = _document(estate["old"], gone)["totals"]
    assert totals["findings_suppressed"] == 0
    assert totals["findings_fixed"] > 0


def test_recorded_scans_keep_what_their_configuration_ignored(
    estate: dict[str, Path], tmp_path: Path
) -> None:
    """The store kept no suppressed findings: `diff` of two recorded scans called every
    finding a new ignore hides *fixed*, as the documents did before."""
    store = tmp_path / "history.sqlite3"
    recorded = run("scan", "--snapshot", estate["snapshot"], "--record", "--store", store)
    assert recorded.exit_code == 1, recorded.output
    ignored = run(
        "scan", "--snapshot", estate["snapshot"], "--config", estate["config"],
        "--record", "--store", store,
    )  # fmt: skip
    assert ignored.exit_code == 0, ignored.output
    reported = len(json.loads(estate["old"].read_text())["findings"])
    totals = _document("@previous", "@latest", "--store", store)["totals"]
    assert totals["findings_fixed"] == 0
    assert totals["findings_suppressed"] == reported > 0


def test_a_store_written_before_the_suppressed_table_is_read_and_gains_it(
    estate: dict[str, Path], tmp_path: Path
) -> None:
    store = tmp_path / "history.sqlite3"
    assert run("scan", "--snapshot", estate["snapshot"], "--record", "--store", store).exit_code
    with sqlite3.connect(store) as db:  # as a store of the first release of version 1
        db.execute("DROP TABLE suppressed_findings")
    assert run("history", "--store", store).exit_code == 0
    ignored = run(
        "scan", "--snapshot", estate["snapshot"], "--config", estate["config"],
        "--record", "--store", store,
    )  # fmt: skip
    assert ignored.exit_code == 0, ignored.output
    totals = _document("@previous", "@latest", "--store", store)["totals"]
    assert (totals["findings_fixed"], totals["findings_suppressed"] > 0) == (0, True)
