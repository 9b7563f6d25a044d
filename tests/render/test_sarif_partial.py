"""A partial scan is never clean in SARIF: what was not read or not evaluated is in the
run's toolExecutionNotifications (issue #10 item 7)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from keyless.cli import cli

ACCOUNT = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "account"


def test_checks_that_could_not_run_are_notifications(tmp_path: Path) -> None:
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    (export / "credential-report.csv").unlink()
    result = CliRunner().invoke(cli, ["scan", "--input", str(export), "--format", "sarif"])
    assert result.exit_code == 3, result.output
    (run,) = json.loads(result.stdout)["runs"]
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    texts = [n["message"]["text"] for n in invocation["toolExecutionNotifications"]]
    assert any("key-not-rotated not evaluated in account" in text for text in texts), texts


def test_a_complete_scan_has_no_failed_invocation(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["scan", "--input", str(ACCOUNT), "--format", "sarif"])
    (run,) = json.loads(result.stdout)["runs"]
    assert "invocations" not in run
