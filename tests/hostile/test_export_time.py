"""``scan --input`` measures ages against the clock (an export's file times say when the
files were last copied as often as when AWS was read); ``collect --input`` recorded the
files' modification time as the snapshot's ``collected_at``, which a scan of the snapshot
measures ages against. The same export then gave other findings through a snapshot than
scanned directly. A snapshot of an export now records when keyless read it."""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from keyless.cli import cli

ACCOUNT = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "account"
#: After every date of the fixture, long before today.
COPIED = datetime(2025, 1, 1, tzinfo=UTC).timestamp()


def _scan(*arguments: str) -> dict[str, object]:
    result = CliRunner().invoke(cli, ["scan", *arguments, "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    document: dict[str, object] = json.loads(result.stdout)
    return document


def _ages(document: dict[str, object]) -> list[tuple[str, str, str]]:
    findings = document["findings"]
    assert isinstance(findings, list)
    return [(f["check"], f["resource"], f["message"]) for f in findings]


def test_a_snapshot_of_an_export_is_judged_as_the_export_is(tmp_path: Path) -> None:
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    for path in (export, *export.iterdir()):
        os.utime(path, (COPIED, COPIED))
    before = datetime.now(UTC)
    direct = _scan("--input", str(export))
    snapshot = tmp_path / "snapshot.json"
    result = CliRunner().invoke(cli, ["collect", "--input", str(export), "--out", str(snapshot)])
    assert result.exit_code == 0, result.output
    collected = datetime.fromisoformat(json.loads(snapshot.read_text())["collected_at"])
    assert before <= collected <= datetime.now(UTC)
    through = _scan("--snapshot", str(snapshot))
    assert through["now_basis"] == "snapshot"
    assert any("days" in message for _, _, message in _ages(direct))
    assert _ages(through) == _ages(direct)
