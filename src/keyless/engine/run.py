"""Running estate checks over an Inventory: subjects visited scope by scope, shared work
prepared once per group of subjects, ignores applied centrally."""

from __future__ import annotations

import gc
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from keyless.checks._policies import ParsedPolicies
from keyless.checks.registry import Check, CheckContext, Preparation, Scope, all_checks
from keyless.config import Config, Ignore
from keyless.engine import parallel
from keyless.engine.result import CheckRun, NotEvaluated, ScanResult, Suppressed
from keyless.errors import KeylessError
from keyless.findings import Finding, ResourceLocation
from keyless.model import Account, AccountStatus, Dataset, DatasetState, DatasetStatus, Inventory
from keyless.model.arn import account_of


def apply_ignores(
    findings: Iterable[Finding], ignores: Iterable[Ignore]
) -> tuple[tuple[Finding, ...], tuple[Suppressed, ...]]:
    """Split ``findings`` into those reported and those an ignore accepted (each with the
    ignore that accepted it, so reports can say what was suppressed, by which rule)."""
    rules = tuple(ignores)
    kept: list[Finding] = []
    suppressed: list[Suppressed] = []
    for finding in findings:
        ignore = next(
            (i for i in rules if i.matches(finding.check, finding.account, finding.resource)),
            None,
        )
        if ignore is None:
            kept.append(finding)
        else:
            suppressed.append(Suppressed(finding, ignore))
    return tuple(kept), tuple(suppressed)


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
    now_basis: str = "clock",
    checks: Iterable[Check] | None = None,
    workers: int = 1,
) -> ScanResult:
    """Run ``checks`` (default: every estate check) over ``inventory``, measuring ages
    against ``now`` (default: the current time; ``now_basis`` says where a given ``now``
    came from, see :class:`ScanResult`), in up to ``workers`` processes.

    Subjects are visited scope by scope; each subject is handed to every selected check of
    its scope whose data its account has. Work a check family shares per subject (its
    :class:`~keyless.checks.registry.Preparation`) is done once per group of subjects with
    the same key, only when one of the selected checks needs it, and dropped when the group
    is done.
    """
    config = config or Config()
    if now is None:
        now, now_basis = datetime.now(UTC), "clock"
    selected = [c for c in (all_checks() if checks is None else checks) if c.function is not None]
    tally = {c.id: _Tally() for c in selected}
    policies = ParsedPolicies()
    for scope in Scope:
        of_scope = [c for c in selected if c.scope is scope]
        if of_scope:
            _run_scope(scope, of_scope, inventory, config, now, policies, tally, None, workers)
    return _result(selected, tally, inventory, config, now, now_basis)


def _result(
    selected: list[Check],
    tally: dict[str, _Tally],
    inventory: Inventory,
    config: Config,
    now: datetime,
    now_basis: str,
) -> ScanResult:
    """The scan's result from what each check did: ignores applied, findings sorted."""
    findings: list[Finding] = []
    suppressed: list[Suppressed] = []
    runs: list[CheckRun] = []
    for chk in selected:
        counts = tally[chk.id]
        kept, accepted = apply_ignores(counts.found, config.ignores)
        findings.extend(kept)
        suppressed.extend(accepted)
        applicable = chk.scope is not Scope.ORGANIZATION or inventory.organization is not None
        runs.append(CheckRun(chk, counts.evaluated, len(kept), tuple(counts.skipped), applicable))
    findings.sort(key=lambda f: f.sort_key)
    return ScanResult(
        findings=tuple(findings),
        now=now,
        check_runs=tuple(runs),
        suppressed=tuple(suppressed),
        inventory=inventory,
        now_basis=now_basis,
        config_path=config.path,
    )


@dataclass(slots=True)
class _Tally:
    """What one check did so far in a scan."""

    evaluated: int = 0
    found: list[Finding] = field(default_factory=list)
    skipped: list[NotEvaluated] = field(default_factory=list)


def _run_scope(
    scope: Scope,
    checks: list[Check],
    inventory: Inventory,
    config: Config,
    now: datetime,
    policies: ParsedPolicies,
    tally: dict[str, _Tally],
    accounts: Iterable[Account] | None = None,
    workers: int = 1,
) -> None:
    """Run the checks of one scope over its subjects, preparing shared work per group.

    ``accounts`` (default: the inventory's) are the accounts whose subjects are visited;
    ``inventory`` stays what the checks see as the estate (the account-by-account scan
    passes one account and an inventory of every account's outline). With ``workers``
    above 1, many prepared groups are judged in that many processes (:mod:`.parallel`);
    the result is the same."""
    # Subjects of one preparation key are visited together, so the prepared value lives
    # exactly as long as the group: most roles of a large account share a few policies.
    groups: dict[tuple[Preparation | None, Hashable], list[_Visit]] = {}
    for context, subject, runnable in _visits(
        scope, checks, inventory, config, now, policies, tally, accounts
    ):
        by_preparation: dict[Preparation | None, list[Check]] = {}
        for chk in runnable:
            by_preparation.setdefault(chk.prepared, []).append(chk)
        for preparation, family in by_preparation.items():
            key = preparation.key(subject) if preparation is not None else id(subject)
            groups.setdefault((preparation, key), []).append(_Visit(context, subject, family))
    items = list(groups.items())
    judged: Iterator[_Judged] | None = None
    if workers > 1 and parallel.can_fork():
        work = [(preparation, visits) for (preparation, _), visits in items if preparation]
        if len(work) >= parallel.MIN_GROUPS:
            judged = iter(
                parallel.ordered_map(
                    lambda item: _judged_apart(item[0], item[1], inventory),
                    work,
                    workers,
                    weight=lambda item: len(item[1]),
                )
            )
    for (preparation, _key), visits in items:
        if preparation is None:
            for visit in visits:
                for chk in visit.checks:
                    _record(chk, visit, (visit.subject, visit.context), inventory, tally)
        elif judged is not None:
            # The group's findings, judged in a worker, merged where the group stands.
            evaluated, found, skipped = next(judged)
            for check_id, count in evaluated:
                tally[check_id].evaluated += count
            for check_id, finding in found:
                tally[check_id].found.append(finding)
            for check_id, gap in skipped:
                tally[check_id].skipped.append(gap)
        else:
            _run_group(preparation, visits, inventory, tally)


#: What a group judged in a worker adds to the tallies, kept small for the trip back:
#: (check ID, subjects evaluated), then each finding and each gap with its check's ID.
_Judged = tuple[list[tuple[str, int]], list[tuple[str, Finding]], list[tuple[str, NotEvaluated]]]


def _judged_apart(preparation: Preparation, visits: list[_Visit], inventory: Inventory) -> _Judged:
    """One group judged in a worker: what it adds to each check's tally."""
    tally: dict[str, _Tally] = {}
    for visit in visits:
        for chk in visit.checks:
            tally.setdefault(chk.id, _Tally())
    _run_group(preparation, visits, inventory, tally)
    return (
        [(check_id, counts.evaluated) for check_id, counts in tally.items() if counts.evaluated],
        [(check_id, finding) for check_id, counts in tally.items() for finding in counts.found],
        [(check_id, gap) for check_id, counts in tally.items() for gap in counts.skipped],
    )


def _run_group(
    preparation: Preparation, visits: list[_Visit], inventory: Inventory, tally: dict[str, _Tally]
) -> None:
    """Prepare the group's shared value once and run each visit's checks with it."""
    # The analysis makes no reference cycles and what it allocates dies with the group;
    # left on, the cyclic GC would walk the whole inventory again and again meanwhile.
    paused = gc.isenabled()
    gc.disable()
    try:
        first = visits[0]
        prepared = preparation.prepare(first.subject, first.context)
        if preparation.unjudged is not None and _not_judged(
            visits, prepared, preparation.unjudged, tally
        ):
            return
        for visit in visits:
            for chk in visit.checks:
                _record(chk, visit, (visit.subject, visit.context, prepared), inventory, tally)
        del prepared
    finally:
        if paused:
            gc.enable()


@dataclass(frozen=True, slots=True)
class _Visit:
    context: CheckContext
    subject: Any
    checks: list[Check]


def _visits(
    scope: Scope,
    checks: list[Check],
    inventory: Inventory,
    config: Config,
    now: datetime,
    policies: ParsedPolicies,
    tally: dict[str, _Tally],
    accounts: Iterable[Account] | None = None,
) -> Iterator[tuple[CheckContext, Any, list[Check]]]:
    """Each subject of ``scope`` with the checks that can run on it; the checks whose data
    an account lacks are recorded as not evaluated there."""
    if scope is Scope.ORGANIZATION:
        org = inventory.organization
        if org is None:
            return  # not applicable: recorded as such by the caller
        runnable = []
        for chk in checks:
            missing = [d for d in sorted(chk.requires) if not _available(org.dataset(d))]
            if missing:
                reason = _missing(missing, org.dataset)
                tally[chk.id].skipped.append(NotEvaluated(org.management_account_id or "*", reason))
            else:
                runnable.append(chk)
        if runnable:
            context = CheckContext(inventory, config.thresholds, now, None, policies)
            yield context, inventory, runnable
        return
    for account in inventory.accounts if accounts is None else accounts:
        if account.status is AccountStatus.SKIPPED:
            continue
        runnable = []
        for chk in checks:
            missing = [d for d in sorted(chk.requires) if not account.has(d)]
            if account.status is AccountStatus.FAILED or missing:
                reason = (
                    account.error or "account could not be read"
                    if account.status is AccountStatus.FAILED
                    else _missing(missing, account.dataset)
                )
                tally[chk.id].skipped.append(NotEvaluated(account.id, reason))
            else:
                runnable.append(chk)
        if not runnable:
            continue
        context = CheckContext(inventory, config.thresholds, now, account, policies)
        subjects: Iterable[Any]
        if scope is Scope.USER:
            subjects = account.users
        elif scope is Scope.ROLE:
            subjects = account.roles
        else:
            subjects = (account,)
        for subject in subjects:
            yield context, subject, runnable


def _not_judged(
    visits: list[_Visit],
    prepared: Any,
    unjudged: Callable[[Any, Any], str | None],
    tally: dict[str, _Tally],
) -> bool:
    """Record each subject the prepared value leaves unjudged as not evaluated by each of
    its checks (see :class:`Preparation`); true when there were such subjects."""
    reasons = [unjudged(visit.subject, prepared) for visit in visits]
    if all(reason is None for reason in reasons):
        return False
    for visit, reason in zip(visits, reasons, strict=True):
        account = visit.context.account
        for chk in visit.checks:
            gap = NotEvaluated(account.id if account else "*", reason or "not judged")
            tally[chk.id].skipped.append(gap)
    return True


def _record(
    chk: Check,
    visit: _Visit,
    arguments: tuple[Any, ...],
    inventory: Inventory,
    tally: dict[str, _Tally],
) -> None:
    """Run one check on one subject and keep its findings."""
    assert chk.function is not None  # only estate checks are selected
    counts = tally[chk.id]
    counts.evaluated += 1
    account = visit.context.account
    for problem in chk.function(*arguments):
        if account is not None:
            account_id = account.id
        else:
            account_id = account_of(problem.resource) or (
                inventory.organization.management_account_id if inventory.organization else ""
            )
        counts.found.append(
            Finding(
                check=chk.id,
                severity=problem.severity or chk.severity,
                location=ResourceLocation(problem.resource, account_id),
                message=problem.message,
                remediation=chk.remediation,
                evidence=problem.evidence,
                witness=problem.witness,
            )
        )


def _available(status: DatasetStatus) -> bool:
    return status.state is DatasetState.AVAILABLE


def _missing(missing: list[Dataset], state: Callable[[Dataset], DatasetStatus]) -> str:
    """``credential_report: not in the export; root: …`` for a not-evaluated entry."""
    return "; ".join(f"{s.value}: {state(s).reason or state(s).state.value}" for s in missing)
