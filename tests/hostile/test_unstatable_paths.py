"""Paths the system refuses to look up: a file name longer than the file system allows
(``ENAMETOOLONG``; the same path handling as a directory the user cannot enter). The
path types of the CLI say "cannot be read"; `diff OLD NEW` (whose arguments may be @N,
so they are plain strings) and `plan --workflows` looked them up with
``Path.is_file`` / ``Path.exists``, which raise for these, and ended in a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli

#: Longer than NAME_MAX (255 on Linux and macOS).
TOO_LONG = "n" * 300


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def _assert_refused(result: Result, phrase: str) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == 2, result.output
    assert phrase in result.stderr


@pytest.fixture(scope="module")
def scan_document(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("scan") / "scan.json"
    result = run("scan", "--demo", "--format", "json", "--output", str(path))
    assert result.exit_code == 1, result.output
    return str(path)


@pytest.mark.parametrize("side", ["old", "new"])
def test_diff_of_a_name_too_long(scan_document: str, side: str) -> None:
    args = (TOO_LONG, scan_document) if side == "old" else (scan_document, TOO_LONG)
    _assert_refused(run("diff", *args), f"{TOO_LONG}: cannot be read (File name too long)")


def test_diff_of_a_missing_file_and_of_a_directory(scan_document: str, tmp_path: Path) -> None:
    _assert_refused(run("diff", scan_document, str(tmp_path / "gone.json")), ": does not exist")
    _assert_refused(run("diff", scan_document, str(tmp_path)), ": is not a file")


def test_plan_workflows_of_a_name_too_long() -> None:
    _assert_refused(
        run("plan", "--demo", "--workflows", TOO_LONG),
        f"{TOO_LONG}: cannot be read (File name too long)",
    )
