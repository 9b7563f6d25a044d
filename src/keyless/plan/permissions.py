"""A user's effective identity permissions, as the target that replaces the user carries
them.

Every identity policy reaches the target: attached managed, inline, and every group's
(:func:`keyless.checks._policies.policies_of`). Each statement is first
:func:`specialised <keyless.plan.principal.specialise>` to the user in the session the
target is compared with, then:

* an ``Allow`` whose actions all manage IAM users' own credentials (the language of
  :data:`SELF_SERVICE_ACTIONS`, decided by :mod:`keyless.patterns`) on resources named
  through ``${aws:username}`` / ``${aws:userid}`` is dropped: a role or Identity Center
  session has no password, keys or MFA device of its own to manage;
* a statement that never applies to the user in that session is dropped; for people the
  session is MFA-authenticated, so the "deny unless MFA" guard goes (Identity Center
  enforces MFA at sign-in);
* an ``Allow`` that still depends on an identity key of unknown value is dropped (never
  broader); such a ``Deny`` loses the conditions on those keys and variables become
  ``*`` (it then applies at least as often: never broader);
* everything else is kept, variables of the user replaced by their values.

A managed policy none of whose statements changed stays a reference (AWS managed by
ARN, customer managed by name and path: the same policy in the target's account); any
other statement lands in one inline document. :func:`carry` returns the result with
``key``, equal for users whose carried permissions are the same, so they share a
permission set.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

import orjson

from keyless.checks._policies import (
    AppliedPolicy,
    parsed_policy,
    policies_of,
)
from keyless.model import Account, ManagedPolicy, User
from keyless.plan.flags import flags_by_name, flags_of, statements_by_name
from keyless.plan.languages import action_set
from keyless.plan.model import Carried, DroppedStatement, Permissions, PolicyName
from keyless.plan.principal import (
    Mode,
    PrincipalValues,
    is_identity_key,
    mentions_identity,
    specialise,
    user_values,
)
from keyless.policy.document import VERSION_2012, Effect, Policy, Statement
from keyless.policy.variables import Variable, split_variables

# The credentials an IAM user manages for itself: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_my-sec-creds-self-manage.html
SELF_SERVICE_ACTIONS = (
    "iam:ChangePassword",
    "iam:GetUser",
    "iam:*AccessKey*",
    "iam:*LoginProfile*",
    "iam:*MFADevice*",
    "iam:*SSHPublicKey*",
    "iam:*ServiceSpecificCredential*",
    "iam:*SigningCertificate*",
    "iam:GetAccountPasswordPolicy",
)
# Account-wide reads the same examples grant on "*" so the console's credential pages work.
ACCOUNT_INFO_ACTIONS = ("iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices")
SELF_KEYS = frozenset({"aws:username", "aws:userid"})
_SID_CHARS = re.compile(r"[^A-Za-z0-9]+")

Parser = Callable[[Any], Policy | None]


@dataclass(frozen=True, slots=True)
class CarriedPermissions:
    """:class:`Carried` and the key shared by users whose carried permissions are equal."""

    carried: Carried
    key: str


def mode_for(identity_center: bool) -> Mode:
    """The session a target is compared in: MFA sign-in for people, keys for workloads."""
    return Mode.SIGNED_IN_WITH_MFA if identity_center else Mode.ACCESS_KEY


def carry(
    user: User,
    account: Account,
    mode: Mode,
    organization_id: str | None = None,
    *,
    parse: Parser | None = None,
) -> CarriedPermissions:
    """``user``'s permissions as its target carries them (see the module doc). ``parse``
    reads a policy document (a memoising one saves re-parsing shared documents)."""
    parse = parse or parsed_policy
    principal = user_values(user, mode, organization_id)
    aws_managed: list[str] = []
    customer: list[PolicyName] = []
    statements: list[tuple[str, Statement]] = []
    dropped: list[DroppedStatement] = []
    notes: list[str] = []
    sources: list[str] = []
    flags: set[str] = set()
    carried_statements: list[Statement] = []
    dependent = False
    for applied in _unique(policies_of(user, account)):
        sources.append(applied.label)
        policy = parse(applied.document)
        if policy is None:
            _reference_unreadable(applied, aws_managed, customer, notes)
            carried_statements.extend(statements_by_name(applied.arn))
            flags |= flags_by_name(applied.arn)
            continue
        kept, changed = _carry_policy(applied, policy, principal, mode, dropped, notes)
        dependent = dependent or changed or any(mentions_identity(s) for s in policy.statements)
        carried_statements.extend(kept)
        flags |= flags_by_name(applied.arn)
        if applied.arn is not None and not changed:
            if ":iam::aws:policy/" in applied.arn:
                aws_managed.append(applied.arn)
            else:
                customer.append(_policy_name(applied.arn))
            continue
        if applied.arn is not None and not kept:
            notes.append(f"{applied.label}: every statement dropped")
        statements.extend((_sid_base(applied.name), statement) for statement in kept)
    inline = _document(statements)
    permissions = Permissions(
        aws_managed=tuple(sorted(set(aws_managed))),
        customer_managed=tuple(sorted(set(customer))),
        inline=inline,
        boundary=user.permissions_boundary,
    )
    if mode is Mode.SIGNED_IN_WITH_MFA and not user.has_mfa and _dropped_mfa_guard(dropped):
        notes.append(
            f"{user.name} has no MFA device, so its MFA guard blocked it; compared as if "
            "signed in with MFA (what it could do after enrolling one)"
        )
    carried = Carried(
        permissions=permissions,
        sources=tuple(sources),
        dropped=tuple(dropped),
        flags=tuple(sorted(flags_of(tuple(carried_statements), flags))),
        notes=tuple(notes),
        identity_dependent=dependent,
    )
    return CarriedPermissions(carried, permissions_key(permissions, account))


def customer_managed_policy(account: Account, ref: PolicyName) -> ManagedPolicy | None:
    """The account's customer managed policy with that name and path, if any."""
    arn = f"arn:{account.partition}:iam::{account.id}:policy{ref.path}{ref.name}"
    return account.policies_by_arn.get(arn)


def permissions_key(permissions: Permissions, account: Account) -> str:
    """A digest equal for equal carried permissions: references, the documents the
    customer managed references stand for, and the inline statements without Sids."""
    customer = []
    for ref in permissions.customer_managed:
        found = customer_managed_policy(account, ref)
        customer.append([ref.name, ref.path, _canonical(found.document) if found else None])
    inline = sorted(
        orjson.dumps(_without_sid(s), option=orjson.OPT_SORT_KEYS).decode()
        for s in (permissions.inline or {}).get("Statement", [])
    )
    material = [list(permissions.aws_managed), customer, inline, permissions.boundary]
    return hashlib.sha256(orjson.dumps(material)).hexdigest()


def statement_document(statement: Statement, sid: str | None) -> dict[str, Any]:
    """A statement as policy JSON (lists for several values, one string for one)."""
    document: dict[str, Any] = {}
    if sid:
        document["Sid"] = sid
    document["Effect"] = statement.effect.value
    document["NotAction" if statement.actions_negated else "Action"] = _one_or_list(
        statement.actions
    )
    if statement.resources is not None:
        key = "NotResource" if statement.resources_negated else "Resource"
        document[key] = _one_or_list(statement.resources)
    if statement.conditions:
        block: dict[str, dict[str, Any]] = {}
        for condition in statement.conditions:
            block.setdefault(condition.operator.text, {})[condition.key] = _one_or_list(
                condition.values
            )
        document["Condition"] = block
    return document


# --------------------------------------------------------------------------- statements


def _carry_policy(
    applied: AppliedPolicy,
    policy: Policy,
    principal: PrincipalValues,
    mode: Mode,
    dropped: list[DroppedStatement],
    notes: list[str],
) -> tuple[list[Statement], bool]:
    kept: list[Statement] = []
    changed = False
    variables = policy.supports_variables
    for statement in policy.statements:

        def drop(why: str, statement: Statement = statement) -> None:
            dropped.append(DroppedStatement(applied.label, statement.label, why))

        if statement.effect is Effect.ALLOW and variables and is_self_service(statement):
            drop("manages the user's own credentials: a role or Identity Center session has none")
            changed = True
            continue
        result = specialise(statement, principal, variables=variables)
        if result.statement is None:
            if _is_mfa_guard(statement) and mode is Mode.SIGNED_IN_WITH_MFA:
                drop("deny-unless-MFA guard: Identity Center enforces MFA at sign-in")
            else:
                drop(f"never applies to the user ({mode.value})")
            changed = True
            continue
        carried = result.statement
        if result.unknown_keys:
            unknown = ", ".join(result.unknown_keys)
            if statement.effect is Effect.ALLOW:
                drop(f"allows only depending on {unknown}, which the target cannot carry")
                changed = True
                continue
            carried = _widen_deny(carried)
            notes.append(
                f"{applied.label} {statement.label}: Deny widened (its conditions on {unknown} "
                "cannot be known for the target)"
            )
            changed = True
        elif result.changed:
            notes.append(
                f"{applied.label} {statement.label}: specialised to the user (it names the user "
                "through a policy variable or condition)"
            )
        changed = changed or result.changed
        kept.append(carried)
    return kept, changed


@functools.lru_cache(maxsize=16384)
def is_self_service(statement: Statement) -> bool:
    """True for an Allow of only self-service IAM actions on the caller's own user (or
    of the account-wide reads that accompany them)."""
    if statement.actions_negated or statement.resources_negated or not statement.resources:
        return False
    actions = action_set(statement.actions)
    if action_set(ACCOUNT_INFO_ACTIONS).includes(actions):
        return True
    if not action_set(SELF_SERVICE_ACTIONS).includes(actions):
        return False
    return all(
        any(isinstance(p, Variable) and p.key in SELF_KEYS for p in split_variables(resource))
        for resource in statement.resources
    )


def _widen_deny(statement: Statement) -> Statement:
    if statement.effect is not Effect.DENY:
        return statement
    conditions = tuple(c for c in statement.conditions if not is_identity_key(c.key))
    resources = statement.resources
    if resources is not None and not statement.resources_negated:
        resources = tuple(_star_identity_variables(value) for value in resources)
    return replace(statement, conditions=conditions, resources=resources)


def _star_identity_variables(value: str) -> str:
    if "${" not in value:
        return value
    parts = split_variables(value)
    if not any(isinstance(p, Variable) and is_identity_key(p.key) for p in parts):
        return value
    return "*"  # a Deny over every resource is at least as strict


def _is_mfa_guard(statement: Statement) -> bool:
    return statement.effect is Effect.DENY and any(
        c.key_lower == "aws:multifactorauthpresent" for c in statement.conditions
    )


def _dropped_mfa_guard(dropped: Iterable[DroppedStatement]) -> bool:
    return any(d.why.startswith("deny-unless-MFA") for d in dropped)


# --------------------------------------------------------------------------- documents


def _unique(applied: Iterable[AppliedPolicy]) -> list[AppliedPolicy]:
    seen: set[str] = set()
    result = []
    for policy in applied:
        key = policy.arn or f"{policy.via}/{policy.name}"
        if key not in seen:
            seen.add(key)
            result.append(policy)
    return result


def _reference_unreadable(
    applied: AppliedPolicy, aws: list[str], customer: list[PolicyName], notes: list[str]
) -> None:
    what = "not in the inventory" if applied.document is None else "not a valid policy"
    if applied.arn is None:
        notes.append(f"{applied.label}: document {what}; not carried over")
    elif ":iam::aws:policy/" in applied.arn:
        aws.append(applied.arn)
        notes.append(f"{applied.label}: document {what}; kept as a reference")
    else:
        customer.append(_policy_name(applied.arn))
        notes.append(f"{applied.label}: document {what}; kept as a reference")


def _policy_name(arn: str) -> PolicyName:
    resource = arn.split(":", 5)[-1]  # policy/path/name
    path_and_name = resource[len("policy") :]
    path, _, name = path_and_name.rpartition("/")
    return PolicyName(name=name, path=f"{path}/" if path else "/")


def _sid_base(name: str) -> str:
    words = [w for w in _SID_CHARS.split(name) if w]
    return "".join(w[:1].upper() + w[1:] for w in words) or "Statement"


def _document(statements: list[tuple[str, Statement]]) -> Mapping[str, Any] | None:
    if not statements:
        return None
    seen: set[bytes] = set()
    used: set[str] = set()
    rendered = []
    counters: dict[str, int] = {}
    for base, statement in statements:
        canonical = orjson.dumps(
            _without_sid(statement_document(statement, None)), option=orjson.OPT_SORT_KEYS
        )
        if canonical in seen:
            continue
        seen.add(canonical)
        sid = statement.sid if statement.sid and statement.sid.isalnum() else None
        if sid is None or sid in used:
            counters[base] = counters.get(base, -1) + 1
            sid = f"{base}{counters[base]}"
            while sid in used:
                counters[base] += 1
                sid = f"{base}{counters[base]}"
        used.add(sid)
        rendered.append(statement_document(statement, sid))
    return MappingProxyType({"Version": VERSION_2012, "Statement": rendered})


def _without_sid(statement: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _sorted(v) for k, v in statement.items() if k != "Sid"}


def _sorted(value: Any) -> Any:
    if isinstance(value, list):
        return sorted(value)
    if isinstance(value, Mapping):
        return {k: _sorted(v) for k, v in value.items()}
    return value


def _canonical(document: Any) -> str:
    return orjson.dumps(document, option=orjson.OPT_SORT_KEYS, default=dict).decode()


def _one_or_list(values: tuple[str, ...]) -> str | list[str]:
    return values[0] if len(values) == 1 else list(values)
