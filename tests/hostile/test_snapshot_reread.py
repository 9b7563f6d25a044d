"""``keyless scan --snapshot`` (and every streamed read of a snapshot) reads the file
twice: each account's ID first (the outline the scan plans with), then the accounts. The
second read opened the file again by its name, so a snapshot replaced between the reads
was scanned as another file than the one outlined: accounts missing from the outline, or
another organization's. Now both reads go through one open file: a snapshot renamed over
is not seen, and one written again in place is refused."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.collect.offline.snapshot import load_snapshot, write_snapshot
from keyless.collect.offline.snapshot_passes import stream_snapshot
from keyless.errors import InputError


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.json"
    result = CliRunner().invoke(cli, ["collect", "--demo", "--out", str(path)])
    assert result.exit_code == 0, result.output
    return path


def _later(collected: Path, tmp_path: Path, layout: str) -> Path:
    """The snapshot as a later collection wrote it: one account fewer, the others renamed."""
    document: dict[str, Any] = json.loads(collected.read_text())
    document["accounts"] = document["accounts"][1:]
    for account in document["accounts"]:
        account["name"] = "written-later"
    path = tmp_path / "later.json"
    path.write_text(json.dumps(document))
    if layout == "streamed":
        write_snapshot(load_snapshot(path), path)
    return path


@pytest.fixture(params=["whole", "streamed"])
def snapshot(request: pytest.FixtureRequest, collected: Path, tmp_path: Path) -> Path:
    path = tmp_path / "snapshot.json"
    if request.param == "whole":
        path.write_text(json.dumps(json.loads(collected.read_text())))
    else:
        path.write_bytes(collected.read_bytes())
    return path


def test_a_snapshot_renamed_over_between_the_reads_is_not_seen(
    snapshot: Path, collected: Path, tmp_path: Path
) -> None:
    outline, accounts = stream_snapshot(snapshot)
    os.replace(_later(collected, tmp_path, "streamed"), snapshot)
    read = list(accounts)
    assert [a.id for a in read] == [a.id for a in outline.accounts]
    assert "written-later" not in {a.name for a in read}


def test_a_snapshot_written_again_in_place_between_the_reads_is_refused(
    snapshot: Path, collected: Path, tmp_path: Path
) -> None:
    _, accounts = stream_snapshot(snapshot)
    later = _later(collected, tmp_path, "streamed").read_bytes()
    with snapshot.open("r+b") as file:
        file.write(later)
        file.truncate()
    with pytest.raises(InputError, match="changed while keyless read it"):
        list(accounts)
