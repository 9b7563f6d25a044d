"""``keyless merge`` reads each shard's snapshot twice: which accounts it collected (the
overlap and organization checks), then the accounts it writes. Each read opened the file
again by its name, so a snapshot replaced between the reads (a job uploading a shard
again, a sync tool) was merged as its new content, which the first read had not checked:
another organization's accounts, or accounts another shard also collected. Now each
snapshot is opened once and both reads go through that file: a snapshot renamed over is
not seen, and one written again in place is refused when the accounts are read."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.collect.offline.snapshot import load_snapshot, write_snapshot
from keyless.collect.shard import merge_snapshots
from keyless.errors import InputError


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("demo") / "demo.json"
    result = CliRunner().invoke(cli, ["collect", "--demo", "--out", str(path)])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(path.read_text())
    assert len(document["accounts"]) >= 2
    return document


def _write(document: dict[str, Any], path: Path, layout: str) -> Path:
    """``document`` at ``path``, read whole (one JSON text) or streamed (as collect writes)."""
    path.write_text(json.dumps(document))
    if layout == "streamed":
        write_snapshot(load_snapshot(path), path)
    return path


def _shards(collected: dict[str, Any], directory: Path, layout: str) -> list[Path]:
    """Two snapshots: the first account, and the others."""
    first, rest = json.loads(json.dumps(collected)), json.loads(json.dumps(collected))
    first["accounts"] = collected["accounts"][:1]
    rest["accounts"] = collected["accounts"][1:]
    return [_write(first, directory / "a.json", layout), _write(rest, directory / "b.json", layout)]


def _renamed(collected: dict[str, Any]) -> dict[str, Any]:
    """The first shard as a later upload would have it: its account renamed."""
    document = json.loads(json.dumps(collected))
    document["accounts"] = document["accounts"][:1]
    document["accounts"][0]["name"] = "written-later"
    return document


@pytest.mark.parametrize("layout", ["whole", "streamed"])
def test_a_snapshot_renamed_over_between_the_reads_is_not_seen(
    collected: dict[str, Any], tmp_path: Path, layout: str
) -> None:
    shards = _shards(collected, tmp_path, layout)
    accounts = merge_snapshots(shards).accounts
    later = _write(_renamed(collected), tmp_path / "later.json", layout)
    os.replace(later, shards[0])
    merged = {account.id: account for account in accounts}
    assert set(merged) == {a["id"] for a in collected["accounts"]}
    first = collected["accounts"][0]
    assert merged[first["id"]].name == first["name"]


@pytest.mark.parametrize("layout", ["whole", "streamed"])
def test_a_snapshot_written_again_in_place_between_the_reads_is_refused(
    collected: dict[str, Any], tmp_path: Path, layout: str
) -> None:
    shards = _shards(collected, tmp_path, layout)
    accounts = merge_snapshots(shards).accounts
    later = _write(_renamed(collected), tmp_path / "later.json", layout).read_bytes()
    with shards[0].open("r+b") as file:
        file.write(later)
        file.truncate()
    with pytest.raises(InputError, match="changed while keyless read it") as raised:
        list(accounts)
    assert raised.value.where == str(shards[0])


def test_an_unchanged_merge_reads_what_it_checked(
    collected: dict[str, Any], tmp_path: Path
) -> None:
    shards = _shards(collected, tmp_path, "streamed")
    out = tmp_path / "merged.json"
    result = CliRunner().invoke(cli, ["merge", *map(str, shards), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(a["id"] for a in json.loads(out.read_text())["accounts"]) == sorted(
        a["id"] for a in collected["accounts"]
    )
