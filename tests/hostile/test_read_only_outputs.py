"""An existing output file that is read-only (``chmod a-w report.json``) was replaced:
keyless writes a temporary file and renames it over the old one, which needs only the
directory to be writable, so the file's own permissions were never asked. The shell's
``>`` refuses such a file; every writer now refuses it before any work is done (exit 2,
one line and a hint), and leaves it as it was (docs/files.md)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from tests.hostile.test_linked_output_parents import WRITERS, workspace

__all__ = ["workspace"]

#: The writers of one file, written whole (the history store is a database, written in
#: place; ``generate --out`` is a folder).
FILE_WRITERS = [
    name for name, (_, _, folder) in WRITERS.items() if not folder and "--store" not in name
]


@pytest.mark.parametrize("writer", FILE_WRITERS)
def test_a_read_only_output_is_refused_and_left_as_it_was(workspace: Path, writer: str) -> None:
    arguments, before, _ = WRITERS[writer]
    if before is not None:
        before(workspace)
    out = workspace / "out"
    out.write_text("kept")
    out.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    result = CliRunner().invoke(cli, arguments("out"))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("keyless: error: out: cannot write "), result.stderr
    assert "the file is read-only" in result.stderr.splitlines()[0]
    assert len(result.stderr.splitlines()) <= 2, result.stderr
    assert out.read_text() == "kept"
    assert [p.name for p in workspace.iterdir() if p.name.startswith(".out")] == []


@pytest.mark.parametrize("writer", FILE_WRITERS[:1])
def test_a_writable_output_is_still_replaced(workspace: Path, writer: str) -> None:
    arguments, before, _ = WRITERS[writer]
    if before is not None:
        before(workspace)
    out = workspace / "out"
    out.write_text("old")
    out.chmod(stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP)
    result = CliRunner().invoke(cli, arguments("out"))
    assert result.exit_code in (0, 1), result.output
    assert out.read_text() != "old"
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
