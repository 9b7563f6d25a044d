"""Small, defensive readings of identity policies for the account checks.

Two questions only: does a document grant full administrator access, and does it deny
everything (or nearly everything) unless the caller signed in with MFA. Documents come
from AWS exports and may be odd (a single statement instead of a list, a string where a
list is expected, missing keys); nothing here raises on such shapes, it just does not
recognise them.

When ``keyless.policy`` (the full policy engine) grows a concrete evaluator, these
predicates should delegate to it; until then they stay deliberately narrow.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from keyless.model import Account, ManagedPolicy, PolicyDocument, User

# AWS managed policies that grant everything; recognised by ARN even when the export
# does not carry their document. The partition varies (aws, aws-cn, aws-us-gov).
FULL_ADMIN_POLICY_NAMES = frozenset({"AdministratorAccess"})

# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_my-sec-creds-self-manage.html
MFA_PRESENT_KEY = "aws:multifactorauthpresent"


@dataclass(frozen=True, slots=True)
class AppliedPolicy:
    """A policy that applies to a user, and how it reaches them.

    ``via`` is ``"user"`` or ``"group:<name>"``; ``arn`` is set for managed policies,
    ``name`` for inline ones; ``document`` is ``None`` when a managed policy's document
    is not in the inventory.
    """

    via: str
    name: str
    arn: str | None
    document: PolicyDocument | None

    @property
    def label(self) -> str:
        """The policy ARN, or ``inline:<via>/<name>`` for inline policies."""
        return self.arn or f"inline:{self.via}/{self.name}"


def policies_of(user: User, account: Account | None) -> tuple[AppliedPolicy, ...]:
    """Every identity policy of ``user``: attached and inline, directly and via groups.

    Groups or managed policies missing from ``account`` contribute what is known
    (the ARN with no document) rather than failing.
    """
    by_arn = account.policies_by_arn if account is not None else {}
    groups = account.groups_by_name if account is not None else {}
    applied = [
        AppliedPolicy("user", ref.name, ref.arn, _document(by_arn, ref.arn))
        for ref in user.attached_policies
    ]
    applied.extend(
        AppliedPolicy("user", inline.name, None, inline.document) for inline in user.inline_policies
    )
    for group_name in user.groups:
        group = groups.get(group_name)
        if group is None:
            continue
        via = f"group:{group_name}"
        applied.extend(
            AppliedPolicy(via, ref.name, ref.arn, _document(by_arn, ref.arn))
            for ref in group.attached_policies
        )
        applied.extend(
            AppliedPolicy(via, inline.name, None, inline.document)
            for inline in group.inline_policies
        )
    return tuple(applied)


def _document(by_arn: Mapping[str, ManagedPolicy], arn: str) -> PolicyDocument | None:
    policy = by_arn.get(arn)
    return policy.document if policy is not None else None


def is_full_admin_arn(arn: str | None) -> bool:
    """True for the ARN of an AWS managed full-administrator policy, in any partition."""
    if not arn:
        return False
    prefix, _, name = arn.rpartition(":policy/")
    return (
        prefix.startswith("arn:")
        and prefix.endswith(":iam::aws")
        and name in (FULL_ADMIN_POLICY_NAMES)
    )


def grants_full_admin(document: Any) -> bool:
    """True when an Allow statement covers every action on every resource.

    Recognised: ``Action`` ``"*"`` (or ``"*:*"``, alone or inside a list) and any
    ``NotAction`` (allow everything except a few actions is still administrator in
    practice), over ``Resource`` ``"*"`` or any ``NotResource``. Conditions are ignored:
    they narrow *when*, not *what*.
    """
    return any(
        _effect(statement) == "allow"
        and (_has_wildcard(statement.get("Action")) or "NotAction" in statement)
        and (_has_wildcard(statement.get("Resource")) or "NotResource" in statement)
        for statement in statements(document)
    )


def applied_policy_grants_full_admin(policy: AppliedPolicy) -> bool:
    """True when ``policy`` is a known admin policy by ARN or by document."""
    return is_full_admin_arn(policy.arn) or grants_full_admin(policy.document)


def denies_without_mfa(document: Any) -> bool:
    """True when a statement denies (nearly) everything unless MFA was used.

    The AWS-documented shapes: ``Deny`` with ``NotAction`` (the self-service exceptions)
    or ``Action`` ``"*"`` over ``Resource`` ``"*"``, conditioned on
    ``BoolIfExists``/``Bool`` ``aws:MultiFactorAuthPresent`` ``false`` or
    ``Null`` ``aws:MultiFactorAuthPresent`` ``true``.
    """
    return any(
        _effect(statement) == "deny"
        and ("NotAction" in statement or _has_wildcard(statement.get("Action")))
        and _has_wildcard(statement.get("Resource"))
        and _conditions_on_missing_mfa(statement.get("Condition"))
        for statement in statements(document)
    )


def statements(document: Any) -> Iterator[Mapping[str, Any]]:
    """The statements of ``document`` that are mappings; anything else is skipped."""
    if not isinstance(document, Mapping):
        return
    raw = document.get("Statement")
    for item in _values(raw) if raw is not None else ():
        if isinstance(item, Mapping):
            yield item


def _is_list(value: Any) -> bool:
    return isinstance(value, list | tuple)


def _effect(statement: Mapping[str, Any]) -> str:
    effect = statement.get("Effect")
    return effect.lower() if isinstance(effect, str) else ""


def _values(value: Any) -> tuple[Any, ...]:
    if _is_list(value):
        return tuple(value)
    return (value,)


def _has_wildcard(value: Any) -> bool:
    return any(isinstance(item, str) and item.strip() in ("*", "*:*") for item in _values(value))


def _conditions_on_missing_mfa(condition: Any) -> bool:
    if not isinstance(condition, Mapping):
        return False
    for operator, block in condition.items():
        if not isinstance(operator, str) or not isinstance(block, Mapping):
            continue
        wanted = {"boolifexists": "false", "bool": "false", "null": "true"}.get(operator.lower())
        if wanted is None:
            continue
        for key, value in block.items():
            if (
                isinstance(key, str)
                and key.lower() == MFA_PRESENT_KEY
                and any(str(item).lower() == wanted for item in _values(value))
            ):
                return True
    return False
