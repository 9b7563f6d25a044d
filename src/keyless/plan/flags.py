"""The over-privilege a target is flagged for (``flags`` in ``keyless/plan/v1``), never
changed: ``*:*`` (every action on every resource), ``near-*:*`` (every action outside a
short list) and ``iam:*`` (every IAM action).

Administrators are judged as the ``user-admin-with-access-key`` check judges them, from
what the statements grant together, Denies included
(:func:`keyless.policy.grants.grant_on_everything`), not policy by policy: a Deny of
``iam:*`` beside ``AdministratorAccess`` makes it ``near-*:*``, as ``PowerUserAccess``.
"""

from __future__ import annotations

import functools

from keyless.checks._policies import FULL_ADMIN_DOCUMENT, is_full_admin_arn, parsed_policy
from keyless.plan.languages import action_set
from keyless.policy.document import Effect, Policy, PolicyKind, Statement
from keyless.policy.grants import Grant, grant_on_everything

ALL_ACTIONS = "*:*"
#: Every action outside a short list (a ``NotAction``, or a Deny beside ``*``).
NEAR_ALL_ACTIONS = "near-*:*"
IAM_ACTIONS = "iam:*"
FULL_IAM_POLICY_NAMES = frozenset({"IAMFullAccess"})


def flags_of(statements: tuple[Statement, ...], by_name: set[str]) -> set[str]:
    """``*:*`` when the carried statements allow every action on every resource, their
    Denies taken into account; ``near-*:*`` when every action outside a short list
    (``PowerUserAccess``'s ``NotAction``, a Deny of ``iam:*`` beside
    ``AdministratorAccess``): the judgement of the ``user-admin-with-access-key`` check,
    :func:`keyless.policy.grants.grant_on_everything`, not a reading policy by policy.
    ``iam:*`` for an Allow of every IAM action the Denies leave whole, or an AWS managed
    full-IAM policy (``by_name``: ``IAMFullAccess``)."""
    grant = _grant(tuple(s for s in statements if _may_grant_everything(s)))
    flags = {IAM_ACTIONS} & by_name
    flags |= {IAM_ACTIONS for s in statements if _allows_all_of_iam(s)}
    if grant.everything:
        return {ALL_ACTIONS}
    if grant.broad:
        flags.add(NEAR_ALL_ACTIONS)
        iam = action_set((IAM_ACTIONS,))
        if any(action_set((p,)).common_example(iam) is not None for p in grant.excepted):
            flags.discard(IAM_ACTIONS)
    return flags


def _may_grant_everything(statement: Statement) -> bool:
    """A statement :func:`grant_on_everything` reads: an Allow or Deny on every resource
    (the others are left out before building the automata of every user's policies)."""
    resources = statement.resources
    return resources is not None and (
        statement.resources_negated or any(r.strip() in ("*", "*:*") for r in resources)
    )


@functools.lru_cache(maxsize=4096)
def _grant(statements: tuple[Statement, ...]) -> Grant:
    """What ``statements`` grant on every resource. The check reports a user only when
    one of its statements alone allows every action (``*`` or a ``NotAction``,
    :func:`keyless.checks._policies.grants_full_admin`): without one, a list of actions
    is no administrator, and the automata are not built."""
    if not any(_allows_every_action(s) for s in statements):
        return Grant(everything=False)
    return grant_on_everything((Policy(PolicyKind.IDENTITY, statements),))


def _allows_every_action(statement: Statement) -> bool:
    return statement.effect is Effect.ALLOW and (
        statement.actions_negated or any(a.strip() in ("*", ALL_ACTIONS) for a in statement.actions)
    )


@functools.lru_cache(maxsize=16384)
def _allows_all_of_iam(statement: Statement) -> bool:
    """An Allow naming every IAM action (``iam:*``, or a list that covers it), other than
    one of every action on every resource: that one is judged by :func:`flags_of` with the
    Denies beside it."""
    if statement.effect is not Effect.ALLOW or statement.actions_negated:
        return False
    if _allows_every_action(statement) and _may_grant_everything(statement):
        return False
    return action_set(statement.actions).includes(action_set((IAM_ACTIONS,)))


def statements_by_name(arn: str | None) -> tuple[Statement, ...]:
    """What an AWS managed full-administrator policy whose document the inventory lacks
    allows, as AWS writes it (``keyless.checks._policies.FULL_ADMIN_DOCUMENT``): read with
    the user's Denies, as the check reads it."""
    if not is_full_admin_arn(arn):
        return ()
    policy = parsed_policy(FULL_ADMIN_DOCUMENT)
    return policy.statements if policy is not None else ()


def flags_by_name(arn: str | None) -> set[str]:
    """``iam:*`` for an AWS managed full-IAM policy (``IAMFullAccess``), by its ARN."""
    if arn and ":iam::aws:policy/" in arn and arn.rsplit("/", 1)[-1] in FULL_IAM_POLICY_NAMES:
        return {IAM_ACTIONS}
    return set()
