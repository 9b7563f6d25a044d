"""An organization collected in shards and merged gives the findings of one collection,
cross-account people included; run as users run it, on the moto server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.collect.offline.snapshot import load_snapshot
from keyless.collect.shard import Shard, shard_of
from keyless.errors import KeylessError
from tests.org.conftest import MANAGEMENT, Estate


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def endpoint(estate: Estate, monkeypatch: pytest.MonkeyPatch) -> Estate:
    monkeypatch.setenv("AWS_ENDPOINT_URL", estate.endpoint)
    return estate


def scan_document(snapshot: Path) -> dict[str, Any]:
    code, out, _ = run(
        "scan", "--snapshot", str(snapshot), "--format", "json", "--now", "2026-06-01"
    )
    assert code in (1, 3)
    return dict(json.loads(out))


def test_sharded_collection_merged_finds_what_one_collection_finds(
    endpoint: Estate, tmp_path: Path
) -> None:
    chosen = ",".join([MANAGEMENT, *endpoint.members[:6]])
    whole = tmp_path / "whole.json"
    run("collect", "--org", "--accounts", chosen, "--out", str(whole))
    expected = scan_document(whole)
    people = [
        p["evidence"]["accounts"]
        for p in expected["findings"]
        if p["check"] == "user-duplicated-across-accounts"
    ]
    assert people  # alice and bob have users in several of these accounts
    # moto makes up the member IDs, so pick a shard count that splits one person's
    # accounts between shards (a person spanning shards is the point).
    count = next(
        n
        for n in range(2, 16)
        if any(len({shard_of(a, n) for a in accounts}) > 1 for accounts in people)
    )
    shards = [tmp_path / f"shard-{n}.json" for n in range(count)]
    for n, shard in enumerate(shards):
        run(
            "collect",
            "--org",
            "--accounts",
            chosen,
            "--shard",
            f"{n}/{count}",
            "--out",
            str(shard),
        )
    merged = tmp_path / "merged.json"
    code, _, err = run("merge", *map(str, shards), "--out", str(merged))
    assert code == 0, err

    found = scan_document(merged)
    assert found["findings"] == expected["findings"]
    assert [a["status"] for a in found["accounts"]] == [a["status"] for a in expected["accounts"]]
    merged_people = [
        p["evidence"]["accounts"]
        for p in found["findings"]
        if p["check"] == "user-duplicated-across-accounts"
    ]
    # a person whose users were collected by different shards, found again once merged
    assert any(len({shard_of(a, count) for a in accounts}) > 1 for accounts in merged_people)


def test_a_shard_collects_only_its_accounts(endpoint: Estate, tmp_path: Path) -> None:
    chosen = [MANAGEMENT, *endpoint.members[:6]]
    shard = tmp_path / "shard.json"
    run("collect", "--org", "--accounts", ",".join(chosen), "--shard", "1/3", "--out", str(shard))
    scanned = {a.id for a in load_snapshot(shard).scanned_accounts}
    assert scanned == {a for a in chosen if shard_of(a, 3) == 1}


def test_overlapping_shards_are_refused(endpoint: Estate, tmp_path: Path) -> None:
    chosen = ",".join([MANAGEMENT, *endpoint.members[:2]])
    snapshot = tmp_path / "one.json"
    run("collect", "--org", "--accounts", chosen, "--out", str(snapshot))
    copy = tmp_path / "two.json"
    copy.write_bytes(snapshot.read_bytes())
    code, _, err = run("merge", str(snapshot), str(copy), "--out", str(tmp_path / "m.json"))
    assert code == 2
    assert "shards must not overlap" in err


def test_one_snapshot_named_twice_is_said_as_such(endpoint: Estate, tmp_path: Path) -> None:
    """The same file twice (or under another name) is a slip on the command line; it was
    reported as two shards collecting the same accounts."""
    snapshot = tmp_path / "one.json"
    run("collect", "--org", "--accounts", MANAGEMENT, "--out", str(snapshot))
    (tmp_path / "link.json").symlink_to(snapshot)
    code, _, err = run("merge", str(snapshot), str(snapshot), "--out", str(tmp_path / "m.json"))
    assert (code, "one.json' is named twice" in err) == (2, True), err
    code, _, err = run(
        "merge", str(snapshot), str(tmp_path / "link.json"), "--out", str(tmp_path / "m.json")
    )
    assert code == 2
    assert "link.json' is the snapshot" in err
    assert "named again" in err


@pytest.mark.parametrize("text", ["3/3", "1", "-1/2", "a/b", "0/0", "1/2/3"])
def test_a_shard_that_cannot_be_is_refused(text: str) -> None:
    with pytest.raises(KeylessError, match="is not I/N") as raised:
        Shard.parse(text)
    assert raised.value.where == "--shard"


@pytest.mark.parametrize(
    ("text", "said"),
    [("a/b", "'a/b' is not I/N, such as 0/4"), ("3/3", "3/3 is not I/N with 0 <= I < N <= 1024")],
)
def test_a_refused_shard_names_the_option_once(text: str, said: str) -> None:
    # It said "--shard: --shard 'a/b': expected I/N".
    code, _, err = run("collect", "--org", "--shard", text, "--out", "s.json")
    assert code == 2
    assert err == f"keyless: error: --shard: {said}\n"


def test_shards_split_accounts_evenly() -> None:
    accounts = [f"{n:012d}" for n in range(100_000, 103_000)]
    sizes = [sum(1 for a in accounts if shard_of(a, 4) == n) for n in range(4)]
    assert min(sizes) > 650  # 750 each on average
