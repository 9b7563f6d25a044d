"""``keyless … | head``: standard output a pipe whose reader has gone, and standard error
that cannot be written (a closed pipe, ``2> /dev/full``). click ends a closed pipe with
exit code 1, which a CI job reads as "findings at or above --fail-on", and a full
standard error was a traceback and exit 1. Now both are exit 2, as a report standard
output cannot take (``cannot write to standard output``), with no traceback and nothing
more written.

The pipes here have no reader from the start (its end closed before the command runs),
so every write fails at once: no race with a reader that stops."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

CLOSED = (
    "keyless: error: cannot write to standard output: the pipe is closed"
    " (its reader stopped reading)"
)


@pytest.fixture
def closed_pipe() -> Iterator[int]:
    """The write end of a pipe whose read end is closed."""
    read, write = os.pipe()
    os.close(read)
    yield write
    os.close(write)


def _keyless(*args: str, stdout: int | IO[str], stderr: int | IO[str]) -> Any:
    return subprocess.run(
        [sys.executable, "-m", "keyless", *args],
        stdout=stdout,
        stderr=stderr,
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize(
    "args",
    [
        ("checks",),
        ("checks", "--format", "json"),
        ("scan", "--demo", "--format", "json"),
        ("--help",),
    ],
)
def test_a_closed_standard_output_is_exit_2(closed_pipe: int, args: tuple[str, ...]) -> None:
    result = _keyless(*args, stdout=closed_pipe, stderr=subprocess.PIPE)
    assert result.returncode == 2, result.stderr
    assert result.stderr.decode().splitlines() == [CLOSED]


def test_a_closed_standard_error_is_exit_2(closed_pipe: int, tmp_path: Path) -> None:
    snapshot = tmp_path / "demo.json"
    result = _keyless(
        "collect", "--demo", "--out", str(snapshot), stdout=subprocess.PIPE, stderr=closed_pipe
    )
    assert result.returncode == 2
    assert result.stdout == b""
    assert snapshot.exists()  # written whole before its "wrote" line could not be said


def test_both_streams_into_one_closed_pipe_is_exit_2(closed_pipe: int) -> None:
    # `keyless checks 2>&1 | head`
    result = _keyless("checks", stdout=closed_pipe, stderr=closed_pipe)
    assert result.returncode == 2


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
def test_a_full_standard_error_is_exit_2(tmp_path: Path) -> None:
    with Path("/dev/full").open("w") as full:
        result = _keyless(
            "collect",
            "--demo",
            "--out",
            str(tmp_path / "demo.json"),
            stdout=subprocess.PIPE,
            stderr=full,
        )
    assert result.returncode == 2
    assert result.stdout == b""
