"""The terminal report, snapshot-style: time frozen, width fixed, colours off.

Regenerate the golden files with KEYLESS_REGEN=1 after an intended change, and read the
diff like a user would.
"""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console

from keyless.collect.offline.export import load_export
from keyless.engine import run_checks
from keyless.findings import Severity
from keyless.render.text import render_text

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "collect" / "fixtures"
GOLDEN = Path(__file__).parent / "golden"
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def report(export: str) -> str:
    result = run_checks(load_export(FIXTURES / export), now=NOW)
    buffer = io.StringIO()
    console = Console(file=buffer, width=100, no_color=True, highlight=False)
    render_text(result, console, fail_on=Severity.HIGH)
    return buffer.getvalue()


@pytest.mark.parametrize("export", ["account", "org"])
def test_report_matches_golden(export: str) -> None:
    text = report(export)
    golden = GOLDEN / f"{export}.txt"
    if os.environ.get("KEYLESS_REGEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text)
    assert text == golden.read_text()


def test_report_names_every_finding_resource() -> None:
    result = run_checks(load_export(FIXTURES / "account"), now=NOW)
    text = report("account")
    assert result.findings
    for finding in result.findings:
        assert finding.resource in text
        assert finding.check in text


def test_a_gap_that_stops_many_checks_is_one_row() -> None:
    """A missing credential report stops a dozen checks for one reason: one row per
    account and reason, with the count and the check families (the JSON lists each)."""
    text = report("org")
    table = text[text.index("NOT EVALUATED") : text.index("checks could not run")]
    assert table.count("222222222222") == 2  # its two reasons: two rows, not twelve
    assert "9 checks: account-*, key-*, user-*" in table
    assert "root-access-key, root-without-mfa," in table
