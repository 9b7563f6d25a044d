"""The estate over time: per recorded scan, users, active keys, findings by severity and
the findings the configuration suppressed, per account and overall.

An account that could not be read in a scan has no counts for that scan (unknown, not
zero), and the scan's overall numbers are marked incomplete: a chart shows a gap or a
hollow point there, never a drop that did not happen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from keyless.findings import Severity

NO_FINDINGS: Mapping[Severity, int] = MappingProxyType(dict.fromkeys(Severity, 0))


@dataclass(frozen=True, slots=True)
class Counts:
    """How much IAM-user debt an account (or the estate) carried in one scan."""

    users: int = 0
    console_users: int = 0
    active_keys: int = 0
    findings: Mapping[Severity, int] = field(default_factory=lambda: NO_FINDINGS)
    suppressed: int | None = 0
    """Findings the scan's configuration ignored, apart from ``findings``; ``None`` when
    unknown (a store written before keyless kept them)."""

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            users=self.users + other.users,
            console_users=self.console_users + other.console_users,
            active_keys=self.active_keys + other.active_keys,
            findings=MappingProxyType(
                {s: self.findings.get(s, 0) + other.findings.get(s, 0) for s in Severity}
            ),
            suppressed=None
            if self.suppressed is None or other.suppressed is None
            else self.suppressed + other.suppressed,
        )

    @property
    def total_findings(self) -> int:
        """Findings of every severity."""
        return sum(self.findings.values())


@dataclass(frozen=True, slots=True)
class HistoryPoint:
    """One recorded scan. ``accounts`` holds the scanned accounts only; ``unread`` the
    accounts whose counts are unknown in this scan."""

    scan_id: int
    at: datetime
    command: str
    source: str
    complete: bool
    accounts: Mapping[str, Counts]
    unread: tuple[str, ...] = ()
    outside: Counts = field(default_factory=Counts)
    """What is counted on no account read: the findings of an organization check on its
    management account when the scan did not read that account."""

    @property
    def total(self) -> Counts:
        """The estate's counts: the sum over the accounts read and :attr:`outside` (a
        lower bound when ``unread`` is not empty)."""
        total = self.outside
        for counts in self.accounts.values():
            total = total + counts
        return total


@dataclass(frozen=True, slots=True)
class History:
    """Recorded scans, oldest first, and every account's latest label."""

    points: tuple[HistoryPoint, ...]
    labels: Mapping[str, str]
    store: str = ""
    account: str | None = None

    @property
    def account_ids(self) -> tuple[str, ...]:
        """Every account seen in any scan, in the order of their labels."""
        return tuple(sorted(self.labels, key=lambda a: (self.labels[a], a)))

    def series(self, account: str | None = None) -> tuple[tuple[HistoryPoint, Counts | None], ...]:
        """Per scan, the counts of ``account`` (``None`` when it was not read in that
        scan), or the overall counts."""
        if account is None:
            return tuple((p, p.total) for p in self.points)
        return tuple((p, p.accounts.get(account)) for p in self.points)
