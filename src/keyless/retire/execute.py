"""Carrying out actions with the journal: each one recorded as intended before its AWS
call and settled after it, at most ``--max-actions`` changes a run, and actions an
interrupted run left unsettled checked against AWS before anything else is decided.
Shared by ``retire`` and ``rollback``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import groupby

from keyless.retire.aws import AccountApi, AwsFailure
from keyless.retire.backup import backup_document, merged_backup
from keyless.retire.effects import NEEDS_ATTRIBUTES, holds
from keyless.retire.journal import Journal
from keyless.retire.model import Action, ActionKind, Step, StepStatus, UserState
from keyless.retire.reach import Opened
from keyless.retire.records import Entry, Run
from keyless.retire.stages import Memory

Clock = Callable[[], datetime]
#: ``(done, total)``: how many of a run's users or keys have been dealt with (for a
#: progress bar).
Tally = Callable[[int, int], None]


def no_tally(_done: int, _total: int) -> None:
    """The progress callback of a caller that shows none."""


def utc_now() -> datetime:
    """The time now, in UTC."""
    return datetime.now(UTC)


def observe(api: AccountApi, user: str, memory: Memory, *, attributes: bool) -> UserState:
    """The user now; with its attributes, including virtual MFA devices its backup lists
    that a retirement deactivated but did not get to delete."""
    state = api.observe(user, attributes=attributes)
    if state.attributes is None:
        return state
    backup = memory.open_backup(state.account, user)
    assigned = {device.serial for device in state.attributes.mfa_devices}
    earlier = {
        str(device.get("serial"))
        for device in (backup.document.get("mfa_devices") or () if backup else ())
        if isinstance(device, dict) and ":mfa/" in str(device.get("serial"))
    } - assigned
    if not earlier:
        return state
    leftover = tuple(sorted(earlier & api.unassigned_virtual_mfa()))
    return replace(state, attributes=replace(state.attributes, leftover_virtual_mfa=leftover))


def settle_pending(
    pending: Iterable[Entry], opened: Opened, journal: Journal, memory: Memory, clock: Clock
) -> tuple[Step, ...]:
    """Settle the actions a crashed run recorded as intended: done if AWS shows their
    effect (the call was made; it is not made again), not done otherwise (the run decides
    them again). An action in an account that cannot be reached stays unsettled."""
    steps: list[Step] = []
    ordered = sorted(pending, key=lambda e: (e.action.account, e.action.user, e.id))
    for (account, user), group in groupby(ordered, key=lambda e: (e.action.account, e.action.user)):
        entries = list(group)
        api = opened.apis.get(account)
        if api is None:
            reason = opened.unreachable.get(account, "account not reached")
            steps += [
                Step.of(e.action, StepStatus.UNREAD, f"interrupted; not checked: {reason}")
                for e in entries
            ]
            continue
        wanted = any(e.action.kind in NEEDS_ATTRIBUTES for e in entries)
        try:
            state = observe(api, user, memory, attributes=wanted)
        except AwsFailure as failure:
            steps += [
                Step.of(
                    e.action, StepStatus.UNREAD, f"interrupted; not checked: {failure.describe()}"
                )
                for e in entries
            ]
            continue
        for entry in entries:
            if holds(entry.action, state):
                journal.settle(entry.id, "done", clock(), note="confirmed after an interruption")
                reason = "interrupted after the call: AWS shows it done"
                steps.append(Step.of(entry.action, StepStatus.DONE, reason))
            else:
                journal.settle(entry.id, "not-done", clock(), note="interrupted before the call")
                reason = "interrupted before the call: decided again below"
                steps.append(Step.of(entry.action, StepStatus.NOTHING, reason))
    return tuple(steps)


@dataclass(slots=True)
class Budget:
    """How many more AWS changes the run may make (``None``: no cap)."""

    left: int | None

    def fits(self, count: int) -> bool:
        """True when ``count`` more changes are allowed."""
        return self.left is None or count <= self.left

    def take(self) -> None:
        """Count one change."""
        if self.left is not None:
            self.left -= 1


class Executor:
    """Does actions (or, in a dry run, plans them) in order, within a budget."""

    def __init__(
        self, journal: Journal | None, run: Run | None, clock: Clock, max_actions: int | None
    ) -> None:
        self._journal = journal
        self._run = run
        self._clock = clock
        used = run.changes if run is not None else 0
        self.budget = Budget(None if max_actions is None else max(0, max_actions - used))

    @property
    def applies(self) -> bool:
        """True when actions are carried out, not only planned."""
        return self._journal is not None and self._run is not None

    def carry_out(
        self, api: AccountApi, steps: Iterable[Step], state: UserState, *, chain: bool
    ) -> list[Step]:
        """The planned steps done (or kept planned in a dry run), in order. A ``chain``
        (a user's retirement or restoration) starts only when the budget covers all of
        it, and stops at its first failure."""
        steps = list(steps)
        changes = sum(
            1
            for s in steps
            if s.status is StepStatus.PLANNED and s.action and s.action.kind.changes_aws
        )
        if chain and not self.budget.fits(changes):
            reason = (
                f"needs {changes} changes; --max-actions leaves {self.budget.left}: the next run "
                "does all of them"
            )
            return [
                Step.of(s.action, StepStatus.DEFERRED, reason)
                if s.status is StepStatus.PLANNED and s.action
                else s
                for s in steps
            ]
        done: list[Step] = []
        failed = False
        for step in steps:
            action = step.action
            if step.status is not StepStatus.PLANNED or action is None:
                done.append(step)
            elif failed:
                done.append(
                    Step.of(action, StepStatus.SKIPPED, "not attempted: a change above failed")
                )
            elif action.kind.changes_aws and not self.budget.fits(1):
                done.append(Step.of(action, StepStatus.DEFERRED, "--max-actions reached"))
            else:
                result = self.execute(api, action, state)
                failed = chain and result.status is StepStatus.FAILED
                done.append(result)
        return done

    def execute(self, api: AccountApi, action: Action, state: UserState) -> Step:
        """One action: recorded, made, settled. A dry run only plans it."""
        if action.kind.changes_aws:
            self.budget.take()
        if self._journal is None or self._run is None:
            return Step.of(action, StepStatus.PLANNED)
        journal, clock = self._journal, self._clock
        entry = journal.intend(self._run.id, action, clock())
        if action.kind is ActionKind.BACKUP_USER:
            document = backup_document(state, clock())
            earlier = journal.open_backup(action.account, action.user)
            if earlier is not None and earlier.document.get("user_id") == state.user_id:
                document = merged_backup(earlier.document, document)
            journal.settle(entry, "done", clock(), backup=document)
            return Step.of(action, StepStatus.DONE, "taken; kept in the journal")
        try:
            note = api.perform(action)
        except AwsFailure as failure:
            journal.settle(entry, "failed", clock(), error=failure.describe())
            return Step.of(action, StepStatus.FAILED, failure.describe())
        journal.settle(entry, "done", clock(), note=note)
        return Step.of(action, StepStatus.DONE, f"{action.reason} ({note})" if note else None)
