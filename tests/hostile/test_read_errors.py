"""A snapshot whose read fails with an I/O error (a failing disk, a network file system
that drops out; ``/proc/self/mem`` fails the same way on Linux: a regular file by
``stat``, whose first read is EIO). The other readers (``keyless.files.read_bytes``)
turn a failed read into "cannot read …", exit 2; the snapshot reader and `diff`'s first
look at a document read the file themselves and ended in a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli

FAILING = Path("/proc/self/mem")

pytestmark = pytest.mark.skipif(
    not FAILING.is_file(), reason="needs Linux's /proc/self/mem, a file whose read fails"
)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def _assert_unreadable(result: Result, what: str) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == 2, result.output
    assert result.stderr == (f"keyless: error: {FAILING}: cannot read {what}: {os.strerror(5)}\n")


def test_the_file_does_fail_to_read() -> None:
    with FAILING.open("rb") as file, pytest.raises(OSError, match="Input/output error"):
        file.read(1)


@pytest.mark.parametrize(
    "args",
    [
        ("scan", "--snapshot", str(FAILING)),
        ("plan", "--snapshot", str(FAILING)),
        ("merge", str(FAILING), "--out", "{tmp}/merged.json"),
    ],
)
def test_a_snapshot_that_fails_to_read(args: tuple[str, ...], tmp_path: Path) -> None:
    _assert_unreadable(run(*(a.format(tmp=tmp_path) for a in args)), "the snapshot")


def test_a_diff_document_that_fails_to_read(tmp_path: Path) -> None:
    document = tmp_path / "scan.json"
    assert run("scan", "--demo", "--format", "json", "--output", str(document)).exit_code == 1
    _assert_unreadable(run("diff", str(document), str(FAILING)), "the scan or snapshot")
