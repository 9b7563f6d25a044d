"""``keyless diff`` when NEW is a scan limited with ``--checks``. The other checks did not
run at all, so their findings were missing from NEW and the diff called them *fixed*
(47 of the demo's 52 after ``--checks key-unused``), from a scan document and from the
store alike: nothing had been fixed, or even looked at. Now a finding whose check NEW
did not run is *unverified*; one whose check ran and no longer finds it is still fixed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli

ONLY = "key-unused"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("scans")
    snapshot = folder / "demo.json"
    assert run("collect", "--demo", "--out", snapshot).exit_code == 0
    store = folder / "history.sqlite3"
    paths = {"snapshot": snapshot, "store": store}
    for name, extra in (("all", ()), ("only", ("--checks", ONLY))):
        paths[name] = folder / f"{name}.json"
        result = run(
            "scan", "--snapshot", snapshot, *extra, "--record", "--store", store,
            "--format", "json", "--output", paths[name],
        )  # fmt: skip
        assert result.exit_code == 1, result.output
    return paths


def _totals(*args: str | Path) -> dict[str, Any]:
    result = run("diff", *args, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    totals: dict[str, Any] = json.loads(result.stdout)["totals"]
    return totals


def _expected(scans: dict[str, Path]) -> tuple[int, int]:
    """The findings of the checks the limited scan left out, and of the one it ran."""
    findings = json.loads(scans["all"].read_text())["findings"]
    others = sum(f["check"] != ONLY for f in findings)
    return others, len(findings) - others


def test_a_scan_document_of_some_checks_fixes_nothing_else(scans: dict[str, Path]) -> None:
    others, ran = _expected(scans)
    totals = _totals(scans["all"], scans["only"])
    assert totals["findings_fixed"] == 0
    assert totals["findings_unverified"] == others > 0
    assert totals["findings_unchanged"] == ran > 0


def test_a_recorded_scan_of_some_checks_fixes_nothing_else(scans: dict[str, Path]) -> None:
    others, ran = _expected(scans)
    totals = _totals("@1", "@2", "--store", scans["store"])
    assert totals["findings_fixed"] == 0
    assert totals["findings_unverified"] == others
    assert totals["findings_unchanged"] == ran


def test_a_finding_its_check_no_longer_finds_is_fixed(
    scans: dict[str, Path], tmp_path: Path
) -> None:
    # NEW as the limited scan, but without the findings of the check it ran: fixed.
    document = json.loads(scans["only"].read_text())
    gone = sum(f["check"] == ONLY for f in document["findings"])
    document["findings"] = [f for f in document["findings"] if f["check"] != ONLY]
    edited = tmp_path / "fixed.json"
    edited.write_text(json.dumps(document))
    assert _totals(scans["all"], edited)["findings_fixed"] == gone > 0


def test_history_marks_a_scan_of_some_checks(scans: dict[str, Path]) -> None:
    """Its totals count only the checks it ran: marked as a lower bound, as a scan that
    could not read part of the estate is, never a burn-down that did not happen."""
    result = run("history", "--store", scans["store"], "--format", "json")
    assert result.exit_code == 0, result.output
    assert [scan["complete"] for scan in json.loads(result.stdout)["scans"]] == [True, False]
    text = run("history", "--store", scans["store"])
    assert "or it ran only some checks (--checks)" in " ".join(text.stdout.split())
