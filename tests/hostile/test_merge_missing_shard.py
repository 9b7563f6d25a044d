"""``keyless merge`` of some of an organization's shards, not all: each shard's snapshot
names every account, those of the other shards skipped ("collected by shard j/N"). With
one shard's snapshot left out (a failed job, a glob that missed a file), its accounts
were skipped everywhere, so the merge kept them as skipped, exited 0, and a scan of the
merged snapshot counted them as skipped on purpose (which does not change the exit
code): accounts never read, reported as clean. Now they are written as failed, naming
the missing shard, and the merge and the scan exit 3."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.collect.shard import shard_of
from tests.hostile.snapshots import skipped_account, write_shard

COUNT = 3


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("demo") / "demo.json"
    result = CliRunner().invoke(cli, ["collect", "--demo", "--out", str(path)])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(path.read_text())
    # Every shard of three collects at least one of the demo's accounts.
    assert {shard_of(a["id"], COUNT) for a in document["accounts"]} == set(range(COUNT))
    return document


def _shard(collected: dict[str, Any], index: int, directory: Path) -> Path:
    return write_shard(collected, index, COUNT, directory / f"shard-{index}.json")


def _invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def test_a_merge_without_one_shard_reports_its_accounts_unread(
    collected: dict[str, Any], tmp_path: Path
) -> None:
    shards = [_shard(collected, n, tmp_path) for n in range(COUNT)]
    out = tmp_path / "merged.json"
    result = _invoke("merge", str(shards[0]), str(shards[2]), "--out", str(out))
    assert result.exit_code == 3, result.output
    left_out = [a["id"] for a in collected["accounts"] if shard_of(a["id"], COUNT) == 1]
    assert f"{len(left_out)} not read" in result.stderr
    merged = {a["id"]: a for a in json.loads(out.read_text())["accounts"]}
    for account_id in left_out:
        assert merged[account_id]["status"] == "failed"
        assert merged[account_id]["error"] == (
            "not collected: left to shard 1/3, but no merged snapshot collected it"
        )
    scan = _invoke("scan", "--snapshot", str(out), "--format", "json", "--fail-on", "critical")
    assert scan.exit_code == 3, scan.output
    statuses = {a["id"]: a["status"] for a in json.loads(scan.stdout)["accounts"]}
    assert all(statuses[account_id] == "failed" for account_id in left_out)


def test_a_merge_of_every_shard_is_complete(collected: dict[str, Any], tmp_path: Path) -> None:
    shards = [_shard(collected, n, tmp_path) for n in range(COUNT)]
    out = tmp_path / "merged.json"
    result = _invoke("merge", *map(str, shards), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "not read" not in result.stderr
    statuses = {a["status"] for a in json.loads(out.read_text())["accounts"]}
    assert statuses == {"scanned"}


def test_an_account_skipped_everywhere_for_another_reason_staysskipped_account(
    collected: dict[str, Any], tmp_path: Path
) -> None:
    shards = []
    for n in range(COUNT):
        path = _shard(collected, n, tmp_path)
        document = json.loads(path.read_text())
        # The management account, suspended: every shard records it skipped for that.
        document["accounts"][0] = skipped_account(
            collected["accounts"][0], "account is SUSPENDED in AWS Organizations"
        )
        path.write_text(json.dumps(document))
        shards.append(path)
    out = tmp_path / "merged.json"
    result = _invoke("merge", *map(str, shards), "--out", str(out))
    assert result.exit_code == 0, result.output
    merged = {a["id"]: a for a in json.loads(out.read_text())["accounts"]}
    assert merged[collected["accounts"][0]["id"]]["status"] == "skipped"


def test_an_account_the_owning_shard_did_not_list_is_unread(
    collected: dict[str, Any], tmp_path: Path
) -> None:
    # The account joined the organization after shard 1 listed the accounts: shard 1's
    # snapshot lacks it, the other shards left it to shard 1.
    shards = [_shard(collected, n, tmp_path) for n in range(COUNT)]
    joined = next(a["id"] for a in collected["accounts"] if shard_of(a["id"], COUNT) == 1)
    document = json.loads(shards[1].read_text())
    document["accounts"] = [a for a in document["accounts"] if a["id"] != joined]
    shards[1].write_text(json.dumps(document))
    out = tmp_path / "merged.json"
    result = _invoke("merge", *map(str, shards), "--out", str(out))
    assert result.exit_code == 3, result.output
    merged = {a["id"]: a for a in json.loads(out.read_text())["accounts"]}
    assert merged[joined]["status"] == "failed"
    assert merged[joined]["error"] == (
        "not collected: left to shard 1/3, but no merged snapshot collected it"
    )
