"""The fixture corpus, written in the shapes public repositories use: each case's findings
(check, file, line, column) are exactly those of its expected.json, loose trust is found
with a witness the evaluator replays as allowed, and tight trust is not flagged."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from keyless.findings import FileLocation, Finding
from keyless.iac.read import read_paths
from keyless.iac.scan import scan
from keyless.iac.values import plain
from keyless.policy.document import parse_trust_policy
from keyless.trust.replay import evaluate_witness

from .conftest import CORPUS, corpus_cases, expected


def _scan_case(case: str) -> list[Finding]:
    before = Path.cwd()
    os.chdir(CORPUS / case)
    try:
        return list(scan([Path(".")]).findings)
    finally:
        os.chdir(before)


def _row(finding: Finding) -> tuple[str, int, int, str, str]:
    location = finding.location
    assert isinstance(location, FileLocation)
    return (
        location.path.as_posix(),
        location.line,
        location.column,
        finding.check,
        str(finding.evidence["address"]),
    )


@pytest.mark.parametrize("case", corpus_cases())
def test_findings_and_their_positions_are_the_expected_ones(case: str) -> None:
    rows = sorted(_row(f) for f in _scan_case(case))
    wanted = sorted(
        (e["file"], e["line"], e["column"], e["check"], e["address"])
        for e in expected(case)["findings"]
    )
    assert rows == wanted


@pytest.mark.parametrize("case", corpus_cases())
def test_tight_trust_is_not_flagged(case: str) -> None:
    flagged = {str(f.evidence["address"]) for f in _scan_case(case)}
    clean = set(expected(case)["judged_clean"])
    assert not clean & flagged


@pytest.mark.parametrize("case", corpus_cases())
def test_clean_roles_were_judged_not_skipped(case: str) -> None:
    model = read_paths([CORPUS / case])
    judged = {r.address for r in model.resources if r.trust is not None and r.trust.is_known}
    assert set(expected(case)["judged_clean"]) <= judged


@pytest.mark.parametrize("case", corpus_cases())
def test_roles_not_judged_are_reported_unread(case: str) -> None:
    result = scan([CORPUS / case])
    reported = {u.reason.split(":")[0] for u in result.unread}
    assert reported == set(expected(case)["not_judged"])


@pytest.mark.parametrize("case", corpus_cases())
def test_every_trust_witness_replays_as_allowed(case: str) -> None:
    model = read_paths([CORPUS / case])
    policies = {r.address: r.trust for r in model.resources if r.trust is not None}
    checked = 0
    for finding in scan([CORPUS / case]).findings:
        if not finding.check.startswith("trust-") or finding.witness is None:
            continue
        trust = policies[str(finding.evidence["address"])]
        assert trust is not None
        policy = parse_trust_policy(plain(trust))
        role_arn = f"arn:aws:iam::000000000000:role/{finding.evidence['address']}"
        decision = evaluate_witness(policy, finding.witness, role_arn=role_arn)
        assert decision.allowed, (finding.check, finding.witness)
        checked += 1
    loose = [f for f in expected(case)["findings"] if f["check"].startswith("trust-")]
    assert checked >= (1 if loose else 0)
