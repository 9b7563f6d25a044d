"""A scan whose trust analyses run in worker processes gives the result of a scan in one
process, finding for finding, in the same order."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.collect.offline.export import load_export, stream_export
from keyless.engine import ScanResult, parallel, run_checks, run_checks_by_account, stream
from keyless.render.jsonout import check_run_document, finding_document

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2025, 6, 1, tzinfo=UTC)

pytestmark = pytest.mark.skipif(not parallel.can_fork(), reason="workers are forked (Linux)")


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An account of 900 roles with about 300 distinct, varied trust policies (wildcards,
    lists, negations, several providers): enough groups for the workers to be used."""
    target = tmp_path_factory.mktemp("messy") / "export"
    command = [sys.executable, str(ROOT / "benchmarks" / "generate_export.py"), str(target)]
    options = ["--profile", "messy", "--users", "40", "--roles", "900", "--policies", "20"]
    subprocess.run([*command, *options, "--groups", "5"], check=True, capture_output=True)
    return target


def documents(result: ScanResult) -> tuple[list[Any], list[Any], list[Any]]:
    return (
        [finding_document(f) for f in result.findings],
        [check_run_document(r) for r in result.check_runs],
        [(s.finding.check, s.finding.resource) for s in result.suppressed],
    )


def test_workers_find_what_one_process_finds(messy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    handed_out: list[int] = []
    real = parallel.ordered_map

    def counted(task: Any, items: Any, workers: int, **options: Any) -> list[Any]:
        handed_out.append(len(items))
        return real(task, items, workers, **options)

    monkeypatch.setattr(parallel, "ordered_map", counted)
    alone = run_checks_by_account(*stream_export(messy), now=NOW, workers=1)
    assert not handed_out
    shared = run_checks_by_account(*stream_export(messy), now=NOW, workers=2)
    assert handed_out
    assert handed_out[0] >= parallel.MIN_GROUPS
    assert documents(shared) == documents(alone)
    assert sum(f.witness is not None for f in alone.findings) > 100


@pytest.fixture(scope="module")
def organization(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six accounts: shared people, stamped roles, one larger account."""
    target = tmp_path_factory.mktemp("org") / "export"
    command = [sys.executable, str(ROOT / "benchmarks" / "generate_org.py"), str(target)]
    options = ["--accounts", "6", "--large", "1", "--large-roles", "150", "--seed", "5"]
    subprocess.run([*command, *options], check=True, capture_output=True)
    return target


def test_small_accounts_are_judged_together_with_the_same_result(
    organization: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handed_out: list[int] = []
    real = parallel.ordered_map

    def counted(task: Any, items: Any, workers: int, **options: Any) -> list[Any]:
        handed_out.append(len(items))
        return real(task, items, workers, **options)

    monkeypatch.setattr(parallel, "ordered_map", counted)
    monkeypatch.setattr(parallel, "MIN_GROUPS", 20)
    monkeypatch.setattr(stream, "BATCH_GROUPS", 150)
    shared = run_checks_by_account(*stream_export(organization), now=NOW, workers=2)
    accounts = len(shared.inventory.accounts)
    assert 0 < len(handed_out) < accounts  # some pools judged several accounts at once
    whole = run_checks(load_export(organization), now=NOW)
    assert documents(shared) == documents(whole)
    assert any(f.check == "user-duplicated-across-accounts" for f in shared.findings)


def test_few_groups_stay_in_one_process(monkeypatch: pytest.MonkeyPatch, messy: Path) -> None:
    monkeypatch.setattr(parallel, "MIN_GROUPS", 10_000)
    monkeypatch.setattr(parallel, "ordered_map", lambda *_, **__: pytest.fail("forked"))
    assert run_checks_by_account(*stream_export(messy), now=NOW, workers=2).findings


def test_the_scan_command_writes_the_same_document_with_workers(messy: Path) -> None:
    def scan(workers: str) -> str:
        arguments = ["scan", "--input", str(messy), "--format", "json", "--now", "2025-06-01"]
        result = CliRunner().invoke(cli, [*arguments, "--workers", workers])
        assert result.exit_code == 1, result.output
        return result.stdout

    assert scan("2") == scan("1")


@pytest.mark.parametrize("value", ["0", "-1", "many", "257"])
def test_a_bad_worker_count_is_refused(messy: Path, value: str) -> None:
    result = CliRunner().invoke(cli, ["scan", "--input", str(messy), "--workers", value])
    assert result.exit_code == 2
    assert "--workers" in result.stderr
    assert "Traceback" not in result.output


def test_ordered_map_keeps_the_order_of_its_items() -> None:
    items = list(range(50))
    found = parallel.ordered_map(lambda n: n * n, items, 2, weight=lambda n: n % 7)
    assert found == [n * n for n in items]


def test_an_error_in_a_worker_is_raised_in_the_scan() -> None:
    def task(n: int) -> int:
        if n == 13:
            raise ValueError("thirteen")
        return n

    with pytest.raises(ValueError, match="thirteen"):
        parallel.ordered_map(task, list(range(40)), 2)


def test_a_worker_that_dies_is_not_waited_for() -> None:
    scanning = os.getpid()

    def task(n: int) -> int:
        if n == 7 and os.getpid() != scanning:
            os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's OOM killer would
        return n * 2

    assert parallel.ordered_map(task, list(range(30)), 2) == [n * 2 for n in range(30)]


def test_the_default_is_one_worker_per_cpu_within_a_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(64)))
    assert parallel.available_workers() == parallel.DEFAULT_MAX_WORKERS
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1})
    assert parallel.available_workers() == 2


def test_chunks_hand_out_every_item_once_heaviest_first_the_last_ones_small() -> None:
    weights = [100] * 3_000 + [5_000]
    chunks = parallel.chunked(weights, 2)
    handed = [index for chunk in chunks for index in chunk]
    assert sorted(handed) == list(range(len(weights)))
    assert chunks[0] == [3_000]  # the heaviest alone, first
    assert all(len(chunk) <= parallel.CHUNK for chunk in chunks)
    loads = [sum(weights[i] for i in chunk) for chunk in chunks]
    assert max(loads[1:]) > 10 * loads[-1]  # the workers finish together
    assert loads[-1] == 100


def test_a_group_weighs_what_is_judged_not_how_many_roles_it_has() -> None:
    from keyless.checks.registry import all_checks
    from keyless.engine.groups import JUDGE_WEIGHT, Group, Visit, _weight
    from tests.builders import make_role

    trust = next(c for c in all_checks() if c.prepared is not None and c.prepared.share)
    assert trust.prepared is not None
    one_account, other = object(), object()
    stamped = Group(  # one policy on 40 roles of one account: judged once, restamped 39 times
        trust.prepared,
        [Visit(one_account, make_role(f"r{n}"), [trust]) for n in range(40)],  # type: ignore[arg-type]
    )
    spread = Group(  # the same policy in two accounts: judged in each
        trust.prepared,
        [Visit(c, make_role(f"r{n}"), [trust]) for n, c in enumerate([one_account, other])],  # type: ignore[arg-type]
    )
    assert _weight(stamped) < _weight(spread) < 2 * JUDGE_WEIGHT + _weight(stamped)
    assert _weight(spread) - _weight(stamped) == JUDGE_WEIGHT - 38
