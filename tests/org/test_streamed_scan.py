"""The account-by-account scan gives the findings of the whole-inventory scan, and holds
one account at a time."""

from __future__ import annotations

import subprocess
import sys
import weakref
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from keyless.collect.offline.export import load_export, stream_export
from keyless.collect.offline.snapshot import write_snapshot
from keyless.collect.offline.snapshot_passes import stream_snapshot
from keyless.engine import ScanResult, run_checks, run_checks_by_account
from keyless.model import Account
from keyless.render.jsonout import check_run_document, finding_document

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def organization(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five accounts from the benchmark generator: shared people, stamped roles, one
    larger account."""
    target = tmp_path_factory.mktemp("org") / "export"
    command = [sys.executable, str(ROOT / "benchmarks" / "generate_org.py"), str(target)]
    options = ["--accounts", "5", "--large", "1", "--large-roles", "120", "--seed", "3"]
    subprocess.run([*command, *options], check=True, capture_output=True)
    return target


def documents(result: ScanResult) -> tuple[list[Any], list[Any]]:
    return (
        [finding_document(f) for f in result.findings],
        [check_run_document(r) for r in result.check_runs],
    )


def test_streamed_export_scan_equals_the_whole_scan(organization: Path) -> None:
    whole = run_checks(load_export(organization), now=NOW)
    streamed = run_checks_by_account(*stream_export(organization), now=NOW)
    assert documents(streamed) == documents(whole)
    assert any(f.check == "user-duplicated-across-accounts" for f in whole.findings)


def test_streamed_snapshot_scan_equals_the_whole_scan(organization: Path, tmp_path: Path) -> None:
    inventory = load_export(organization)
    write_snapshot(inventory, tmp_path / "org.json")
    streamed = run_checks_by_account(*stream_snapshot(tmp_path / "org.json"), now=NOW)
    assert documents(streamed) == documents(run_checks(inventory, now=NOW))


def test_the_result_keeps_each_account_without_its_roles(organization: Path) -> None:
    inventory = load_export(organization)
    result = run_checks_by_account(*stream_export(organization), now=NOW)
    assert [a.id for a in result.estate.accounts] == [a.id for a in inventory.accounts]
    assert all(not a.roles and not a.policies for a in result.estate.accounts)
    assert [a.users for a in result.estate.accounts] == [a.users for a in inventory.accounts]


def test_an_account_is_let_go_before_the_next_is_read(organization: Path) -> None:
    outline, accounts = stream_export(organization)
    alive: list[bool] = []

    def watched(accounts: Iterable[Account]) -> Iterator[Account]:
        previous: weakref.ref[Account] | None = None
        for account in accounts:
            if previous is not None:
                alive.append(previous() is not None)
            previous = weakref.ref(account)
            yield account
            del account

    run_checks_by_account(outline, watched(accounts), now=NOW)
    assert alive == [False] * 4


def test_an_account_s_memoised_automata_are_let_go_before_the_next_is_read(
    organization: Path,
) -> None:
    from keyless.idp import subject_grammar
    from keyless.patterns import language

    outline, accounts = stream_export(organization)
    held: list[int] = []

    def memoised() -> int:
        tables = (language._AUTOMATA, language._EXAMPLES, language._NON_EMPTY)
        constructors = (
            language._from_glob,
            language._arn_pattern,
            language._from_tokens,
            subject_grammar.shape,  # the claim languages of a policy's tenant and repository
        )
        return sum(map(len, tables)) + sum(c.cache_info().currsize for c in constructors)

    def watched(accounts: Iterable[Account]) -> Iterator[Account]:
        for account in accounts:
            held.append(memoised())
            yield account
        held.append(memoised())

    language.forget_memoised()
    subject_grammar.shape.cache_clear()
    result = run_checks_by_account(outline, watched(accounts), now=NOW, workers=1)
    assert held == [0] * 6
    # The accounts' trust policies did build automata (the scan is not trivially empty).
    assert any(f.check.startswith("trust-") for f in result.findings)
