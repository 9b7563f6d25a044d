"""An entry of an organization export named by a 12-digit account ID that is no
directory (the account's export saved as a file or an archive, a FIFO, a symbolic link
to nothing or to itself) was skipped: the organization was scanned without that account,
and nothing said one was there. It is refused (exit 2), naming the entry, as a directory
of an account's export not named by its ID is (test_organization_exports.py)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

ORG = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "org"


def _file(entry: Path) -> str:
    entry.write_bytes(b"PK\x03\x04")  # an account's export left zipped
    return "a file"


def _fifo(entry: Path) -> str:
    os.mkfifo(entry)
    return "not a regular file (a FIFO, device or socket)"


def _dangling(entry: Path) -> str:
    entry.symlink_to(entry.parent / "gone")
    return "a symbolic link to nothing (or to itself)"


def _itself(entry: Path) -> str:
    entry.symlink_to(entry)
    return "a symbolic link to nothing (or to itself)"


def _linked_file(entry: Path) -> str:
    (entry.parent / "export.zip").write_bytes(b"PK")
    entry.symlink_to(entry.parent / "export.zip")
    return "a symbolic link to a file"


@pytest.mark.parametrize("make", [_file, _fifo, _dangling, _itself, _linked_file])
@pytest.mark.parametrize("command", ["scan", "collect"])
def test_an_account_entry_that_is_no_directory_is_refused(
    tmp_path: Path, make: Callable[[Path], str], command: str
) -> None:
    org = tmp_path / "org"
    shutil.copytree(ORG, org)
    entry = org / "333333333333"
    kind = make(entry)
    out = tmp_path / "snapshot.json"
    arguments = ["--out", str(out)] if command == "collect" else []
    result = CliRunner().invoke(cli, [command, "--input", str(org), *arguments])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(
        f"keyless: error: {entry}: is named by an account ID but is {kind}, not the"
        " account's export directory, so the account would be skipped"
    ), result.stderr
    assert not out.exists()


def test_other_entries_are_left_alone(tmp_path: Path) -> None:
    org = tmp_path / "org"
    shutil.copytree(ORG, org)
    (org / "README.md").write_text("exported on Monday\n")
    (org / "notes").mkdir()
    result = CliRunner().invoke(cli, ["scan", "--input", str(org), "--allow-partial"])
    assert result.exit_code in (0, 1), result.output
