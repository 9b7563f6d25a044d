"""The estate at a glance: per account, how much IAM-user debt it carries, and the
accounts ranked by it.

**Ranking.** Every scanned account gets a *debt score*::

    debt = 100·critical + 20·high + 5·medium + 1·low      (findings)
         +   3·active_keys + 2·console_users               (permanent credentials)

Critical and high findings dominate (one critical outweighs five high), then the
permanent credentials themselves: each active key and each console password is a
credential to retire even when no check fired on it. Ties are broken by the oldest
active key (older first), then the account ID. Accounts that were not scanned (failed
or skipped) have no score (their debt is unknown, not zero) and are listed after the
ranked ones, failed before skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any

from keyless.engine import ScanResult, count_findings
from keyless.findings import Severity
from keyless.model import Account, AccountStatus

SEVERITY_WEIGHTS: Mapping[Severity, int] = MappingProxyType(
    {
        Severity.CRITICAL: 100,
        Severity.HIGH: 20,
        Severity.MEDIUM: 5,
        Severity.LOW: 1,
        Severity.INFO: 0,
    }
)
ACTIVE_KEY_WEIGHT = 3
CONSOLE_USER_WEIGHT = 2
_NONE: Mapping[Severity, int] = MappingProxyType(dict.fromkeys(Severity, 0))


def _counts_json(counts: Mapping[Severity, int]) -> dict[str, int]:
    return {severity.value: counts[severity] for severity in Severity}


@dataclass(frozen=True, slots=True)
class AccountSummary:
    """One account's IAM-user debt. Counts are zero and ages ``None`` for an account
    that was not scanned; ``debt_score`` is ``None`` then."""

    account_id: str
    label: str
    status: AccountStatus
    error: str | None
    users: int
    console_users: int
    active_keys: int
    oldest_active_key_days: int | None
    findings: Mapping[Severity, int]
    debt_score: int | None
    rank: int | None

    def to_json(self) -> dict[str, Any]:
        """The account's entry in ``summary.accounts[]``."""
        return {
            "account": self.account_id,
            "label": self.label,
            "status": self.status.value,
            "error": self.error,
            "rank": self.rank,
            "debt_score": self.debt_score,
            "users": self.users,
            "console_users": self.console_users,
            "active_keys": self.active_keys,
            "oldest_active_key_days": self.oldest_active_key_days,
            "findings": _counts_json(self.findings),
        }


@dataclass(frozen=True, slots=True)
class EstateTotals:
    """Totals over the whole estate."""

    accounts: int
    scanned: int
    failed: int
    skipped: int
    users: int
    console_users: int
    active_keys: int
    oldest_active_key_days: int | None
    findings: Mapping[Severity, int]

    def to_json(self) -> dict[str, Any]:
        """``summary.totals``."""
        return {
            "accounts": self.accounts,
            "scanned": self.scanned,
            "failed": self.failed,
            "skipped": self.skipped,
            "users": self.users,
            "console_users": self.console_users,
            "active_keys": self.active_keys,
            "oldest_active_key_days": self.oldest_active_key_days,
            "findings": _counts_json(self.findings),
        }


@dataclass(frozen=True, slots=True)
class Summary:
    """The organization (or single-account) summary: accounts worst first, and totals."""

    accounts: tuple[AccountSummary, ...]
    totals: EstateTotals

    @property
    def ranked(self) -> tuple[AccountSummary, ...]:
        """The scanned accounts, worst debt first."""
        return tuple(a for a in self.accounts if a.rank is not None)

    def to_json(self) -> dict[str, Any]:
        """The ``summary`` object of the JSON document."""
        return {
            "ranking": "debt = 100*critical + 20*high + 5*medium + 1*low "
            "+ 3*active_keys + 2*console_users",
            "totals": self.totals.to_json(),
            "accounts": [account.to_json() for account in self.accounts],
        }


def debt_score(findings: Mapping[Severity, int], active_keys: int, console_users: int) -> int:
    """The ranking formula of this module's docstring."""
    weighted = sum(SEVERITY_WEIGHTS[severity] * count for severity, count in findings.items())
    return weighted + ACTIVE_KEY_WEIGHT * active_keys + CONSOLE_USER_WEIGHT * console_users


def summarize(result: ScanResult) -> Summary:
    """Compute the summary of a scan: per-account debt, ranking and estate totals."""
    counted = count_findings(result.findings)  # one pass, or the counts taken when sorting
    unranked = [
        _account_summary(account, counted.accounts.get(account.id, _NONE), result.now)
        for account in result.estate.accounts
    ]
    scanned = sorted(
        (a for a in unranked if a.debt_score is not None),
        key=lambda a: (
            -(a.debt_score or 0),
            -(a.oldest_active_key_days or -1),
            a.account_id,
        ),
    )
    ranked = [replace(summary, rank=n) for n, summary in enumerate(scanned, start=1)]
    order = {AccountStatus.FAILED: 0, AccountStatus.SKIPPED: 1}
    others = sorted(
        (a for a in unranked if a.debt_score is None),
        key=lambda a: (order.get(a.status, 2), a.account_id),
    )
    ages = [a.oldest_active_key_days for a in ranked if a.oldest_active_key_days is not None]
    totals = EstateTotals(
        accounts=len(unranked),
        scanned=len(ranked),
        failed=sum(1 for a in others if a.status is AccountStatus.FAILED),
        skipped=sum(1 for a in others if a.status is AccountStatus.SKIPPED),
        users=sum(a.users for a in ranked),
        console_users=sum(a.console_users for a in ranked),
        active_keys=sum(a.active_keys for a in ranked),
        oldest_active_key_days=max(ages) if ages else None,
        findings=counted.severities,
    )
    return Summary(tuple(ranked + others), totals)


def _account_summary(
    account: Account, counts: Mapping[Severity, int], now: datetime
) -> AccountSummary:
    if account.status is not AccountStatus.SCANNED:
        return AccountSummary(
            account_id=account.id,
            label=account.label,
            status=account.status,
            error=account.error,
            users=0,
            console_users=0,
            active_keys=0,
            oldest_active_key_days=None,
            findings=counts,
            debt_score=None,  # unknown, not zero: the account was not read
            rank=None,
        )
    users = account.users
    console = sum(1 for user in users if user.has_console_access)
    keys = [key for user in users for key in user.active_keys]
    created = [key.created for key in keys if key.created is not None]
    oldest = max(0, (now - min(created)).days) if created else None
    return AccountSummary(
        account_id=account.id,
        label=account.label,
        status=account.status,
        error=account.error,
        users=len(users),
        console_users=console,
        active_keys=len(keys),
        oldest_active_key_days=oldest,
        findings=counts,
        debt_score=debt_score(counts, len(keys), console),
        rank=None,
    )
