"""Never broaden: prove, with the policy engine and not by sampling, that a target allows
nothing its IAM user could not already do.

**The claim.** For a user *U* compared in session *S* (:class:`~keyless.plan.principal.Mode`:
signed in with MFA for people, access keys for workloads) and its target *T* (a
permission set or a role in the same account, with the same permissions boundary): every
request — action *a*, resource *r*, request context *C* — that *T*'s identity policies
allow, *U*'s identity policies allowed in *S* with the same *C*. The request context is
the same on both sides except for the identity keys (:mod:`keyless.plan.principal`): *U*'s
are constants of the user and of *S*; *T*'s are unknown, except that a role session never
carries ``aws:username``.

**The argument.** IAM allows a request when some Allow statement matches it and no Deny
does (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
Specialise *U*'s statements to *U* in *S*: each then matches exactly the requests it
matched for *U* and mentions no identity key whose value is known. Then it suffices that

1. every Allow *t* of *T* is *covered*: for each action pattern *p* of *t*, the Allows *u* of
   *U* whose conditions are all among *t*'s (so they hold whenever *t*'s do, request keys
   being equal on both sides) and whose resource language includes *t*'s have action
   languages whose union includes *p*. *T*'s identity conditions are ignored and its
   identity variables read as ``*`` — both make *t* match more, so covering it is harder;
   *U*'s Allows that still depend on an unknown identity key are not used as covers;
2. every Deny *d* of *U* that can apply in *S* either reappears in *T* — a Deny *d'* of *T*
   over request keys only, whose conditions are among *d*'s and whose action and
   resource languages include *d*'s, so *d'* applies whenever *d* does — or is disjoint
   from every Allow of *T* (no action or no resource in common), so dropping it frees
   nothing the target allows. *d*'s own unknown identity keys are read as "any value".

If *T* allowed a request *U* could not, either no Allow of *U* matched it — contradicting
1 — or a Deny *d* of *U* did: then by 2 a Deny of *T* matches it too, or no Allow of *T*
does; either way *T* does not allow it. Dropping a Deny is therefore safe exactly when
2 holds: the "deny unless MFA" guard never applies to a user signed in with MFA, so for
people it is gone from *U*'s specialised Denies and need not reappear; for workloads it
applies (keys carry no MFA) and must be kept.

Languages of actions and resources are regular (:mod:`keyless.patterns`); inclusion and
emptiness are decided exactly, and a failure comes with an action and a resource the
target allows and the user could not. What the proof does not see is said as an
assumption: a managed policy whose document the inventory lacks (the same reference on
both sides is assumed not to depend on who calls); resource-based policies that name
the IAM user (they do not follow the target: allows are lost, which is safe, and a Deny
naming the user would no longer apply — keyless cannot read those); and the service
control policies and session policies that apply to both.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from keyless.checks._policies import parsed_policy, policies_of
from keyless.model import Account, User
from keyless.patterns import Glob, Language
from keyless.plan.languages import GlobParts, PatternSet, action_set, example
from keyless.plan.model import Permissions, Proof, ProofStatus
from keyless.plan.permissions import Parser, customer_managed_policy
from keyless.plan.principal import (
    ROLE_SESSION,
    Mode,
    PrincipalValues,
    is_identity_key,
    specialise,
    user_values,
)
from keyless.policy.document import Condition, Effect, Policy, Statement
from keyless.policy.variables import Text, split_variables

ConditionKey = tuple[object, ...]


@dataclass(frozen=True, slots=True)
class _Shape:
    """A statement as the proof reads it: its actions and resources as pattern sets, its
    conditions on request keys, and ``key``, equal for statements that are the same."""

    label: str
    actions: PatternSet
    resources: PatternSet
    conditions: frozenset[ConditionKey]
    key: tuple[object, ...]


@dataclass(frozen=True, slots=True)
class _Side:
    allows: tuple[_Shape, ...]
    denies: tuple[_Shape, ...]


def prove(
    user: User,
    account: Account,
    mode: Mode,
    permissions: Permissions,
    organization_id: str | None = None,
    *,
    parse: Parser | None = None,
) -> Proof:
    """Prove that ``permissions`` allow nothing ``user`` could not do in ``mode``.
    ``parse`` reads a policy document (a memoising one saves re-parsing)."""
    parse = parse or parsed_policy
    if permissions.boundary != user.permissions_boundary:
        return Proof(
            ProofStatus.FAILED,
            f"the target's permissions boundary ({permissions.boundary or 'none'}) is not the "
            f"user's ({user.permissions_boundary or 'none'})",
        )
    assumptions: list[str] = []
    target_policies, opaque, missing = _target_policies(account, permissions, parse)
    if missing:
        return Proof(ProofStatus.UNPROVED, f"not in account {account.id}: {', '.join(missing)}")
    user_policies: list[tuple[str, Policy]] = []
    for applied in policies_of(user, account):
        policy = parse(applied.document)
        if policy is not None:
            user_policies.append((applied.label, policy))
        elif applied.arn is not None and applied.arn in opaque:
            assumptions.append(
                f"{applied.arn}: document not in the inventory; referenced on both sides and "
                "assumed not to depend on who calls"
            )
        else:
            return Proof(
                ProofStatus.UNPROVED,
                f"{applied.label}: the user's policy could not be read, so its Deny "
                "statements cannot be checked",
            )
    principal = user_values(user, mode, organization_id)
    user_side = _user_side(user_policies, principal)
    target_side = _target_side(target_policies)
    for allow in target_side.allows:
        failure = _uncovered(allow, user_side.allows, target_side.denies)
        if failure is not None:
            action, resource = failure
            return Proof(
                ProofStatus.FAILED,
                f"{allow.label} allows {action} on {resource}, which the user could not do "
                f"({mode.value})",
                tuple(assumptions),
                (action, resource),
            )
    for deny in user_side.denies:
        if any(_deny_covers(cover, deny) for cover in target_side.denies):
            continue
        for allow in target_side.allows:
            overlap = _overlap(deny, allow)
            if overlap is not None:
                return Proof(
                    ProofStatus.FAILED,
                    f"the user's {deny.label} denies {overlap[0]} on {overlap[1]}, and the "
                    f"target allows it ({allow.label}) without that Deny",
                    tuple(assumptions),
                    overlap,
                )
    return Proof(
        ProofStatus.PROVED,
        f"every request the target allows, the user could make ({mode.value}): "
        f"{len(target_side.allows)} Allow statement(s) covered, "
        f"{len(user_side.denies)} Deny statement(s) kept or disjoint",
        tuple(assumptions),
    )


# --------------------------------------------------------------------------- the two sides


def _target_policies(
    account: Account, permissions: Permissions, parse: Parser
) -> tuple[list[tuple[str, Policy]], frozenset[str], list[str]]:
    policies: list[tuple[str, Policy]] = []
    opaque: set[str] = set()
    missing: list[str] = []
    for arn in permissions.aws_managed:
        known = account.policies_by_arn.get(arn)
        policy = parse(known.document) if known else None
        if policy is None:
            opaque.add(arn)
        else:
            policies.append((arn, policy))
    for ref in permissions.customer_managed:
        found = customer_managed_policy(account, ref)
        policy = parse(found.document) if found else None
        if found is None or policy is None:
            missing.append(f"customer managed policy {ref.path}{ref.name}")
        else:
            policies.append((found.arn, policy))
    if permissions.inline is not None:
        policy = parse(permissions.inline)
        if policy is None:
            missing.append("a valid inline policy")
        else:
            policies.append(("inline policy", policy))
    return policies, frozenset(opaque), missing


def _user_side(policies: Sequence[tuple[str, Policy]], principal: PrincipalValues) -> _Side:
    allows: list[_Shape] = []
    denies: list[_Shape] = []
    for label, policy in policies:
        for statement in policy.statements:
            result = specialise(statement, principal, variables=policy.supports_variables)
            if result.statement is None:
                continue  # never applies to the user in this session
            name = f"{label} {statement.label}"
            if statement.effect is Effect.ALLOW:
                if not result.unknown_keys:  # an Allow of unknown reach covers nothing
                    allows.append(_shape(name, result.statement))
            else:
                denies.append(_shape(name, result.statement))
    return _Side(tuple(allows), tuple(denies))


def _target_side(policies: Sequence[tuple[str, Policy]]) -> _Side:
    allows: list[_Shape] = []
    denies: list[_Shape] = []
    for label, policy in policies:
        for statement in policy.statements:
            result = specialise(statement, ROLE_SESSION, variables=policy.supports_variables)
            if result.statement is None:
                continue  # never applies to a role session
            name = f"{label} {statement.label}"
            if statement.effect is Effect.ALLOW:
                allows.append(_shape(name, result.statement))
            elif not result.unknown_keys:  # a Deny that may not apply covers nothing
                denies.append(_shape(name, result.statement))
    return _Side(tuple(allows), tuple(denies))


def _shape(label: str, statement: Statement) -> _Shape:
    actions, resources, conditions = _parts(statement)
    return _Shape(label, actions, resources, conditions, (actions, resources, conditions))


@functools.lru_cache(maxsize=16384)
def _parts(statement: Statement) -> tuple[PatternSet, PatternSet, frozenset[ConditionKey]]:
    """A statement's pattern sets and request-key conditions (memoised: group and managed
    policies give many users the same statements)."""
    actions = action_set(statement.actions, statement.actions_negated)
    resources = _resource_set(statement.resources, statement.resources_negated)
    conditions = frozenset(
        _condition_key(c) for c in statement.conditions if not is_identity_key(c.key)
    )
    return actions, resources, conditions


def _condition_key(condition: Condition) -> ConditionKey:
    operator = condition.operator
    return (
        operator.qualifier,
        operator.base.name,
        operator.if_exists,
        condition.key_lower,
        frozenset(condition.values),
    )


# --------------------------------------------------------------------------- the checks


def _uncovered(
    allow: _Shape, covers: Sequence[_Shape], denies: Sequence[_Shape]
) -> tuple[str, str] | None:
    """``None`` when every action and resource ``allow`` grants is granted by a cover or
    denied by the target anyway; else an action and resource it alone allows."""
    if any(cover.key == allow.key for cover in covers):
        return None  # the same statement on both sides
    usable = [u for u in covers if u.conditions <= allow.conditions]
    candidates = [u for u in usable if u.resources.includes(allow.resources)]
    # A Deny of the target whose conditions hold whenever the Allow's do, over all its
    # resources, takes its actions out of what the Allow grants.
    blocking = [
        d
        for d in denies
        if d.conditions <= allow.conditions and d.resources.includes(allow.resources)
    ]
    for piece in allow.actions.pieces():
        if any(u.actions.includes(piece) for u in (*candidates, *blocking)):
            continue
        granted = [
            g for u in (*candidates, *blocking) if not u.actions.negated for g in u.actions.globs
        ]
        if PatternSet(tuple(granted), ignore_case=True).includes(piece):
            continue
        return _witness(piece, allow.resources, usable, blocking)
    return None


def _witness(
    piece: PatternSet, resources: PatternSet, usable: Sequence[_Shape], blocking: Sequence[_Shape]
) -> tuple[str, str]:
    action = piece.example_outside([s.actions for s in (*usable, *blocking)], _action_shape())
    if action is not None:
        return action, example(resources.language) or "*"
    for candidate in piece.language.examples(5):
        granted = [s.resources for s in (*usable, *blocking) if s.actions.contains(candidate)]
        resource = resources.example_outside(granted)
        if resource is not None:
            return candidate, resource
    return example(piece.language, _action_shape()) or "*", example(resources.language) or "*"


def _deny_covers(cover: _Shape, deny: _Shape) -> bool:
    if cover.key == deny.key:
        return True
    return (
        cover.conditions <= deny.conditions
        and cover.actions.includes(deny.actions)
        and cover.resources.includes(deny.resources)
    )


def _overlap(deny: _Shape, allow: _Shape) -> tuple[str, str] | None:
    action = deny.actions.common_example(allow.actions)
    if action is None:
        return None
    resource = deny.resources.common_example(allow.resources)
    if resource is None:
        return None
    return action, resource


# --------------------------------------------------------------------------- languages


@functools.cache
def _action_shape() -> Language:
    """What an action name looks like (``service:Name``), to pick readable witnesses."""
    return Language.wildcard("?*:?*", escapes=False)


@functools.lru_cache(maxsize=4096)
def _resource_set(values: tuple[str, ...] | None, negated: bool) -> PatternSet:
    """The resources a Resource (or NotResource) element matches, as the evaluator does:
    wildcards across the whole ARN, escapes literal. A variable left in the statement
    stands for any text when it is an identity key, and for one fixed unknown value (a
    token no ARN contains, the same on both sides) when it is a request key."""
    if values is None:
        return PatternSet(((Glob.STAR,),))
    return PatternSet(tuple(_glob_parts(value) for value in values), negated)


def _glob_parts(value: str) -> GlobParts:
    parts: list[str | Glob] = []
    for part in split_variables(value):
        if isinstance(part, Text):
            if not part.wildcards:
                parts.extend(part.text)
                continue
            parts.extend(Glob.STAR if c == "*" else Glob.ONE if c == "?" else c for c in part.text)
        elif is_identity_key(part.key):
            parts.append(Glob.STAR)
        else:
            parts.append(f"\x00{part.key}\x00")
    return tuple(parts)
