"""Findings: what keyless reports, and the severities that order them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

NO_EVIDENCE: Mapping[str, Any] = MappingProxyType({})


class Severity(StrEnum):
    """How bad a finding is. Public contract: these five names, in this order."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse: critical 4 … info 0."""
        return _RANKS[self]

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank >= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank


_RANKS = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


@dataclass(frozen=True, slots=True)
class Problem:
    """What a check returns: a problem with one resource. The engine turns it into a
    :class:`Finding` with the check's metadata."""

    resource: str
    message: str
    evidence: Mapping[str, Any] = field(default_factory=lambda: NO_EVIDENCE)
    severity: Severity | None = None
    witness: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem found by a check, with everything a person needs to act on it."""

    check: str
    severity: Severity
    account: str
    resource: str
    message: str
    remediation: str
    evidence: Mapping[str, Any] = field(default_factory=lambda: NO_EVIDENCE)
    witness: Mapping[str, Any] | None = None

    @property
    def sort_key(self) -> tuple[int, str, str, str]:
        """Worst first, then by check, account and resource."""
        return (-self.severity.rank, self.check, self.account, self.resource)
