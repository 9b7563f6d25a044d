"""``keyless plan`` on an estate whose credential report (or authorization details) was
not read (issue #10 item 7): its decisions would rest on evidence that is missing, so it
exits 3 naming what was not read and writes no plan, unless ``--allow-partial``; then the
plan document records what was not read and the decisions say their evidence is missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli

NOW = ("--now", "2025-06-01T12:00:00Z")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["plan", *args, *NOW], catch_exceptions=False)


@pytest.fixture
def without_report(export_dir: Path) -> Path:
    (export_dir / "credential-report.csv").unlink()
    return export_dir


def test_a_missing_credential_report_exits_3_naming_it(without_report: Path) -> None:
    result = run("--input", str(without_report))
    assert result.exit_code == 3
    assert (
        "not read: acme-prod (210987654321): credential report: credential-report.csv not in "
        "the export" in result.stderr
    )
    assert "--allow-partial" in result.stderr


def test_no_plan_is_written_or_shown_without_allow_partial(
    without_report: Path, tmp_path: Path
) -> None:
    out = tmp_path / "plan.json"
    result = run("--input", str(without_report), "--out", str(out))
    assert result.exit_code == 3
    assert not out.exists()
    assert result.stdout == ""


def test_allow_partial_plans_and_records_what_was_not_read(
    without_report: Path, tmp_path: Path
) -> None:
    out = tmp_path / "plan.json"
    result = run("--input", str(without_report), "--allow-partial", "--out", str(out))
    assert result.exit_code == 1  # nobody can be decided on evidence that is missing
    source = json.loads(out.read_text())["source"]
    assert source["not_read"] == [
        "acme-prod (210987654321): credential report: credential-report.csv not in the export"
    ]


def test_allow_partial_decisions_say_their_evidence_is_missing(
    without_report: Path, tmp_path: Path
) -> None:
    out = tmp_path / "plan.json"
    run("--input", str(without_report), "--allow-partial", "--out", str(out))
    users = json.loads(out.read_text())["users"]
    assert users
    assert all("usage-unknown" in json.dumps(user) for user in users)


def test_the_text_plan_says_it_is_partial(without_report: Path) -> None:
    result = run("--input", str(without_report), "--allow-partial")
    assert "partial (--allow-partial): not read: acme-prod (210987654321)" in result.stdout


@pytest.mark.parametrize(
    ("output_format", "said"),
    [
        ("markdown", "**Partial (`--allow-partial`):** not read:"),
        ("html", "Made with <code>--allow-partial</code>"),
    ],
)
def test_the_markdown_and_html_plans_say_what_was_not_read(
    without_report: Path, output_format: str, said: str
) -> None:
    result = run("--input", str(without_report), "--allow-partial", "--format", output_format)
    assert said in result.stdout
    # Markdown escapes punctuation and puts a file name (a dotted word) in a code span.
    text = result.stdout.replace("\\", "").replace("`", "")
    assert "acme-prod (210987654321): credential report: credential-report.csv" in text


def test_a_full_export_records_nothing_unread(export_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    result = run("--input", str(export_dir), "--out", str(out))
    assert result.exit_code in (0, 1)
    assert json.loads(out.read_text())["source"]["not_read"] == []


def test_allow_partial_does_not_apply_to_check(without_report: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text("{}")
    result = CliRunner().invoke(
        cli, ["plan", "--input", str(without_report), "--check", str(plan), "--allow-partial"]
    )
    assert result.exit_code == 2
    assert "--check takes only the plan and its source" in result.stderr
