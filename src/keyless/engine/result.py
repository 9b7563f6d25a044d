"""What a scan produced: findings, what each check did, what the configuration
suppressed, and the exit code the contract defines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from keyless.checks.registry import Check
from keyless.config import Ignore
from keyless.engine.packed import count_findings
from keyless.files import path_text
from keyless.findings import Finding, Severity
from keyless.model import Inventory

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_INCOMPLETE = 3


@dataclass(frozen=True, slots=True)
class NotEvaluated:
    """A check that could not run on an account, and why."""

    account: str
    reason: str


@dataclass(frozen=True, slots=True)
class CheckRun:
    """What one check did in a scan."""

    check: Check
    evaluated: int
    findings: int
    not_evaluated: tuple[NotEvaluated, ...] = ()
    applicable: bool = True

    @property
    def status(self) -> str:
        """``evaluated``, ``partial`` (some accounts skipped), ``not_evaluated``, or
        ``not_applicable`` (an organization check on a single-account scan)."""
        if not self.applicable:
            return "not_applicable"
        if not self.not_evaluated:
            return "evaluated"
        return "partial" if self.evaluated else "not_evaluated"

    @property
    def is_short(self) -> bool:
        """True when the check applies but could not run everywhere it applies, because
        the data it needs was missing or failed to be read (``partial`` or
        ``not_evaluated``). Not-applicable checks, and accounts left out on purpose
        (``--exclude-accounts``, suspended accounts), are not short."""
        return self.applicable and bool(self.not_evaluated)


@dataclass(frozen=True, slots=True)
class Suppressed:
    """A finding an ignore in the configuration accepted."""

    finding: Finding
    ignore: Ignore


@dataclass(frozen=True, slots=True)
class ScannedFile:
    """A file a file scan read: its path and what kind of file it is (``github``,
    ``gitlab``, ``terraform``, ``cloudformation``...). ``coverage``: how far it was
    read, where that is not what its kind says (a GitHub action's ``action.yml``)."""

    path: Path
    kind: str
    coverage: str | None = None


@dataclass(frozen=True, slots=True)
class Unread:
    """Input that could not be read (a file, a directory), and why: reported, never
    counted as clean."""

    where: str
    reason: str

    def __post_init__(self) -> None:
        # A file name that is not UTF-8 (keyless.files.path_text) must not reach an
        # encoder as lone surrogates: JSON and SARIF would fail on the report.
        object.__setattr__(self, "where", path_text(self.where))
        object.__setattr__(self, "reason", path_text(self.reason))


@dataclass(frozen=True)
class ScanResult:
    """The outcome of any scan: findings, what each check did, what the configuration
    suppressed, and what was scanned — an estate (``inventory``) or files (``files``).

    ``command`` names the command whose document renders it (``scan``, ``workflows-scan``):
    its JSON document's schema is ``keyless/<command>/v1``. ``now`` is the moment ages
    were measured against and ``now_basis`` where it came from: ``clock`` (the current
    time), ``snapshot`` (the snapshot's ``collected_at``) or ``option`` (``--now``).
    ``config_path`` is the configuration file whose ignores applied, if any, and
    ``ignores`` those ignores (:attr:`unused_ignores` are those that accepted nothing).
    ``notes`` say what a scan deliberately did not read: a remote Terraform module in a file scan;
    in an estate scan, what the collectors left out (:attr:`Account.notes`, such as
    credential report rows of users deleted since the report was generated), each named
    by its account in an organization. Notes never change the exit code.
    ``findings`` are in the report's order; an estate scan holds them packed
    (:class:`~keyless.engine.packed.SortedFindings`), so read them in order, once if
    they may be many.
    """

    findings: Sequence[Finding]
    now: datetime
    command: str = "scan"
    check_runs: tuple[CheckRun, ...] = ()
    suppressed: tuple[Suppressed, ...] = ()
    inventory: Inventory | None = None
    files: tuple[ScannedFile, ...] = ()
    unread: tuple[Unread, ...] = ()
    now_basis: str = "clock"
    config_path: str | None = None
    notes: tuple[str, ...] = ()
    ignores: tuple[Ignore, ...] = ()

    @property
    def estate(self) -> Inventory:
        """The scanned inventory (an estate scan's; a file scan has none)."""
        if self.inventory is None:
            raise TypeError(f"a {self.command} result scanned files, not an estate")
        return self.inventory

    @property
    def unused_ignores(self) -> tuple[Ignore, ...]:
        """The configuration's ignores that accepted no finding of this scan, among those
        of a check it ran (or of every check, ``*``): a rule that matches nothing (a regex
        written where a glob is read, a renamed user) hides nothing, and says so. A notice,
        never an error: a configuration shared by repositories need not match in all."""
        ran = {run.check.id for run in self.check_runs}
        unused = [i for i in self.ignores if i.check == "*" or i.check in ran]
        for entry in self.suppressed:
            if not unused:
                break
            finding = entry.finding
            unused = [
                i for i in unused if not i.matches(finding.check, finding.account, finding.resource)
            ]
        return tuple(unused)

    @property
    def is_complete(self) -> bool:
        """False when part of the input could not be read: exit code 3 territory."""
        if self.unread:
            return False
        return self.inventory is None or self.inventory.is_complete

    @property
    def short_runs(self) -> tuple[CheckRun, ...]:
        """The checks that could not run everywhere they apply (see
        :attr:`CheckRun.is_short`): what a report must list as not evaluated."""
        return tuple(run for run in self.check_runs if run.is_short)

    @property
    def is_fully_evaluated(self) -> bool:
        """True when every applicable check ran on everything it applies to."""
        return not self.short_runs

    def exit_code(self, fail_on: Severity = Severity.HIGH, *, allow_partial: bool = False) -> int:
        """3 when part of the input could not be read, or (unless ``allow_partial``) when
        a check could not run for lack of data; else 1 when a finding is at or above
        ``fail_on``; else 0. Not evaluated is never clean: a gate that accepts less than
        the whole estate says so with ``allow_partial``."""
        if not self.is_complete:
            return EXIT_INCOMPLETE
        if not allow_partial and not self.is_fully_evaluated:
            return EXIT_INCOMPLETE
        if count_findings(self.findings).at_or_above(fail_on):
            return EXIT_FINDINGS
        return EXIT_CLEAN
