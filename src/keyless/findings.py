"""Findings: what keyless reports, and the severities that order them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
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
class ResourceLocation:
    """Where a finding about the estate is: an AWS resource (or the whole account)."""

    arn: str
    account: str


@dataclass(frozen=True, slots=True)
class FileLocation:
    """Where a finding about a file is: ``path`` at a 1-based ``line`` and ``column``, and a
    symbolic ``route`` into the document (``jobs.deploy.steps[2].with.aws-access-key-id``)
    that stays meaningful when lines move."""

    path: Path
    line: int
    column: int
    route: str = ""

    def __post_init__(self) -> None:
        if self.line < 1 or self.column < 1:
            raise ValueError("line and column are 1-based")


#: A finding is about a resource of the estate or about a place in a file.
Location = ResourceLocation | FileLocation


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem found by a check, with everything a person needs to act on it.

    Every command that reports problems (``scan``, ``trust``, ``workflows scan``) reports
    this type, so one set of renderers (text, JSON, SARIF) serves them all.
    """

    check: str
    severity: Severity
    location: Location
    message: str
    remediation: str
    evidence: Mapping[str, Any] = field(default_factory=lambda: NO_EVIDENCE)
    witness: Mapping[str, Any] | None = None

    @property
    def account(self) -> str:
        """The account of a resource finding; empty for a file finding."""
        location = self.location
        return location.account if isinstance(location, ResourceLocation) else ""

    @property
    def resource(self) -> str:
        """The resource's ARN, or the file's path."""
        location = self.location
        return location.arn if isinstance(location, ResourceLocation) else str(location.path)

    @property
    def sort_key(self) -> tuple[Any, ...]:
        """Resource findings worst first, then by check, account and resource; file
        findings in reading order (file, line, column), worst first at one position."""
        location = self.location
        if isinstance(location, FileLocation):
            position = (str(location.path), location.line, location.column)
            return (1, *position, -self.severity.rank, self.check)
        return (0, -self.severity.rank, self.check, location.account, location.arn)
