"""``keyless merge`` of shards that disagree about where they came from, or about IAM
Identity Center. The merge kept the first shard's envelope silently: a live shard merged
with an export's called the export's accounts live, a first shard whose Identity Center
read failed made the merge incomplete although another shard read it, and shards that
read it differently kept the first's. Now: different sources are refused (exit 2, naming
both), Identity Center comes from a shard that read it whole, and shards that read it
whole but differently are refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("demo") / "demo.json"
    result = CliRunner().invoke(cli, ["collect", "--demo", "--out", str(path)])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(path.read_text())
    assert document["organization"]["identity_center_state"]["state"] == "available"
    assert document["organization"]["identity_center"]["identity_store_id"]
    return document


def _shard(collected: dict[str, Any], path: Path, index: int, **edits: Any) -> Path:
    document = json.loads(json.dumps(collected))
    document["accounts"] = [document["accounts"][index]]
    for key, value in edits.items():
        if key == "identity_center":
            document["organization"].update(value)
        else:
            document[key] = value
    path.write_text(json.dumps(document))
    return path


def _merge(*paths: Path, out: Path) -> Any:
    return CliRunner().invoke(cli, ["merge", *map(str, paths), "--out", str(out)])


def test_shards_of_different_sources_are_refused(collected: dict[str, Any], tmp_path: Path) -> None:
    first = _shard(collected, tmp_path / "a.json", 0)
    second = _shard(collected, tmp_path / "b.json", 1, source="export")
    out = tmp_path / "merged.json"
    result = _merge(first, second, out=out)
    assert result.exit_code == 2, result.output
    line = result.stderr.splitlines()[0]
    assert line == (
        f"keyless: error: {second}: a snapshot of an offline export, and {first} one of the"
        " demo estate: the shards of one snapshot come from one source"
    )
    assert not out.exists()


def test_identity_center_comes_from_the_shard_that_read_it(
    collected: dict[str, Any], tmp_path: Path
) -> None:
    failed = {
        "identity_center": None,
        "identity_center_state": {"state": "failed", "reason": "AccessDenied"},
    }
    first = _shard(collected, tmp_path / "a.json", 0, identity_center=failed)
    second = _shard(collected, tmp_path / "b.json", 1)
    out = tmp_path / "merged.json"
    result = _merge(first, second, out=out)
    assert result.exit_code == 0, result.output
    merged = json.loads(out.read_text())["organization"]
    assert merged["identity_center_state"]["state"] == "available"
    assert merged["identity_center"] == collected["organization"]["identity_center"]


def test_shards_that_read_identity_center_differently_are_refused(
    collected: dict[str, Any], tmp_path: Path
) -> None:
    center = json.loads(json.dumps(collected["organization"]["identity_center"]))
    center["identity_store_id"] = "d-0000000000"  # another instance read in between
    first = _shard(collected, tmp_path / "a.json", 0)
    second = _shard(collected, tmp_path / "b.json", 1, identity_center={"identity_center": center})
    out = tmp_path / "merged.json"
    result = _merge(first, second, out=out)
    assert result.exit_code == 2, result.output
    line = result.stderr.splitlines()[0]
    assert line.startswith(f"keyless: error: {second}: IAM Identity Center differs from {first}'s")
    assert not out.exists()
