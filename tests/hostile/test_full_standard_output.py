"""A report to standard output when the output cannot be written: ``keyless scan >
report.json`` on a full disk (``/dev/full`` fails every write with ENOSPC on Linux), or
a command started with standard output closed (``>&-``: Python has no ``sys.stdout``).
Every command ended in a traceback and exit code 1, which a CI job reads as "findings
at or above --fail-on". Now it is one line naming the cause, exit 2, as a failed
``--output`` is."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

FULL = Path("/dev/full")

pytestmark = pytest.mark.skipif(not FULL.exists(), reason="needs Linux's /dev/full")


def run_into_full(*args: str) -> subprocess.CompletedProcess[str]:
    with FULL.open("w") as full:
        return subprocess.run(
            [sys.executable, "-m", "keyless", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            timeout=120,
        )


@pytest.mark.parametrize(
    "args",
    [
        ("checks",),
        ("checks", "--format", "json"),
        ("scan", "--demo"),
        ("scan", "--demo", "--format", "json"),
    ],
)
def test_a_full_standard_output_is_an_error(args: tuple[str, ...]) -> None:
    result = run_into_full(*args)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        "keyless: error: cannot write to standard output: No space left on device",
        "Free space where the output goes, or write it elsewhere with --output (or --out).",
    ]


def _close_standard_output() -> None:
    os.close(1)


@pytest.mark.parametrize("args", [("checks",), ("scan", "--demo")])
def test_a_closed_standard_output_is_an_error(args: tuple[str, ...]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "keyless", *args],
        stderr=subprocess.PIPE,
        text=True,
        check=False,
        timeout=120,
        preexec_fn=_close_standard_output,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines()[0] == (
        "keyless: error: cannot write to standard output: it is closed"
    )
