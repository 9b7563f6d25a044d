"""`history` and `diff @N` (and `scan --store` without `--record`) only read the store;
given an empty file (a typo'd `--store report.txt`, a file truncated to nothing), they
wrote the store's tables into it: a read turned the user's file into a 49 KB SQLite
database. An empty file is now refused (exit 2) and left as it was; recording into it
still creates the store there, as the user asked."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli

EMPTY = "not a keyless history store: the file is empty"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"")
    return path


@pytest.mark.parametrize(
    "args",
    [("history", "--store", "{store}"), ("diff", "@1", "@2", "--store", "{store}")],
)
def test_a_read_of_an_empty_file_leaves_it_empty(empty: Path, args: tuple[str, ...]) -> None:
    result = run(*(a.format(store=empty) for a in args))
    assert result.exit_code == 2, result.output
    assert f"{empty}: {EMPTY}" in result.stderr
    assert empty.read_bytes() == b""


def test_a_scan_charting_an_empty_file_leaves_it_empty(empty: Path, tmp_path: Path) -> None:
    snapshot = tmp_path / "demo.json"
    assert run("collect", "--demo", "--out", snapshot).exit_code == 0
    result = run("scan", "--snapshot", snapshot, "--store", empty, "-q")
    assert result.exit_code == 2, result.output
    assert EMPTY in result.stderr
    assert empty.read_bytes() == b""
    recorded = run("scan", "--snapshot", snapshot, "--store", empty, "--record", "-q")
    assert recorded.exit_code == 1, recorded.output
    assert run("history", "--store", empty).exit_code == 0
