"""Progress of ``plan`` and ``iac`` from the command line: shown on stderr when stderr is a
terminal, silent with ``--quiet`` or when stderr is not a terminal, and never in the
command's own output (stdout or ``--output``).

A terminal is forced through rich's ``TTY_COMPATIBLE=1`` (what a terminal that is not a
tty, such as a CI log viewer, sets); "not a terminal" is ``TTY_COMPATIBLE=0``, so neither
case depends on how pytest itself was started.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "tests" / "collect" / "fixtures" / "account"
IAC_TREE = ROOT / "tests" / "iac" / "corpus"


def run(monkeypatch: pytest.MonkeyPatch, terminal: bool, *args: str) -> Result:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("TTY_COMPATIBLE", "1" if terminal else "0")
    return CliRunner().invoke(cli, list(args))


def files_in(directory: Path) -> int:
    """The infrastructure files ``keyless iac`` finds under ``directory``."""
    from keyless.iac.sources import discover

    return len(discover([directory])[0])


PLAN = ("plan", "--input", str(ACCOUNT), "--now", "2025-06-01")
IAC = ("iac", str(IAC_TREE))


def test_plan_on_a_terminal_shows_what_it_waits_for(monkeypatch: pytest.MonkeyPatch) -> None:
    result = run(monkeypatch, True, *PLAN)
    assert f"reading {ACCOUNT}" in result.stderr
    assert "deciding what replaces each IAM user" in result.stderr


def test_plan_quiet_on_a_terminal_shows_no_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    result = run(monkeypatch, True, *PLAN, "--quiet")
    assert result.exit_code == run(monkeypatch, True, *PLAN).exit_code
    assert "reading" not in result.stderr
    assert "deciding" not in result.stderr


def test_plan_off_a_terminal_shows_no_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    result = run(monkeypatch, False, *PLAN)
    assert "reading" not in result.stderr
    assert "deciding" not in result.stderr


def test_plan_output_is_the_same_with_or_without_progress(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown = run(monkeypatch, True, *PLAN, "--format", "json")
    quiet = run(monkeypatch, True, *PLAN, "--format", "json", "-q")
    documents = [json.loads(result.stdout) for result in (shown, quiet)]
    for document in documents:
        del document["generated_at"]  # the moment it was written
        del document["source"]["collected_at"]  # the moment the export was read
    assert shown.exit_code == quiet.exit_code
    assert documents[0] == documents[1]


def test_iac_on_a_terminal_counts_files_read_of_files_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    total = files_in(IAC_TREE)
    result = run(monkeypatch, True, *IAC)
    assert "files" in result.stderr
    assert f"{total}/{total}" in result.stderr


def test_iac_quiet_on_a_terminal_shows_no_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    total = files_in(IAC_TREE)
    result = run(monkeypatch, True, *IAC, "-q")
    assert result.exit_code == run(monkeypatch, True, *IAC).exit_code
    assert f"{total}/{total}" not in result.stderr
    assert "\x1b" not in result.stderr


def test_iac_off_a_terminal_shows_no_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    total = files_in(IAC_TREE)
    result = run(monkeypatch, False, *IAC)
    assert f"{total}/{total}" not in result.stderr
    assert "\x1b" not in result.stderr


def test_iac_report_file_holds_no_progress(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    shown, quiet = tmp_path / "shown.txt", tmp_path / "quiet.txt"
    run(monkeypatch, True, *IAC, "--output", str(shown))
    assert run(monkeypatch, True, *IAC, "--output", str(quiet), "--quiet").exit_code == 3
    assert shown.read_text() == quiet.read_text()
    assert "\x1b" not in shown.read_text()


def test_plan_quiet_writes_its_files_without_saying_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    plan, report = tmp_path / "plan.json", tmp_path / "plan.md"
    files = ("--out", str(plan), "--format", "markdown", "--output", str(report))
    said = run(monkeypatch, False, *PLAN, *files)
    assert f"wrote {plan}" in said.stderr
    quiet = run(monkeypatch, False, *PLAN, *files, "--quiet")
    assert quiet.exit_code == said.exit_code
    assert "wrote" not in quiet.stderr
    assert plan.is_file()
    assert report.is_file()
