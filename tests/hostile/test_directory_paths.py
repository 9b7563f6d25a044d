"""A file option naming a directory (``--output .``, ``--out build/``): one
``keyless: error:`` line naming the path and the option, exit 2, as every other bad input;
before, click's three-line "Usage: … Error: Invalid value for '--output'" block."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "tests" / "collect" / "fixtures" / "account"


@pytest.mark.parametrize(
    ("arguments", "option"),
    [
        pytest.param(["scan", "--input", "export", "--output", "taken"], "--output", id="scan"),
        pytest.param(["collect", "--input", "export", "--out", "taken"], "--out", id="collect"),
        pytest.param(["plan", "--input", "export", "--out", "taken"], "--out", id="plan"),
        pytest.param(["history", "--output", "taken"], "--output", id="history"),
        pytest.param(["scan", "--snapshot", "taken"], "--snapshot", id="snapshot"),
    ],
)
def test_a_directory_given_for_a_file_is_one_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arguments: list[str], option: str
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ACCOUNT, tmp_path / "export")
    (tmp_path / "taken").mkdir()
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 2, result.output
    assert result.stderr == f"keyless: error: taken: {option} names a directory: give a file\n"
    assert list((tmp_path / "taken").iterdir()) == []
