"""Running checks over an Inventory: what each evaluated or skipped, ignores applied
centrally, and the exit code the contract defines."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from keyless.checks.registry import Check, CheckContext, Scope, all_checks
from keyless.config import Config, Ignore
from keyless.errors import KeylessError
from keyless.findings import Finding, Severity
from keyless.model import Account, AccountStatus, Dataset, DatasetState, DatasetStatus, Inventory
from keyless.model.arn import account_of

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


@dataclass(frozen=True, slots=True)
class Suppressed:
    """A finding an ignore in the configuration accepted."""

    finding: Finding
    ignore: Ignore


@dataclass(frozen=True)
class ScanResult:
    """The outcome of a scan: findings, per-check runs and accepted findings."""

    inventory: Inventory
    findings: tuple[Finding, ...]
    check_runs: tuple[CheckRun, ...]
    suppressed: tuple[Suppressed, ...]
    now: datetime

    def exit_code(self, fail_on: Severity = Severity.HIGH) -> int:
        """3 when part of the estate could not be read, else 1 when a finding is at or
        above ``fail_on``, else 0."""
        if not self.inventory.is_complete:
            return EXIT_INCOMPLETE
        if any(f.severity >= fail_on for f in self.findings):
            return EXIT_FINDINGS
        return EXIT_CLEAN


def select_checks(ids: Collection[str] | None) -> tuple[Check, ...]:
    """The registered checks, or only those named in ``ids``."""
    checks = all_checks()
    if not ids:
        return checks
    known = {c.id for c in checks}
    unknown = sorted(set(ids) - known)
    if unknown:
        raise KeylessError(
            f"unknown check ID(s): {', '.join(unknown)}",
            hint="`keyless checks` lists every check ID.",
        )
    return tuple(c for c in checks if c.id in ids)


def run_checks(
    inventory: Inventory,
    config: Config | None = None,
    *,
    now: datetime | None = None,
    checks: Iterable[Check] | None = None,
) -> ScanResult:
    """Run ``checks`` (default: all) over ``inventory``."""
    config = config or Config()
    now = now or datetime.now(UTC)
    memo: dict[Any, Any] = {}
    findings: list[Finding] = []
    suppressed: list[Suppressed] = []
    runs: list[CheckRun] = []
    for chk in checks if checks is not None else all_checks():
        evaluated = 0
        produced: list[Finding] = []
        skipped: list[NotEvaluated] = []
        for account, subjects in _subjects(chk, inventory, skipped):
            context = CheckContext(inventory, config.thresholds, now, account, memo)
            for subject in subjects:
                evaluated += 1
                produced.extend(_findings(chk, subject, context, account, inventory))
        kept = 0
        for finding in produced:
            ignore = next(
                (i for i in config.ignores if i.matches(chk.id, finding.account, finding.resource)),
                None,
            )
            if ignore is None:
                findings.append(finding)
                kept += 1
            else:
                suppressed.append(Suppressed(finding, ignore))
        applicable = chk.scope is not Scope.ORGANIZATION or inventory.organization is not None
        runs.append(CheckRun(chk, evaluated, kept, tuple(skipped), applicable))
    findings.sort(key=lambda f: f.sort_key)
    return ScanResult(inventory, tuple(findings), tuple(runs), tuple(suppressed), now)


def _subjects(
    chk: Check, inventory: Inventory, skipped: list[NotEvaluated]
) -> Iterable[tuple[Account | None, Iterable[Any]]]:
    if chk.scope is Scope.ORGANIZATION:
        org = inventory.organization
        if org is None:
            return  # not applicable: recorded as such by the caller
        missing = [s for s in sorted(chk.requires) if not _available(org.dataset(s))]
        if missing:
            reason = _missing(missing, org.dataset)
            skipped.append(NotEvaluated(org.management_account_id or "*", reason))
            return
        yield None, (inventory,)
        return
    for account in inventory.accounts:
        if account.status is AccountStatus.SKIPPED:
            continue
        missing = [s for s in sorted(chk.requires) if not account.has(s)]
        if account.status is AccountStatus.FAILED or missing:
            reason = (
                account.error or "account could not be read"
                if account.status is AccountStatus.FAILED
                else _missing(missing, account.dataset)
            )
            skipped.append(NotEvaluated(account.id, reason))
            continue
        if chk.scope is Scope.USER:
            yield account, account.users
        elif chk.scope is Scope.ROLE:
            yield account, account.roles
        else:
            yield account, (account,)


def _available(status: DatasetStatus) -> bool:
    return status.state is DatasetState.AVAILABLE


def _missing(missing: list[Dataset], state: Callable[[Dataset], DatasetStatus]) -> str:
    """``credential_report: not in the export; root: …`` for a not-evaluated entry."""
    return "; ".join(f"{s.value}: {state(s).reason or state(s).state.value}" for s in missing)


def _findings(
    chk: Check,
    subject: Any,
    context: CheckContext,
    account: Account | None,
    inventory: Inventory,
) -> Iterable[Finding]:
    for problem in chk.run(subject, context):
        if account is not None:
            account_id = account.id
        else:
            account_id = account_of(problem.resource) or (
                inventory.organization.management_account_id if inventory.organization else ""
            )
        yield Finding(
            check=chk.id,
            severity=problem.severity or chk.severity,
            account=account_id,
            resource=problem.resource,
            message=problem.message,
            remediation=chk.remediation,
            evidence=problem.evidence,
            witness=problem.witness,
        )
