"""Bytes that are not UTF-8 in a JSON file (an export file, a plan, a snapshot) were
reported as orjson names them, "malformed JSON at line 1, column 1: str is not valid
UTF-8: surrogates not allowed", wherever they were: a line and column that pointed at
nothing, and a cause (surrogates) that was not the file's. Such a file is refused (exit 2)
saying that it is not UTF-8 text and where the first such byte is, as the readers of
text files (the credential report, trust policies) say it; an export file left compressed
(gzip, zip, xz, bzip2) is said to be."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from tests.hostile.snapshots import ACCOUNT, collected_snapshot

DETAILS = "authorization-details.json"


def _zipped(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(DETAILS, data)
    return buffer.getvalue()


def _spoiled(data: bytes, line: int, column: int) -> tuple[bytes, int]:
    """``data`` with a byte that cannot start UTF-8 text (0xFF) at ``column`` (from 0) of
    line ``line`` (from 1), and that byte's offset in the file."""
    start = 0
    for _ in range(line - 1):
        start = data.index(b"\n", start) + 1
    at = start + column
    return data[:at] + b"\xff" + data[at:], at


def test_an_export_file_that_is_not_utf8_is_refused_where_it_is(tmp_path: Path) -> None:
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    spoiled, at = _spoiled((export / DETAILS).read_bytes(), 3, 5)
    (export / DETAILS).write_bytes(spoiled)
    result = CliRunner().invoke(cli, ["scan", "--input", str(export)])
    assert result.exit_code == 2, result.output
    assert f"{DETAILS}: the file is not UTF-8 text (line 3, byte {at})" in result.stderr
    assert "surrogates" not in result.stderr


def test_a_plan_that_is_not_utf8_is_refused_where_it_is(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    written = CliRunner().invoke(cli, ["plan", "--input", str(ACCOUNT), "--out", str(plan)])
    assert written.exit_code == 0, written.output
    spoiled, at = _spoiled(plan.read_bytes(), 2, 3)
    plan.write_bytes(spoiled)
    result = CliRunner().invoke(cli, ["plan", "--check", str(plan), "--input", str(ACCOUNT)])
    assert result.exit_code == 2, result.output
    assert f"is not UTF-8 text (line 2, byte {at})" in result.stderr
    assert "surrogates" not in result.stderr


def test_a_streamed_snapshot_line_that_is_not_utf8_is_refused_where_it_is(
    tmp_path: Path,
) -> None:
    snapshot = collected_snapshot(tmp_path)
    spoiled, _ = _spoiled(snapshot.read_bytes(), 2, 40)
    snapshot.write_bytes(spoiled)
    result = CliRunner().invoke(cli, ["scan", "--snapshot", str(snapshot)])
    assert result.exit_code == 2, result.output
    assert "malformed snapshot: line 2: not UTF-8 text (byte 40 of the line)" in result.stderr
    assert "surrogates" not in result.stderr


@pytest.mark.parametrize(
    ("name", "compress", "said"),
    [
        (DETAILS, gzip.compress, "the file is not JSON: it is gzip-compressed"),
        (DETAILS, bz2.compress, "the file is not JSON: it is bzip2-compressed"),
        (DETAILS, lzma.compress, "the file is not JSON: it is xz-compressed"),
        (DETAILS, _zipped, "the file is not JSON: it is a zip archive"),
        ("credential-report.csv", gzip.compress, "the credential report is not CSV: it is gzip"),
    ],
    ids=["gzip", "bzip2", "xz", "zip", "report-gzip"],
)
def test_an_export_file_left_compressed_is_said_to_be(
    tmp_path: Path, name: str, compress: Callable[[bytes], bytes], said: str
) -> None:
    # It was "not UTF-8 text (line 1, byte 1)": true, and no help.
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    (export / name).write_bytes(compress((export / name).read_bytes()))
    result = CliRunner().invoke(cli, ["scan", "--input", str(export)])
    assert result.exit_code == 2, result.output
    assert f"{name}: {said}" in result.stderr
