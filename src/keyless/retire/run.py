"""``keyless retire``: take the selected keys and users out, one stage per run.

A run reads each selected user as AWS holds it now, decides the next steps from that and
the journal (:func:`keyless.retire.stages.decide`) and, with ``apply``, carries them out.
Dry by default: the same decisions, printed, nothing changed and nothing written.

Crash-safe by construction: a run first settles the actions an interrupted run left
unsettled (AWS shows whether each happened), then decides from the state AWS is in, so a
resumed run does what the interrupted one still had to do, once, and nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from keyless.errors import KeylessError
from keyless.retire.aws import AccountApi, AwsFailure
from keyless.retire.backup import checked, latest_unrestored
from keyless.retire.execute import (
    Clock,
    Executor,
    Tally,
    no_tally,
    observe,
    settle_pending,
    utc_now,
)
from keyless.retire.journal import DEFAULT_PATH, Journal
from keyless.retire.model import Report, Step, StepStatus, UserState
from keyless.retire.plan import RetirePlan
from keyless.retire.preconditions import apply_plan
from keyless.retire.reach import Opened, Reach
from keyless.retire.selection import Selection, Target
from keyless.retire.stages import Decision, Memory, NoMemory, Policy, decide


@dataclass(frozen=True, slots=True)
class RetireRequest:
    """What to retire and how carefully. ``max_actions`` caps the AWS changes of a run."""

    selection: Selection
    policy: Policy = field(default_factory=Policy)
    apply: bool = False
    max_actions: int | None = None
    journal: Path = DEFAULT_PATH
    #: The plan the selection follows (``--plan``): recorded with the confirmations.
    plan: RetirePlan | None = None

    def record(self) -> dict[str, Any]:
        """The request as the journal keeps it (a rerun with the same one resumes); with a
        plan, the plan and each confirmation with the precondition texts it confirmed."""
        recorded: dict[str, Any] = {
            "selection": self.selection.describe(),
            "min_idle_days": self.policy.min_idle_days,
            "quarantine_days": self.policy.quarantine_days,
            "force": self.policy.force.describe(),
            "max_actions": self.max_actions,
        }
        if self.plan is not None:
            recorded["plan"] = self.plan.record(self.selection)
        return recorded


def retire(
    request: RetireRequest, reach: Reach, *, clock: Clock = utc_now, progress: Tally = no_tally
) -> Report:
    """Decide, and with ``request.apply`` do, the next stage for every selected target.
    ``progress(done, total)`` is told how many of the selected users have been dealt with."""
    if request.selection.is_empty:
        raise KeylessError(
            "nothing to retire: no user or key was selected",
            hint="Name users with --user and keys with --access-key-id.",
        )
    if request.max_actions is not None and request.max_actions < 1:
        raise KeylessError("--max-actions must be at least 1", where="--max-actions")
    now = clock()
    # Reached first: an account out of reach leaves no journal behind.
    selection = request.selection.in_account(reach.default_account())
    with open_journal(request.journal, writable=request.apply) as journal:
        memory: Memory = journal if journal is not None else NoMemory()
        for backup in latest_unrestored(journal.backups() if journal is not None else ()):
            checked(backup, str(request.journal))  # damage stops the run before AWS is called
        pending = journal.pending() if journal is not None else ()
        opened = reach.open(selection.accounts() | {entry.action.account for entry in pending})
        # A dry run reads the journal (read-only) and writes nothing, even after an --apply.
        writing = journal if request.apply else None
        run = writing.begin("retire", request.record(), now) if writing is not None else None
        settled = settle_pending(pending, opened, writing, memory, clock) if writing else ()
        executor = Executor(journal, run, clock, request.max_actions)
        targets, steps = _resolve(selection, opened, memory)
        progress(0, len(targets))
        for done, target in enumerate(targets, start=1):
            api = opened.apis[str(target.account)]
            decided = _decide(target, api, memory, request, now)
            if isinstance(decided, Step):
                steps.append(decided)
            else:
                decision, state = decided
                steps += executor.carry_out(api, decision.steps, state, chain=decision.chain)
            progress(done, len(targets))
        if journal is not None and run is not None:
            journal.finish(run.id, clock())
    return Report(
        command="retire",
        apply=request.apply,
        journal=str(request.journal),
        steps=tuple(steps),
        settled=settled,
        unreachable=opened.unreachable,
        run_id=run.id if run else None,
        resumed=run.resumed if run else False,
        plan=None if request.plan is None else MappingProxyType(request.plan.record(selection)),
    )


@contextmanager
def open_journal(path: Path, *, writable: bool) -> Iterator[Journal | None]:
    """The journal, locked when ``writable``; ``None`` for a dry run before any apply."""
    journal = Journal.open(path, writable=writable)
    try:
        yield journal
    finally:
        if journal is not None:
            journal.close()


def _decide(
    target: Target, api: AccountApi, memory: Memory, request: RetireRequest, now: datetime
) -> Step | tuple[Decision, UserState]:
    """The user's next steps, reading its attributes only when they are needed."""
    user = str(target.user)
    try:
        state = observe(api, user, memory, attributes=False)
        target, about_plan = apply_plan(target, state, api, memory, request.policy, now)
        decision = decide(target, state, memory, request.policy, now, apply=request.apply)
        if decision.needs_attributes:
            state = observe(api, user, memory, attributes=True)
            decision = decide(target, state, memory, request.policy, now, apply=request.apply)
        if about_plan:
            decision = replace(decision, steps=(*about_plan, *decision.steps))
    except AwsFailure as failure:
        reason = f"could not be read: {failure.describe()}"
        return Step(StepStatus.UNREAD, api.account_id, user, reason, kind="user")
    if request.apply and isinstance(memory, Journal):
        for key_id in decision.found_inactive:
            memory.start_quarantine(api.account_id, key_id, user, now)
    return decision, state


def _resolve(
    selection: Selection, opened: Opened, memory: Memory
) -> tuple[list[Target], list[Step]]:
    """Targets by user (a key named by ID alone is looked up), merged when several name
    the same user; steps for what cannot be acted on."""
    merged: dict[tuple[str, str], Target] = {}
    steps: list[Step] = []
    for target in selection.targets:
        account = str(target.account)
        if account in opened.unreachable:
            reason = f"account not reached: {opened.unreachable[account]}"
            steps.append(_about(target, StepStatus.UNREAD, reason))
            continue
        if target.user is None:
            found = _owner(target, opened.apis[account], memory)
            if isinstance(found, Step):
                steps.append(found)
                continue
            target = replace(target, user=found)
        key = (account, str(target.user))
        merged[key] = _merge(merged[key], target) if key in merged else target
    return list(merged.values()), steps


def _owner(target: Target, api: AccountApi, memory: Memory) -> str | Step:
    key_id = (target.key_ids or ("",))[0]
    try:
        owner = api.key_owner(key_id)
    except AwsFailure as failure:
        return _about(target, StepStatus.UNREAD, f"could not be read: {failure.describe()}")
    if owner is not None:
        return owner
    record = memory.quarantine(api.account_id, key_id)
    if record is not None and record.deleted_at is not None:
        reason = f"deleted by keyless on {record.deleted_at.date().isoformat()}"
        return Step(
            StepStatus.NOTHING, api.account_id, record.user, reason, kind="key", target=key_id
        )
    reason = f"no IAM user of account {api.account_id} has access key {key_id}"
    return _about(target, StepStatus.REFUSED, reason)


def _merge(first: Target, second: Target) -> Target:
    keys = (
        None
        if first.key_ids is None or second.key_ids is None
        else tuple(dict.fromkeys((*first.key_ids, *second.key_ids)))
    )
    return Target(
        first.account,
        first.user,
        keys,
        first.retire_user or second.retire_user,
        f"{first.origin}, {second.origin}",
        tuple(dict.fromkeys((*first.blockers, *second.blockers))),
        tuple(dict.fromkeys((*first.deletion_blockers, *second.deletion_blockers))),
        first.plan or second.plan,
    )


def _about(target: Target, status: StepStatus, reason: str) -> Step:
    key = target.key_ids[0] if target.user is None and target.key_ids else ""
    return Step(
        status,
        str(target.account),
        target.user or "",
        reason,
        kind="key" if key else "user",
        target=key,
    )
