"""Findings held packed: the same findings come back, in the order a stable sort of the
findings as they were added would give, however many blocks and windows they span."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path
from types import MappingProxyType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keyless.engine.packed import (
    BLOCK,
    WINDOW,
    FindingCounts,
    FindingPack,
    FindingSorter,
    SortedFindings,
    count_findings,
)
from keyless.findings import FileLocation, Finding, ResourceLocation, Severity

CHECKS = ("key-not-rotated", "trust-dead-condition", "user-for-workload")
ACCOUNTS = ("111122223333", "444455556666", "")


def finding(
    check: str = "key-not-rotated",
    severity: Severity = Severity.HIGH,
    account: str = "111122223333",
    resource: str = "arn:aws:iam::111122223333:user/alice",
    message: str = "a message",
    serial: int = 0,
) -> Finding:
    """A finding whose evidence says which one it is (``serial``), so that ties on the
    sort key can be told apart."""
    return Finding(
        check=check,
        severity=severity,
        location=ResourceLocation(resource, account),
        message=message,
        remediation="do something",
        evidence=MappingProxyType({"serial": serial, "nested": MappingProxyType({"a": (1, 2)})}),
        witness={"principal": resource} if serial % 3 else None,
    )


def random_findings(count: int, seed: int) -> list[Finding]:
    """``count`` findings over few checks, accounts and resources: many ties."""
    rng = random.Random(seed)
    return [
        finding(
            check=rng.choice(CHECKS),
            severity=rng.choice(list(Severity)),
            account=rng.choice(ACCOUNTS),
            resource=f"arn:aws:iam::111122223333:role/r{rng.randrange(40)}",
            serial=n,
        )
        for n in range(count)
    ]


def serials(findings: object) -> list[int]:
    return [f.evidence["serial"] for f in findings]  # type: ignore[attr-defined]


def test_a_pack_gives_back_its_findings_with_their_types() -> None:
    findings = random_findings(3 * BLOCK + 7, seed=1)
    pack = FindingPack(findings)
    assert len(pack) == len(findings)
    back = list(pack)
    assert back == findings
    assert all(isinstance(f.evidence, MappingProxyType) for f in back)
    assert all(isinstance(f.evidence["nested"], MappingProxyType) for f in back)
    assert [type(f.witness) for f in back] == [type(f.witness) for f in findings]


def test_a_pack_keeps_file_findings() -> None:
    located = Finding(
        check="workflow-static-keys",
        severity=Severity.CRITICAL,
        location=FileLocation(Path(".github/workflows/ci.yml"), 3, 5, "jobs.a.steps[0]"),
        message="m",
        remediation="r",
    )
    assert list(FindingPack([located] * (BLOCK + 1))) == [located] * (BLOCK + 1)


@pytest.mark.parametrize("count", [0, 1, BLOCK, BLOCK + 1, WINDOW + 3 * BLOCK + 5])
def test_sorted_findings_are_in_stable_sort_order(count: int) -> None:
    findings = random_findings(count, seed=count)
    expected = sorted(findings, key=lambda f: f.sort_key)
    packed = SortedFindings.of(findings)
    assert len(packed) == count
    assert serials(packed) == serials(expected)


def test_sorted_findings_by_index_and_slice() -> None:
    findings = random_findings(2 * BLOCK + 9, seed=5)
    expected = sorted(findings, key=lambda f: f.sort_key)
    packed = SortedFindings.of(findings)
    for index in (0, 1, BLOCK - 1, BLOCK, len(findings) - 1, -1, -BLOCK - 2):
        assert packed[index] == expected[index]
    assert packed[3:40:7] == tuple(expected[3:40:7])
    with pytest.raises(IndexError):
        packed[len(findings)]


def test_runs_of_several_packs_sort_as_their_concatenation() -> None:
    """Packs of one check each, a pack coming back after another, and two packs of the
    same check (whose segments must be merged by full key): all as one stable sort."""
    by_check = {check: FindingPack() for check in CHECKS}
    twin = FindingPack()  # a second pack of trust-dead-condition findings
    added: list[tuple[Finding, FindingPack, int]] = []
    for n, f in enumerate(random_findings(5 * BLOCK, seed=9)):
        pack = twin if f.check == CHECKS[1] and n % 2 else by_check[f.check]
        added.append((f, pack, len(pack)))
        pack.append(f)
    order = [*(a for a in added if a[1] is not twin), *(a for a in added if a[1] is twin)]
    order.reverse()  # the packs' findings in runs that go back and forth
    sorter = FindingSorter()
    for f, pack, position in order:
        sorter.add(f, pack, position)
    expected = sorted((f for f, _, _ in order), key=lambda f: f.sort_key)
    assert serials(sorter.sorted()) == serials(expected)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 5),  # which pack
            st.sampled_from(CHECKS),
            st.sampled_from(list(Severity)),
            st.sampled_from(ACCOUNTS),
            st.integers(0, 3),
        ),
        max_size=80,
    )
)
def test_any_interleaving_of_packs_sorts_stably(
    rows: list[tuple[int, str, Severity, str, int]],
) -> None:
    packs = [FindingPack() for _ in range(6)]
    sorter = FindingSorter()
    added = []
    for serial, (which, check, severity, account, role) in enumerate(rows):
        f = finding(check, severity, account, f"arn:aws:iam::1:role/{role}", serial=serial)
        sorter.add(f, packs[which], len(packs[which]))
        packs[which].append(f)
        added.append(f)
    result = sorter.sorted()
    assert serials(result) == serials(sorted(added, key=lambda f: f.sort_key))
    assert result.counts == FindingCounts.of(added)


def test_counts_taken_while_sorting_are_the_findings_counts() -> None:
    findings = random_findings(BLOCK + 30, seed=3)
    counts = count_findings(SortedFindings.of(findings))
    assert dict(counts.severities) == {s: sum(f.severity is s for f in findings) for s in Severity}
    assert dict(counts.checks) == Counter(f.check for f in findings)
    for account in ACCOUNTS:
        mine = [f for f in findings if f.account == account]
        assert dict(counts.accounts[account]) == {
            s: sum(f.severity is s for f in mine) for s in Severity
        }
    assert counts.at_or_above(Severity.HIGH) == sum(f.severity >= Severity.HIGH for f in findings)
    assert count_findings(findings) == counts  # counted in one pass when not packed
