"""``-`` stands for standard input where keyless reads a file (``trust -``, ``--baseline
-``). Given as an output (``scan --output -``, as a script expecting standard output
writes it), every writer made a file named ``-`` in the working directory and wrote
nothing to standard output. It is refused (exit 2), naming the option, and nothing is
written; a file really named ``-`` is given by its full path. The history store
(``--store -``) and ``generate --out -`` (a folder) made a database file and a folder
named ``-``: refused the same way."""

from __future__ import annotations

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
def test_dash_as_an_output_is_refused(workspace: Path, writer: str) -> None:
    arguments, before, _ = WRITERS[writer]
    if before is not None:
        before(workspace)
    result = CliRunner().invoke(cli, arguments("-"))
    assert result.exit_code == 2, result.output
    first = result.stderr.splitlines()[0]
    assert first.startswith("keyless: error: -: refusing to write "), result.stderr
    assert "to a file named '-': - is not standard output here" in first
    assert not (workspace / "-").exists()
    assert result.stdout == ""


@pytest.mark.parametrize("writer", [name for name in WRITERS if name not in FILE_WRITERS])
def test_dash_as_a_store_or_a_folder_is_refused(workspace: Path, writer: str) -> None:
    arguments, before, _ = WRITERS[writer]
    if before is not None:
        before(workspace)
    result = CliRunner().invoke(cli, arguments("-"))
    assert result.exit_code == 2, result.output
    first = result.stderr.splitlines()[0]
    assert first.startswith("keyless: error: -: refusing "), result.stderr
    assert "named '-': - is not standard" in first
    assert not (workspace / "-").exists()


def test_a_file_named_dash_is_written_by_its_full_path(workspace: Path) -> None:
    arguments, _, _ = WRITERS["scan --output"]
    result = CliRunner().invoke(cli, arguments(str(workspace / "-")))
    assert result.exit_code in (0, 1), result.output
    assert (workspace / "-").read_text().startswith("keyless scan")
