"""The organization summary and its debt ranking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from keyless.engine import ScanResult
from keyless.findings import Finding, ResourceLocation, Severity
from keyless.model import AccountStatus, Inventory, Organization
from keyless.render.summary import debt_score, summarize
from tests.org.builders import make_account, make_user

NOW = datetime(2026, 1, 1, tzinfo=UTC)
A, B, C, F, S = "111111111111", "222222222222", "333333333333", "444444444444", "555555555555"


def finding(account: str, severity: Severity) -> Finding:
    location = ResourceLocation(f"arn:aws:iam::{account}:user/u", account)
    return Finding(check="x", severity=severity, location=location, message="m", remediation="r")


def result(*findings: Finding) -> ScanResult:
    inventory = Inventory(
        accounts=(
            make_account(A, make_user(A, "a", console=True, keys=(NOW - timedelta(days=400),))),
            make_account(B, *(make_user(B, f"k{n}", keys=(NOW,)) for n in range(5))),
            make_account(C, make_user(C, "c", console=True)),
            make_account(F, status=AccountStatus.FAILED, error="AccessDenied"),
            make_account(S, status=AccountStatus.SKIPPED, error="SUSPENDED"),
        ),
        organization=Organization("o-a1b2c3d4e5", A),
    )
    return ScanResult(findings=tuple(findings), now=NOW, inventory=inventory)


def test_critical_findings_outrank_many_keys() -> None:
    summary = summarize(result(finding(C, Severity.CRITICAL), finding(B, Severity.LOW)))
    assert [a.account_id for a in summary.ranked] == [C, B, A]
    assert [a.rank for a in summary.ranked] == [1, 2, 3]


def test_with_no_findings_active_keys_rank_first() -> None:
    summary = summarize(result())
    assert [a.account_id for a in summary.ranked] == [B, A, C]


def test_unscanned_accounts_have_no_score_and_come_last() -> None:
    summary = summarize(result())
    assert [a.account_id for a in summary.accounts[-2:]] == [F, S]
    assert summary.accounts[-2].debt_score is None
    assert summary.accounts[-2].error == "AccessDenied"


def test_per_account_counts() -> None:
    accounts = {a.account_id: a for a in summarize(result(finding(A, Severity.HIGH))).accounts}
    a = accounts[A]
    assert (a.users, a.console_users, a.active_keys, a.oldest_active_key_days) == (1, 1, 1, 400)
    assert a.findings[Severity.HIGH] == 1
    assert a.debt_score == debt_score(a.findings, 1, 1) == 20 + 3 + 2


def test_estate_totals() -> None:
    totals = summarize(result(finding(A, Severity.HIGH), finding(B, Severity.HIGH))).totals
    assert (totals.accounts, totals.scanned, totals.failed, totals.skipped) == (5, 3, 1, 1)
    assert (totals.users, totals.console_users, totals.active_keys) == (7, 2, 6)
    assert totals.oldest_active_key_days == 400
    assert totals.findings[Severity.HIGH] == 2


def test_json_has_every_severity_and_the_formula() -> None:
    document = summarize(result()).to_json()
    assert "100*critical" in document["ranking"]
    assert set(document["accounts"][0]["findings"]) == {s.value for s in Severity}
    assert document["totals"]["failed"] == 1
