"""``keyless merge`` of shards collected far apart. The merged snapshot is judged as of
one moment (the earliest shard's ``collected_at``): a shard collected years later had
its keys judged years too young (a password 2,045 days old reported as 245), and one
created in between before it existed. Shards more than a day apart are refused (exit 2),
naming both; shards collected together merge as before."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli

ORG = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "org"


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("org") / "org.json"
    result = CliRunner().invoke(cli, ["collect", "--input", str(ORG), "--out", str(path)])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def _shard(collected: dict[str, Any], path: Path, index: int, moment: str | None) -> Path:
    document = json.loads(json.dumps(collected))
    document["accounts"] = [document["accounts"][index]]
    if moment is not None:
        document["collected_at"] = moment
        document["accounts"][0]["collected_at"] = moment
    path.write_text(json.dumps(document))
    return path


def test_shards_collected_years_apart_are_refused(
    collected: dict[str, Any], tmp_path: Path
) -> None:
    first = _shard(collected, tmp_path / "a.json", 0, None)
    second = _shard(collected, tmp_path / "b.json", 1, "2022-01-01T00:00:00+00:00")
    out = tmp_path / "merged.json"
    result = CliRunner().invoke(cli, ["merge", str(first), str(second), "--out", str(out)])
    assert result.exit_code == 2, result.output
    line = result.stderr.splitlines()[0]
    assert line.startswith(f"keyless: error: {first}: collected "), line
    assert f"days after {second}: a merged snapshot is judged as of one moment" in line
    assert not out.exists()


def test_shards_collected_hours_apart_merge_at_the_earliest(
    collected: dict[str, Any], tmp_path: Path
) -> None:
    earlier = "2026-01-01T00:00:00+00:00"
    first = _shard(collected, tmp_path / "a.json", 0, "2026-01-01T20:00:00+00:00")
    second = _shard(collected, tmp_path / "b.json", 1, earlier)
    out = tmp_path / "merged.json"
    result = CliRunner().invoke(cli, ["merge", str(first), str(second), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["collected_at"] == "2026-01-01T00:00:00Z"
