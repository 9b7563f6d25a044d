"""``keyless merge`` of snapshots that cannot be one: shards of two shard counts, one
shard collected twice, one organization ID under two management accounts.

Shards of ``--shard I/3`` and ``--shard J/2`` were refused, if at all, as "account X is
collected in … too: shards must not overlap" (or merged with accounts left to no shard,
exit 3): the cause is the count, now named. A shard collected twice (a retried job whose
first snapshot was kept) says which shard both are."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from tests.hostile.snapshots import write_shard


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("demo") / "demo.json"
    result = CliRunner().invoke(cli, ["collect", "--demo", "--out", str(path)])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def _merge(tmp_path: Path, *snapshots: Path) -> Any:
    out = tmp_path / "merged.json"
    result = CliRunner().invoke(cli, ["merge", *map(str, snapshots), "--out", str(out)])
    assert not out.exists()
    return result


def test_shards_of_two_counts_are_refused_naming_the_counts(
    collected: dict[str, Any], tmp_path: Path
) -> None:
    shards = [
        write_shard(collected, 0, 3, tmp_path / "a.json"),
        write_shard(collected, 1, 3, tmp_path / "b.json"),
        write_shard(collected, 1, 2, tmp_path / "c.json"),
    ]
    result = _merge(tmp_path, *shards)
    assert result.exit_code == 2, result.output
    assert "c.json: a shard of 2 (--shard I/2)" in result.stderr
    assert "a.json one of 3" in result.stderr
    assert "with the same --shard I/N count" in result.stderr


def test_one_shard_collected_twice_is_named(collected: dict[str, Any], tmp_path: Path) -> None:
    first = write_shard(collected, 1, 3, tmp_path / "first.json")
    again = write_shard(collected, 1, 3, tmp_path / "again.json")
    result = _merge(tmp_path, write_shard(collected, 0, 3, tmp_path / "zero.json"), first, again)
    assert result.exit_code == 2, result.output
    assert "first.json too (both are shard 1/3: one shard run twice?)" in result.stderr
    assert "shards must not overlap" in result.stderr


def test_one_organization_under_two_management_accounts_is_refused(
    collected: dict[str, Any], tmp_path: Path
) -> None:
    zero = write_shard(collected, 0, 3, tmp_path / "zero.json")
    one = write_shard(collected, 1, 3, tmp_path / "one.json")
    document = json.loads(one.read_text())
    document["organization"]["management_account_id"] = "999999999999"
    one.write_text(json.dumps(document))
    result = _merge(tmp_path, zero, one)
    assert result.exit_code == 2, result.output
    assert "not a snapshot of the same organization" in result.stderr
    assert "management account 999999999999" in result.stderr


def test_shards_of_one_count_merge(collected: dict[str, Any], tmp_path: Path) -> None:
    shards = [write_shard(collected, n, 3, tmp_path / f"s{n}.json") for n in range(3)]
    out = tmp_path / "merged.json"
    result = CliRunner().invoke(cli, ["merge", *map(str, shards), "--out", str(out)])
    assert result.exit_code == 0, result.output
