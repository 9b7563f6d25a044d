"""A user ``authorization-details.json`` lists but the credential report has no row for
(created after the report was generated: AWS makes a new one at most every four hours, or
a row cut out of the file): its keys, password and MFA are unknown. They were read as
none, so the scan called the account fully evaluated and ``plan`` retired the user as
"nothing in use". The report is now missing for the account, naming the user: the
checks that need it are not evaluated (exit 3), and ``plan`` makes no plan (exit 3)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

ACCOUNT = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "account"
REPORT = "credential-report.csv"


@pytest.fixture
def export(tmp_path: Path) -> Path:
    """The account export without alice's row (she has a console password in use)."""
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    lines = (export / REPORT).read_text().splitlines(keepends=True)
    assert lines[2].startswith("alice,")
    assert ",true," in lines[2]
    (export / REPORT).write_text("".join(lines[:2] + lines[3:]))
    return export


def test_the_scan_says_the_report_is_missing_for_the_user(export: Path) -> None:
    result = CliRunner().invoke(cli, ["scan", "--input", str(export), "--format", "json"])

    assert result.exit_code == 3, result.output
    document = json.loads(result.stdout)
    assert document["fully_evaluated"] is False
    assert "no row for 1 user (created after it was generated?): alice" in result.stdout


def test_plan_makes_no_plan_that_retires_the_user(export: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(cli, ["plan", "--input", str(export), "--out", str(out)])

    assert result.exit_code == 3, result.output
    assert "credential report: the credential report has no row for 1 user" in result.stderr
    assert not out.exists()


def test_a_report_with_every_user_is_available(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["scan", "--input", str(ACCOUNT), "--format", "json"])

    assert result.exit_code == 1, result.output
    assert "no row for" not in result.stdout
