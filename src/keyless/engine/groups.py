"""How the checks of one scope visit their subjects: a schedule of groups, then its run.

:func:`schedule` walks the subjects of a scope and groups them by the work their checks
share (roles with the same trust policy share one analysis); it records nothing. Running a
schedule (:func:`replay`) adds to the checks' tallies in one fixed order: first the checks
that could not run for lack of data, in the order the subjects were visited, then each
group in turn. The groups may have been judged beforehand (:func:`judge`): the prepared
ones in worker processes (:mod:`.parallel`), the others in the scanning process while the
workers run; their results are merged where each group stands, so the tallies are the same,
entry for entry, however the groups were judged.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from keyless.checks._policies import ParsedPolicies
from keyless.checks.registry import Check, CheckContext, Preparation, Scope
from keyless.config import Config
from keyless.engine import parallel
from keyless.engine.packed import FindingPack
from keyless.engine.result import NotEvaluated
from keyless.errors import NotDecided
from keyless.findings import Finding, Problem, ResourceLocation
from keyless.model import Account, AccountStatus, Dataset, DatasetState, DatasetStatus, Inventory
from keyless.model.arn import account_of


@dataclass(slots=True)
class Tally:
    """What one check did so far in a scan."""

    evaluated: int = 0
    found: FindingPack = field(default_factory=FindingPack)
    skipped: list[NotEvaluated] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Visit:
    context: CheckContext
    subject: Any
    checks: list[Check]


@dataclass(frozen=True, slots=True)
class Group:
    """Subjects judged together: with the prepared value they share, or (``preparation``
    None) one subject whose checks share nothing."""

    preparation: Preparation | None
    visits: list[Visit]


@dataclass(frozen=True, slots=True)
class Schedule:
    """One scope's work over some accounts, in the order it is recorded."""

    skipped: list[tuple[str, NotEvaluated]]
    groups: list[Group]

    @property
    def prepared(self) -> list[Group]:
        return [group for group in self.groups if group.preparation is not None]


#: Prepared groups judged in the scanning process before workers are forked (see judge).
WARM_UP = 16

#: What judging a group costs, for handing groups to workers (:func:`judge`), in units of
#: one role given the findings of another (restamped: about 20 us on the messy benchmark
#: export): preparing the group's analysis (about 0.3 ms) and running the checks on the
#: first subject of each share, in each account (about 2 ms; docs/performance.md, perf4).
PREPARE_WEIGHT = 15
JUDGE_WEIGHT = 90

#: What a group judged in a worker adds to the tallies, kept small for the trip back:
#: (check ID, subjects evaluated), then each finding and each gap with its check's ID.
Judged = tuple[list[tuple[str, int]], list[tuple[str, Finding]], list[tuple[str, NotEvaluated]]]


def schedule(
    scope: Scope,
    checks: list[Check],
    inventory: Inventory,
    config: Config,
    now: datetime,
    policies: ParsedPolicies,
    accounts: Iterable[Account] | None = None,
) -> Schedule:
    """The groups of ``scope``'s subjects in ``accounts`` (default: the inventory's);
    ``inventory`` is what the checks see as the estate."""
    # Subjects of one preparation key are visited together, so the prepared value lives
    # exactly as long as the group: most roles of a large account share a few policies.
    skipped: list[tuple[str, NotEvaluated]] = []
    groups: dict[tuple[Preparation | None, Hashable], list[Visit]] = {}
    for context, subject, runnable in _visits(
        scope, checks, inventory, config, now, policies, skipped, accounts
    ):
        by_preparation: dict[Preparation | None, list[Check]] = {}
        for chk in runnable:
            by_preparation.setdefault(chk.prepared, []).append(chk)
        for preparation, family in by_preparation.items():
            key = preparation.key(subject) if preparation is not None else id(subject)
            groups.setdefault((preparation, key), []).append(Visit(context, subject, family))
    return Schedule(skipped, [Group(p, visits) for (p, _), visits in groups.items()])


def judge(groups: Sequence[Group], inventory: Inventory, workers: int) -> Iterator[Judged] | None:
    """Every group of ``groups`` judged, in order: the prepared ones in ``workers``
    processes, the others (one subject whose checks share nothing: a user's, a key's) in
    this process meanwhile; ``None`` (judge them all in this process) for one worker, too
    few prepared groups, or where workers are not forked.

    The first few prepared groups are judged here before the workers are forked: the
    automata and grammars every analysis needs are then built once, in this process, and
    inherited, rather than built again by every worker of every batch."""
    prepared = [i for i, group in enumerate(groups) if group.preparation is not None]
    if workers < 2 or len(prepared) < parallel.MIN_GROUPS or not parallel.can_fork():
        return None
    judged: dict[int, Judged] = {i: _judged_apart(groups[i], inventory) for i in prepared[:WARM_UP]}
    rest = prepared[WARM_UP:]

    def others() -> None:
        for i, group in enumerate(groups):
            if group.preparation is None:
                judged[i] = _judged_apart(group, inventory)

    results = parallel.ordered_map(
        lambda group: _judged_apart(group, inventory),
        [groups[i] for i in rest],
        workers,
        weight=_weight,
        meanwhile=others,
    )
    judged.update(zip(rest, results, strict=True))
    return (judged[i] for i in range(len(groups)))


def _weight(group: Group) -> int:
    """What judging ``group`` costs (see :data:`JUDGE_WEIGHT`): its checks run on one
    subject of each share in each account, and every other subject is restamped."""
    share = group.preparation.share if group.preparation is not None else None
    if share is None:
        judged = len(group.visits)
    else:
        judged = len({(id(visit.context), share(visit.subject)) for visit in group.visits})
    return PREPARE_WEIGHT + JUDGE_WEIGHT * judged + len(group.visits)


def replay(
    plan: Schedule,
    inventory: Inventory,
    tally: dict[str, Tally],
    judged: Iterator[Judged] | None = None,
) -> None:
    """Record ``plan`` in ``tally``: its gaps, then each group, judged here or taken from
    ``judged`` (one result per prepared group, in order)."""
    for check_id, gap in plan.skipped:
        tally[check_id].skipped.append(gap)
    for group in plan.groups:
        if judged is not None:
            evaluated, found, skipped = next(judged)
            for check_id, count in evaluated:
                tally[check_id].evaluated += count
            for check_id, finding in found:
                tally[check_id].found.append(finding)
            for check_id, gap in skipped:
                tally[check_id].skipped.append(gap)
        elif group.preparation is None:
            _run_visits(group.visits, inventory, tally)
        else:
            _run_group(group.preparation, group.visits, inventory, tally)


def _run_visits(visits: list[Visit], inventory: Inventory, tally: dict[str, Tally]) -> None:
    """Run each visit's checks on its subject (nothing prepared to share)."""
    for visit in visits:
        for chk in visit.checks:
            _record(chk, visit, _problems(chk, (visit.subject, visit.context)), inventory, tally)


def _judged_apart(group: Group, inventory: Inventory) -> Judged:
    """One group judged apart (in a worker, or while the workers judge): what it adds to
    each check's tally."""
    tally: dict[str, Tally] = {}
    for visit in group.visits:
        for chk in visit.checks:
            tally.setdefault(chk.id, Tally())
    if group.preparation is None:
        _run_visits(group.visits, inventory, tally)
    else:
        _run_group(group.preparation, group.visits, inventory, tally)
    return (
        [(check_id, counts.evaluated) for check_id, counts in tally.items() if counts.evaluated],
        [(check_id, finding) for check_id, counts in tally.items() for finding in counts.found],
        [(check_id, gap) for check_id, counts in tally.items() for gap in counts.skipped],
    )


def _run_group(
    preparation: Preparation, visits: list[Visit], inventory: Inventory, tally: dict[str, Tally]
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
        # Problems of the first subject of each share (in its context), by check: the
        # later subjects of that share get them restamped (see Preparation.share).
        judged: dict[tuple[int, Hashable, str], tuple[Any, list[Problem] | _Undecided]] = {}
        share, restamp = preparation.share, preparation.restamp
        for visit in visits:
            subject = visit.subject
            arguments = (subject, visit.context, prepared)
            if share is None or restamp is None:
                for chk in visit.checks:
                    _record(chk, visit, _problems(chk, arguments), inventory, tally)
                continue
            shared = share(subject)
            for chk in visit.checks:
                known = judged.get((id(visit.context), shared, chk.id))
                restamped = _restamped(known, subject, restamp) if known is not None else None
                problems = restamped if restamped is not None else _problems(chk, arguments)
                if known is None:
                    judged[(id(visit.context), shared, chk.id)] = (subject, problems)
                _record(chk, visit, problems, inventory, tally)
        del prepared, judged
    finally:
        if paused:
            gc.enable()


def _visits(
    scope: Scope,
    checks: list[Check],
    inventory: Inventory,
    config: Config,
    now: datetime,
    policies: ParsedPolicies,
    skipped: list[tuple[str, NotEvaluated]],
    accounts: Iterable[Account] | None = None,
) -> Iterator[tuple[CheckContext, Any, list[Check]]]:
    """Each subject of ``scope`` with the checks that can run on it; the checks whose data
    an account lacks are added to ``skipped`` as not evaluated there."""
    if scope is Scope.ORGANIZATION:
        org = inventory.organization
        if org is None:
            return  # not applicable: recorded as such by the caller
        runnable = []
        for chk in checks:
            missing = [d for d in sorted(chk.requires) if not _available(org.dataset(d))]
            if missing:
                reason = _missing(missing, org.dataset)
                skipped.append((chk.id, NotEvaluated(org.management_account_id or "*", reason)))
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
                skipped.append((chk.id, NotEvaluated(account.id, reason)))
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
    visits: list[Visit],
    prepared: Any,
    unjudged: Callable[[Any, Any], str | None],
    tally: dict[str, Tally],
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


@dataclass(frozen=True, slots=True)
class _Undecided:
    """A check that stopped on a question it could not decide (:class:`NotDecided`): the
    problems it found before, and why the subject is not evaluated by it."""

    problems: list[Problem]
    reason: str


def _problems(chk: Check, arguments: tuple[Any, ...]) -> list[Problem] | _Undecided:
    """Run one check on one subject."""
    assert chk.function is not None  # only estate checks are selected
    found: list[Problem] = []
    try:
        found.extend(chk.function(*arguments))
    except NotDecided as error:
        return _Undecided(found, str(error))
    return found


def _restamped(
    known: tuple[Any, list[Problem] | _Undecided],
    subject: Any,
    restamp: Callable[[Problem, Any, Any], Problem | None],
) -> list[Problem] | None:
    """The problems judged for another subject, rewritten for ``subject``; ``None`` when
    one of them is not of the form ``restamp`` knows, or the check did not decide (the
    check must then run: an undecided one stops at once, its budget spent)."""
    judged_subject, problems = known
    if isinstance(problems, _Undecided):
        return None
    restamped = []
    for problem in problems:
        again = restamp(problem, judged_subject, subject)
        if again is None:
            return None
        restamped.append(again)
    return restamped


def _named(subject: Any) -> str:
    name = getattr(subject, "name", None)
    kind = type(subject).__name__.lower()
    return f"{kind} {name}" if isinstance(name, str) else kind


def _record(
    chk: Check,
    visit: Visit,
    problems: Iterable[Problem] | _Undecided,
    inventory: Inventory,
    tally: dict[str, Tally],
) -> None:
    """Keep the findings of one check on one subject (an undecided one is not evaluated:
    what it found is kept, and the gap is recorded)."""
    counts = tally[chk.id]
    account = visit.context.account
    if isinstance(problems, _Undecided):
        counts.skipped.append(
            NotEvaluated(
                account.id if account else "*", f"{_named(visit.subject)}: {problems.reason}"
            )
        )
        problems = problems.problems
    else:
        counts.evaluated += 1
    for problem in problems:
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
