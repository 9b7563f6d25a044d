"""The plan's preconditions, checked when retire reads a user: each one met, or a blocker
that refuses the actions it gates (docs/retire.md has the table).

What retire can see through its own IAM calls it checks itself:

* ``workflows-use-oidc`` and ``target-in-use`` of a role destination: the plan's role
  exists in the user's account (``GetRole``) and was used after the plan's ``as_of``
  (``RoleLastUsed.LastUsedDate``). Unmet, the replacement is not in use: every action on
  the user's credentials is refused, deactivation included.
* ``no-use-since``: none of the user's keys and not its console password was used after
  the later of the plan's ``as_of`` and ``--min-idle-days`` ago (``GetAccessKeyLastUsed``,
  ``GetUser``'s ``PasswordLastUsed``). Unmet, what cannot be undone is refused (deleting a
  key, the password, the user); deactivation stays gated by ``--min-idle-days`` per key.
  ``--force`` naming the key (or the user, for its password) overrides, as it does for
  ``--min-idle-days``, and the journal records it.

What IAM cannot show (an Identity Center sign-in, a person's ``aws configure sso``
profile) a person confirms with ``--confirmed USER``; unconfirmed, every action is
refused. A confirmation never stands in for a check retire can make.

Keys are matched to the plan by ID, or, when the plan has none (made from a credential
report), by creation time. A key the plan did not see is not touched, and the user is not
deleted while it has one.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from keyless.retire.aws import AccountApi
from keyless.retire.model import KeyState, Step, StepStatus, UserState
from keyless.retire.planned import CHECKED_IN_AWS, Planned, PlanPrecondition
from keyless.retire.selection import Target
from keyless.retire.stages import Memory, Policy


def apply_plan(
    target: Target,
    state: UserState,
    api: AccountApi,
    memory: Memory,
    policy: Policy,
    now: datetime,
) -> tuple[Target, tuple[Step, ...]]:
    """``target`` with the keys the plan lists and the blockers of its unmet
    preconditions, and steps about keys the plan did not see or IAM no longer has.
    Raises :class:`keyless.retire.aws.AwsFailure` when the role cannot be read."""
    planned = target.plan
    if planned is None or not state.exists:
        return target, ()
    listed, steps = _listed_keys(planned, state, memory)
    key_ids = target.key_ids if target.key_ids is not None else listed
    blockers: list[str] = []
    deletion_blockers: list[str] = []
    unconfirmed: list[str] = []
    for precondition in planned.preconditions:
        if planned.how_checked(precondition) != CHECKED_IN_AWS:
            if not planned.confirmed:
                unconfirmed.append(f"{precondition.kind} not confirmed: {precondition.text}")
        elif precondition.kind == "no-use-since":
            deletion_blockers += _uses_since(planned, precondition, state, policy, now)
        else:
            found = _role_not_in_use(planned, precondition, api)
            if found is not None:
                blockers.append(found)
    if unconfirmed:
        unconfirmed[-1] += (
            f" (IAM cannot show this; once it is true: --confirmed {planned.account}:"
            f"{planned.user})"
        )
        blockers = [*unconfirmed, *blockers]
    gated = replace(
        target,
        key_ids=key_ids,
        blockers=(*target.blockers, *blockers),
        deletion_blockers=(*target.deletion_blockers, *deletion_blockers),
    )
    return gated, steps


def _listed_keys(
    planned: Planned, state: UserState, memory: Memory
) -> tuple[tuple[str, ...], tuple[Step, ...]]:
    """The user's keys that the plan lists; steps for the others, and for listed keys
    IAM no longer has."""
    ids = {key.key_id for key in planned.keys if key.key_id}
    by_creation = [key.created for key in planned.keys if key.key_id is None and key.created]
    listed: list[str] = []
    steps: list[Step] = []
    for key in state.keys:
        if key.key_id in ids or _created_as(key, by_creation):
            listed.append(key.key_id)
            continue
        created = f"created {key.created.date().isoformat()}, " if key.created else ""
        steps.append(
            Step(
                StepStatus.REFUSED,
                state.account,
                state.name,
                f"not in the plan ({created}the plan's evidence is of "
                f"{planned.as_of.date().isoformat()}): not touched, and {state.name} is not "
                "deleted while it has a key the plan did not see; plan again",
                kind="key",
                target=key.key_id,
            )
        )
    for key_id in sorted(ids - {key.key_id for key in state.keys}):
        record = memory.quarantine(state.account, key_id)
        if record is not None and record.deleted_at is not None:
            listed.append(key_id)  # the stages say when keyless deleted it
            continue
        steps.append(
            Step(
                StepStatus.NOTHING,
                state.account,
                state.name,
                "the plan lists it; IAM no longer has it",
                kind="key",
                target=key_id,
            )
        )
    return tuple(listed), tuple(steps)


def _created_as(key: KeyState, moments: list[datetime]) -> bool:
    # The credential report gives creation times to the second.
    return key.created is not None and any(
        abs(key.created - moment) < timedelta(seconds=1) for moment in moments
    )


def _role_not_in_use(
    planned: Planned, precondition: PlanPrecondition, api: AccountApi
) -> str | None:
    role = str(planned.role)
    use = api.role_use(role)
    as_of = planned.as_of.date().isoformat()
    if use is None:
        return (
            f"{precondition.kind} not met: there is no role {role} in account {planned.account} "
            f"yet ({precondition.text}); create it (`keyless generate`) and move the workload "
            "to it"
        )
    if use.last_used is None or use.last_used <= planned.as_of:
        last = f"last used {use.last_used.date().isoformat()}" if use.last_used else "never used"
        return (
            f"{precondition.kind} not met: role {role} is {last}, not since the plan "
            f"({as_of}) ({precondition.text}); move the workload to it, then run again"
        )
    return None


def _uses_since(
    planned: Planned,
    precondition: PlanPrecondition,
    state: UserState,
    policy: Policy,
    now: datetime,
) -> list[str]:
    since = max(planned.as_of, now - timedelta(days=policy.min_idle_days))
    day = since.date().isoformat()
    found = [
        f"{precondition.kind} not met: {key.key_id} was used "
        f"{key.last_used.date().isoformat()}, after {day}"
        for key in state.keys
        if key.last_used is not None
        and key.last_used > since
        and not policy.force.covers_key(key.key_id)
    ]
    forced = policy.force.covers_user(state.account, state.name)
    used = state.password_last_used
    if state.login_profile and used is not None and used > since and not forced:
        found.append(
            f"{precondition.kind} not met: the console password was used "
            f"{used.date().isoformat()}, after {day}"
        )
    if found:
        found[-1] += (
            " (the later of the plan's evidence and --min-idle-days ago): something still uses "
            "the user's credentials"
        )
    return found
