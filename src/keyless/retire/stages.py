"""What to do next for one selected user, decided from what AWS holds now and what the
journal remembers: a pure function, so a run that resumes after a crash decides exactly
what the interrupted run still had to do.

The stages, per key and per user:

1. **deactivate** an active key, unless it was used within ``--min-idle-days`` (or, never
   used, created within them) and ``--force`` does not name it, or a plan says something
   still needs it.
2. **quarantine**: an inactive key waits ``--quarantine-days`` from the moment keyless
   deactivated it (or first found it inactive). A key used after that moment is refused:
   something still needs it, and ``keyless retire rollback`` brings it back.
3. **delete** a key whose quarantine is over. A user being retired goes as a unit, once
   every one of its keys has served its quarantine and its console password (if any) has
   been idle for ``--min-idle-days``: backup first, then everything ``DeleteUser``
   requires gone, in the order of its API reference, then the user.
   https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteUser.html
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from keyless.dates import days_since
from keyless.retire.backup import covers
from keyless.retire.model import Action, ActionKind, KeyState, Step, StepStatus, UserState
from keyless.retire.records import Backup, Quarantine
from keyless.retire.selection import Force, Target


class Memory(Protocol):
    """What the journal remembers that AWS does not say."""

    def quarantine(self, account: str, key_id: str) -> Quarantine | None:
        """Since when the key has been out of service, by keyless's account."""

    def open_backup(self, account: str, user: str) -> Backup | None:
        """The user's backup that no rollback has restored yet."""


class NoMemory:
    """The memory of a journal that does not exist yet."""

    def quarantine(self, account: str, key_id: str) -> Quarantine | None:
        return None

    def open_backup(self, account: str, user: str) -> Backup | None:
        return None


@dataclass(frozen=True, slots=True)
class Policy:
    """The thresholds of a run."""

    min_idle_days: int = 30
    quarantine_days: int = 14
    force: Force = field(default_factory=Force)


@dataclass(frozen=True, slots=True)
class Decision:
    """The steps for one user, in order. ``actions`` are to be done (in order);
    ``chain`` when they retire the user as a unit (all of them or none under
    ``--max-actions``). ``needs_attributes``: decide again once they are read.
    ``found_inactive``: keys to start the quarantine of."""

    steps: tuple[Step, ...] = ()
    chain: bool = False
    needs_attributes: bool = False
    found_inactive: tuple[str, ...] = ()

    @property
    def actions(self) -> tuple[Action, ...]:
        """The actions among the steps."""
        return tuple(step.action for step in self.steps if step.action is not None)


def decide(
    target: Target,
    state: UserState,
    memory: Memory,
    policy: Policy,
    now: datetime,
    *,
    apply: bool = True,
) -> Decision:
    """The next steps for ``target`` given the user's ``state``, in a run that changes
    AWS and the journal (``apply``) or a dry run."""
    account, name = state.account, state.name
    if not state.exists:
        backup = memory.open_backup(account, name)
        if backup is not None:
            return Decision((_user_step(state, StepStatus.NOTHING, _deleted(backup)),))
        return Decision(
            (_user_step(state, StepStatus.REFUSED, f"no IAM user {name} in account {account}"),)
        )
    wanted = target.key_ids
    steps = [
        _missing_key(state, key_id, memory) for key_id in wanted or () if state.key(key_id) is None
    ]
    ready: list[Action] = []
    not_ready: list[str] = []
    found_inactive: list[str] = []
    for key in state.keys:
        if wanted is not None and key.key_id not in wanted:
            if target.retire_user:
                not_ready.append(
                    f"{key.key_id} ({'not in the plan' if target.plan else 'not selected'})"
                )
            continue
        if key.active:
            step = _deactivation(target, state, key, policy, now)
            steps.append(step)
            planned = step.status is StepStatus.PLANNED
            why = (
                "its quarantine starts as it is deactivated"
                if planned
                else "still active: its deactivation was refused"
            )
            not_ready.append(f"{key.key_id} ({why})")
            continue
        outcome = _inactive(target, state, key, memory, policy, now, apply=apply)
        if isinstance(outcome, Action):
            ready.append(outcome)
            continue
        if outcome.status is StepStatus.WAITING and memory.quarantine(account, key.key_id) is None:
            found_inactive.append(key.key_id)
        steps.append(outcome)
        waiting = outcome.status is StepStatus.WAITING
        not_ready.append(
            f"{key.key_id} ({'in quarantine' if waiting else 'its deletion was refused'})"
        )
    if not target.retire_user:
        steps += [Step.of(action, StepStatus.PLANNED) for action in ready]
        return Decision(tuple(steps), found_inactive=tuple(found_inactive))
    blocked = _user_blocked(target, state, not_ready, policy, now)
    if blocked is not None:
        steps += [Step.of(a, StepStatus.WAITING, "deleted with the user") for a in ready]
        steps.append(blocked)
        return Decision(tuple(steps), found_inactive=tuple(found_inactive))
    if state.attributes is None:
        return Decision(tuple(steps), needs_attributes=True)
    chain = _retirement(state, ready, memory)
    steps += [Step.of(action, StepStatus.PLANNED) for action in chain]
    return Decision(tuple(steps), chain=True, found_inactive=tuple(found_inactive))


def _deactivation(
    target: Target, state: UserState, key: KeyState, policy: Policy, now: datetime
) -> Step:
    action = Action(ActionKind.DEACTIVATE_KEY, state.account, state.name, key.key_id)
    if target.blockers:
        return Step.of(action, StepStatus.REFUSED, _still_needed(target))
    forced = policy.force.covers_key(key.key_id)
    if key.last_used is not None:
        idle = days_since(now, key.last_used)
        where = f" ({key.last_used_service})" if key.last_used_service else ""
        reason = f"last used {idle} days ago{where}"
    elif key.created is not None:
        idle = days_since(now, key.created)
        reason = f"never used; created {idle} days ago"
    else:
        idle, reason = policy.min_idle_days, "never used"
    if idle < policy.min_idle_days:
        if not forced:
            recent = (
                f"{reason}: less than --min-idle-days {policy.min_idle_days}"
                if key.last_used is not None
                else f"{reason}: it may not be in use yet"
            )
            return Step.of(action, StepStatus.REFUSED, f"{recent}; --force {key.key_id} overrides")
        reason += f"; deactivated despite recent use (--force {key.key_id})"
    return Step.of(_with_reason(action, reason), StepStatus.PLANNED)


def _inactive(
    target: Target,
    state: UserState,
    key: KeyState,
    memory: Memory,
    policy: Policy,
    now: datetime,
    *,
    apply: bool,
) -> Step | Action:
    """A DELETE_KEY action when the key has served its quarantine, else why not yet."""
    action = Action(ActionKind.DELETE_KEY, state.account, state.name, key.key_id)
    record = memory.quarantine(state.account, key.key_id)
    since = record.since if record is not None else now
    if key.last_used is not None and key.last_used > since:
        used = f"used {key.last_used.date().isoformat()}"
        if key.last_used_service:
            used += f" ({key.last_used_service})"
        return Step.of(
            action,
            StepStatus.REFUSED,
            f"{used}, after it was taken out of service on {since.date().isoformat()}: something"
            f" still needs it (`keyless retire rollback --access-key-id {key.key_id}`)",
        )
    if target.blockers or target.deletion_blockers:
        return Step.of(action, StepStatus.REFUSED, _still_needed(target))
    ends = since + timedelta(days=policy.quarantine_days)
    if record is None:
        # A dry run journals nothing: the quarantine starts with the first --apply run
        # that sees the key, not with this one.
        if apply:
            reason = (
                "inactive, not by keyless: its quarantine starts now; deletable from "
                f"{ends.date().isoformat()}"
            )
        else:
            reason = (
                f"inactive, not by keyless: its {policy.quarantine_days}-day quarantine starts"
                " with the first --apply run that sees it (with --apply today, deletable from"
                f" {ends.date().isoformat()})"
            )
        return Step.of(action, StepStatus.WAITING, reason)
    served = days_since(now, since)
    if now < ends:
        reason = (
            f"inactive for {served} of {policy.quarantine_days} quarantine days; deletable from "
            f"{ends.date().isoformat()}"
        )
        return Step.of(action, StepStatus.WAITING, reason)
    reason = f"inactive for {served} days (quarantine {policy.quarantine_days}) and unused since"
    return _with_reason(action, reason)


def _user_blocked(
    target: Target, state: UserState, not_ready: list[str], policy: Policy, now: datetime
) -> Step | None:
    if not_ready:
        return _user_step(
            state,
            StepStatus.WAITING,
            "deleted once every key has served its quarantine: " + ", ".join(not_ready),
        )
    if target.blockers or target.deletion_blockers:
        return _user_step(state, StepStatus.REFUSED, _still_needed(target))
    if state.login_profile and state.password_last_used is not None:
        idle = days_since(now, state.password_last_used)
        if idle < policy.min_idle_days and not policy.force.covers_user(state.account, state.name):
            return _user_step(
                state,
                StepStatus.REFUSED,
                f"console password used {idle} days ago: less than --min-idle-days "
                f"{policy.min_idle_days}; --force {state.name} overrides",
            )
    return None


def _retirement(state: UserState, keys: list[Action], memory: Memory) -> list[Action]:
    """Backup, then what DeleteUser requires gone, in its API reference's order: access
    keys, login profile, MFA devices, SSH public keys, signing certificates,
    service-specific credentials, group memberships, attached and inline policies,
    permissions boundary; then the user."""
    attributes = state.attributes
    assert attributes is not None
    account, user = state.account, state.name

    def act(kind: ActionKind, target: str = "", reason: str = "") -> Action:
        return Action(kind, account, user, target, reason)

    chain: list[Action] = []
    backup = memory.open_backup(account, user)
    if backup is None or backup.document.get("user_id") != state.user_id:
        chain.append(act(ActionKind.BACKUP_USER, reason="before anything that cannot be undone"))
    elif not covers(backup.document, state):
        # An earlier run began the retirement and stopped; the user was given something
        # since (a group, a policy, a tag), which this run removes: back it up too.
        chain.append(act(ActionKind.BACKUP_USER, reason="the user holds what its backup lacks"))
    chain += keys
    if state.login_profile:
        chain.append(act(ActionKind.DELETE_LOGIN_PROFILE, reason="console password"))
    for device in attributes.mfa_devices:
        chain.append(act(ActionKind.DEACTIVATE_MFA, device.serial, "MFA device"))
        if device.is_virtual:
            chain.append(act(ActionKind.DELETE_VIRTUAL_MFA, device.serial, "virtual MFA device"))
    chain += [
        act(ActionKind.DELETE_VIRTUAL_MFA, serial, "virtual MFA device, deactivated earlier")
        for serial in attributes.leftover_virtual_mfa
    ]
    chain += [act(ActionKind.DELETE_SSH_KEY, k.id, "SSH public key") for k in attributes.ssh_keys]
    chain += [
        act(ActionKind.DELETE_SIGNING_CERTIFICATE, c.id, "signing certificate")
        for c in attributes.certificates
    ]
    chain += [
        act(
            ActionKind.DELETE_SERVICE_CREDENTIAL, c.id, f"service-specific credential ({c.service})"
        )
        for c in attributes.service_credentials or ()
    ]
    chain += [act(ActionKind.REMOVE_FROM_GROUP, g, "group membership") for g in attributes.groups]
    chain += [
        act(ActionKind.DETACH_POLICY, arn, "attached policy")
        for arn in attributes.attached_policies
    ]
    chain += [
        act(ActionKind.DELETE_INLINE_POLICY, p.name, "inline policy")
        for p in attributes.inline_policies
    ]
    if state.boundary:
        chain.append(act(ActionKind.DELETE_BOUNDARY, state.boundary, "permissions boundary"))
    chain.append(act(ActionKind.DELETE_USER, reason="nothing left that DeleteUser refuses"))
    return chain


def _missing_key(state: UserState, key_id: str, memory: Memory) -> Step:
    record = memory.quarantine(state.account, key_id)
    if record is not None and record.deleted_at is not None:
        reason = f"deleted by keyless on {record.deleted_at.date().isoformat()}"
        status = StepStatus.NOTHING
    else:
        reason = f"{state.name} has no access key {key_id}"
        status = StepStatus.REFUSED
    return Step(status, state.account, state.name, reason, kind="key", target=key_id)


def _user_step(state: UserState, status: StepStatus, reason: str) -> Step:
    return Step(status, state.account, state.name, reason, kind="user")


def _deleted(backup: Backup) -> str:
    return (
        f"deleted by keyless; backup taken {backup.taken_at.date().isoformat()} "
        "(`keyless retire rollback --user` recreates it)"
    )


def _still_needed(target: Target) -> str:
    if target.blockers:
        return "the plan says it is still needed: " + "; ".join(target.blockers)
    return "a precondition of the plan is not met: " + "; ".join(target.deletion_blockers)


def _with_reason(action: Action, reason: str) -> Action:
    return Action(action.kind, action.account, action.user, action.target, reason, action.detail)
