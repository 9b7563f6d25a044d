"""A path with a line break or an escape in its name (a path is an option value,
and scripts build them): the file is written, and the "wrote …" line names it escaped,
so it cannot forge a second line of keyless's messages; so does an error naming it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "tests" / "collect" / "fixtures" / "account"
NAME = "out\nkeyless: error: forged\x1b[31m"


def test_collect_names_its_snapshot_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ACCOUNT, tmp_path / "export")
    result = CliRunner().invoke(cli, ["collect", "--input", "export", "--out", NAME])
    assert result.exit_code == 0, result.output
    assert "wrote out\\nkeyless: error: forged\\x1b[31m" in result.stderr
    assert "\nkeyless: error: forged" not in result.stderr
    assert (tmp_path / NAME).is_file()


def test_plan_names_its_files_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ACCOUNT, tmp_path / "export")
    result = CliRunner().invoke(
        cli, ["plan", "--input", "export", "--out", NAME, "--output", NAME + ".txt"]
    )
    assert result.exit_code in (0, 1), result.output
    assert "\nkeyless: error: forged" not in result.stderr
    assert "\x1b" not in result.stderr


def test_an_error_names_a_path_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / NAME).mkdir()
    result = CliRunner().invoke(cli, ["scan", "--input", NAME])
    assert result.exit_code == 2, result.output
    first = result.stderr.split("\n")[0]
    assert first.startswith("keyless: error: out\\nkeyless: error: forged\\x1b[31m: ")
    assert "\x1b" not in result.stderr
