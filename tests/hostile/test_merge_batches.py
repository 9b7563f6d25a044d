"""``keyless merge`` of an organization collected in ``--accounts`` batches, one batch's
snapshot missing (a failed job, a glob that missed a file). Each batch records the accounts
outside its ``--accounts`` as skipped ("not selected by --accounts"), so the missing
batch's accounts were skipped in every merged snapshot: the merge kept them skipped and
exited 0, as if left out on purpose. Now they are written as failed, named on standard
error, and the merge exits 3, unless a snapshot records them as left out on purpose
(``--exclude-accounts``, suspended)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.collect.shard import EXCLUDED, NOT_SELECTED, OTHER_SHARD, UNSELECTED, shard_of
from tests.hostile.snapshots import skipped_account

BATCHES = 3


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("demo") / "demo.json"
    result = CliRunner().invoke(cli, ["collect", "--demo", "--out", str(path)])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(path.read_text())
    assert len(document["accounts"]) >= BATCHES
    return document


def _batch_of(collected: dict[str, Any], account_id: str) -> int:
    """Accounts dealt to the batches in turn, as a person splitting a list would."""
    ids = [a["id"] for a in collected["accounts"]]
    return ids.index(account_id) % BATCHES


def _batch(
    collected: dict[str, Any], index: int, directory: Path, excluded: frozenset[str] = frozenset()
) -> Path:
    """The snapshot of `collect --org --accounts <batch index> [--exclude-accounts ...]`."""
    document = json.loads(json.dumps(collected))
    document["accounts"] = [
        skipped_account(account, EXCLUDED)
        if account["id"] in excluded
        else account
        if _batch_of(collected, account["id"]) == index
        else skipped_account(account, NOT_SELECTED)
        for account in document["accounts"]
    ]
    path = directory / f"batch-{index}.json"
    path.write_text(json.dumps(document))
    return path


def _merge(*paths: Path, out: Path, quiet: bool = False) -> Any:
    flags = ["--quiet"] if quiet else []
    return CliRunner().invoke(cli, ["merge", *map(str, paths), "--out", str(out), *flags])


def test_a_merge_without_one_batch_names_its_accounts_unread(
    collected: dict[str, Any], tmp_path: Path
) -> None:
    batches = [_batch(collected, n, tmp_path) for n in range(BATCHES)]
    out = tmp_path / "merged.json"
    result = _merge(batches[0], batches[2], out=out, quiet=True)
    assert result.exit_code == 3, result.output
    left_out = sorted(a["id"] for a in collected["accounts"] if _batch_of(collected, a["id"]) == 1)
    assert result.stderr.splitlines() == [
        f"  not read: {account_id}: {UNSELECTED}" for account_id in left_out
    ]
    merged = {a["id"]: a for a in json.loads(out.read_text())["accounts"]}
    for account_id in left_out:
        assert merged[account_id]["status"] == "failed"
        assert merged[account_id]["error"] == UNSELECTED
    scan = _invoke_scan(out)
    assert scan.exit_code == 3, scan.output


def _invoke_scan(snapshot: Path) -> Any:
    return CliRunner().invoke(
        cli, ["scan", "--snapshot", str(snapshot), "--format", "json", "--fail-on", "critical"]
    )


def test_a_merge_of_every_batch_is_complete(collected: dict[str, Any], tmp_path: Path) -> None:
    batches = [_batch(collected, n, tmp_path) for n in range(BATCHES)]
    out = tmp_path / "merged.json"
    result = _merge(*batches, out=out)
    assert result.exit_code == 0, result.output
    assert "not read" not in result.stderr
    statuses = {a["status"] for a in json.loads(out.read_text())["accounts"]}
    assert statuses == {"scanned"}


def test_an_account_a_batch_excludes_staysskipped_account(
    collected: dict[str, Any], tmp_path: Path
) -> None:
    # Left out of every batch's --accounts, and given to one batch's --exclude-accounts.
    out_on_purpose = next(
        a["id"] for a in collected["accounts"] if _batch_of(collected, a["id"]) == 1
    )
    batches = [
        _batch(collected, 0, tmp_path),
        _batch(collected, 1, tmp_path, excluded=frozenset({out_on_purpose})),
        _batch(collected, 2, tmp_path),
    ]
    out = tmp_path / "merged.json"
    result = _merge(*batches, out=out)
    assert result.exit_code == 0, result.output
    merged = {a["id"]: a for a in json.loads(out.read_text())["accounts"]}
    assert merged[out_on_purpose]["status"] == "skipped"
    assert merged[out_on_purpose]["error"] == EXCLUDED


def test_a_merge_without_one_shard_names_its_accounts(
    collected: dict[str, Any], tmp_path: Path
) -> None:
    shards = []
    for index in (0, 2):
        document = json.loads(json.dumps(collected))
        document["accounts"] = [
            account
            if shard_of(account["id"], 3) == index
            else skipped_account(
                account, OTHER_SHARD.format(index=shard_of(account["id"], 3), count=3)
            )
            for account in document["accounts"]
        ]
        path = tmp_path / f"shard-{index}.json"
        path.write_text(json.dumps(document))
        shards.append(path)
    result = _merge(*shards, out=tmp_path / "merged.json", quiet=True)
    assert result.exit_code == 3, result.output
    left_out = sorted(a["id"] for a in collected["accounts"] if shard_of(a["id"], 3) == 1)
    assert left_out
    assert result.stderr.splitlines() == [
        f"  not read: {account_id}: not collected: left to shard 1/3, but no merged snapshot"
        " collected it"
        for account_id in left_out
    ]


def test_the_shards_of_one_selection_keep_the_accounts_outside_itskipped_account(
    collected: dict[str, Any], tmp_path: Path
) -> None:
    # `collect --org --accounts <batch 0> --shard I/2`: every shard leaves the others out
    # of the one --accounts they share, on purpose.
    chosen = {a["id"] for a in collected["accounts"] if _batch_of(collected, a["id"]) == 0}
    shards = []
    for index in range(2):
        document = json.loads(json.dumps(collected))
        document["accounts"] = [
            skipped_account(account, NOT_SELECTED)
            if account["id"] not in chosen
            else account
            if shard_of(account["id"], 2) == index
            else skipped_account(
                account, OTHER_SHARD.format(index=shard_of(account["id"], 2), count=2)
            )
            for account in document["accounts"]
        ]
        path = tmp_path / f"shard-{index}.json"
        path.write_text(json.dumps(document))
        shards.append(path)
    out = tmp_path / "merged.json"
    result = _merge(*shards, out=out)
    assert result.exit_code == 0, result.output
    merged = {a["id"]: a for a in json.loads(out.read_text())["accounts"]}
    assert {i for i, a in merged.items() if a["status"] == "skipped"} == set(merged) - chosen
    assert all(merged[i]["status"] == "scanned" for i in chosen)
