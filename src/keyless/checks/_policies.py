"""Readings of identity policies for the account checks: does a document grant (nearly)
every action, what a user's policies grant together (:func:`user_grant`), and does a
document deny (nearly) everything unless the caller signed in with MFA.

Documents are read by the policy engine's parser (:func:`keyless.policy.document.
parse_policy`), so single values versus lists, key and operator spelling follow one set
of rules. A document the parser rejects (or that is not a JSON object) is unreadable: the
checks that read it report what the readable documents show and then raise
:class:`UnreadablePolicies` (a :class:`~keyless.errors.NotDecided`), so the engine records
the user as not evaluated by them, never as clean.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from keyless.errors import NotDecided, PolicyError, quoted, shown_pointer
from keyless.model import Account, ManagedPolicy, PolicyDocument, User
from keyless.policy.document import Condition, Effect, Policy, parse_policy
from keyless.policy.grants import Grant, grant_on_everything
from keyless.policy.operators import Family

# AWS managed policies that grant everything; recognised by ARN even when the export
# does not carry their document. The partition varies (aws, aws-cn, aws-us-gov).
FULL_ADMIN_POLICY_NAMES = frozenset({"AdministratorAccess"})
# Their document (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AdministratorAccess.html).
FULL_ADMIN_DOCUMENT: Mapping[str, Any] = MappingProxyType(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)

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
    #: Set for a group the user is in that the inventory does not hold: its policies,
    #: whatever they are, are unknown (``name`` is the group's).
    unknown_group: bool = False

    @property
    def label(self) -> str:
        """The policy ARN, ``inline:<via>/<name>`` for inline policies, ``group:<name>``
        for a group the inventory does not hold."""
        if self.unknown_group:
            return self.via
        return self.arn or f"inline:{self.via}/{self.name}"


def policies_of(user: User, account: Account | None) -> tuple[AppliedPolicy, ...]:
    """Every identity policy of ``user``: attached and inline, directly and via groups.

    Groups or managed policies missing from ``account`` contribute what is known
    (the ARN with no document; a group as an entry with ``unknown_group`` set) rather than
    failing, and never nothing: :func:`unreadable` counts them.
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
        via = f"group:{group_name}"
        if group is None:
            applied.append(AppliedPolicy(via, group_name, None, None, unknown_group=True))
            continue
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


class UnreadablePolicies(NotDecided):
    """Some of a subject's policies could not be read: what the check says of it would rest
    on the others alone."""

    def __init__(self, unread: tuple[tuple[str, str], ...]):
        shown = "; ".join(f"{quoted(label)}: {reason}" for label, reason in unread[:3])
        more = f" and {len(unread) - 3:,} more" if len(unread) > 3 else ""
        super().__init__(f"policy could not be read: {shown}{more}")
        self.unread = unread


class ParsedPolicies:
    """Identity policy documents parsed once per scan.

    Group and managed policy documents are shared by many users: each distinct document
    object is parsed once. Keyed by the object's identity (documents are plain mappings
    and not hashable); the document is kept alongside so its id cannot be reused.
    """

    def __init__(self) -> None:
        self._parsed: dict[int, tuple[Any, Policy | str]] = {}
        self._admin: dict[int, tuple[Any, bool]] = {}

    def grants_full_admin(self, document: Any) -> bool:
        """:func:`grants_full_admin` of ``document``, decided once per document object."""
        cached = self._admin.get(id(document))
        if cached is not None and cached[0] is document:
            return cached[1]
        verdict = _allows_everything(self.get(document))
        self._admin[id(document)] = (document, verdict)
        return verdict

    def get(self, document: Any) -> Policy | None:
        """``document`` parsed as an identity policy, or ``None`` when it is not one."""
        policy = self.read(document)
        return policy if isinstance(policy, Policy) else None

    def read(self, document: Any) -> Policy | str:
        """``document`` parsed as an identity policy, or why it is not one."""
        if not isinstance(document, Mapping):
            return read_policy(document)
        cached = self._parsed.get(id(document))
        if cached is not None and cached[0] is document:
            return cached[1]
        policy = read_policy(document)
        self._parsed[id(document)] = (document, policy)
        return policy


def read_policy(document: Any) -> Policy | str:
    """``document`` parsed as an identity policy, or why it is not one (a short message
    naming the JSON pointer of the first value the parser refused)."""
    if not isinstance(document, Mapping):
        return f"not a JSON object but {type(document).__name__}"
    try:
        return parse_policy(document)
    except PolicyError as error:
        text = f"{shown_pointer(error.pointer) or '/'}: {error.message}"
        # The pointer holds the document's own keys: a line break in one stays on the line.
        return text if text.isprintable() else repr(text)[1:-1]


def parsed_policy(document: Any) -> Policy | None:
    """``document`` parsed as an identity policy, or ``None`` when it is not one."""
    policy = read_policy(document)
    return policy if isinstance(policy, Policy) else None


def unreadable(
    applied: tuple[AppliedPolicy, ...], policies: ParsedPolicies | None = None
) -> tuple[tuple[str, str], ...]:
    """The policies of ``applied`` that cannot be read, each as (label, why): a document
    IAM would refuse, a managed policy whose document the inventory does not hold (AWS
    answers every attached policy's document unless an export was filtered), and a group
    the inventory does not hold. An AWS managed full-administrator policy is known by its
    ARN (:func:`is_full_admin_arn`), document or not."""
    read = policies.read if policies is not None else read_policy
    unread = []
    for policy in applied:
        if policy.unknown_group:
            unread.append((policy.label, "the group is not in the authorization details"))
            continue
        if policy.document is None:
            if not is_full_admin_arn(policy.arn):
                unread.append((policy.label, "its document is not in the authorization details"))
            continue
        parsed = read(policy.document)
        if not isinstance(parsed, Policy):
            unread.append((policy.label, parsed))
    return tuple(unread)


def grants_full_admin(document: Any, policies: ParsedPolicies | None = None) -> bool:
    """True when an Allow statement covers every action on every resource.

    Recognised: ``Action`` ``"*"`` (or ``"*:*"``, alone or inside a list) and any
    ``NotAction`` (allow everything except a few actions is still administrator in
    practice), over ``Resource`` ``"*"`` or any ``NotResource``. Conditions are ignored:
    they narrow *when*, not *what*.
    """
    if policies is not None:
        return policies.grants_full_admin(document)
    return _allows_everything(parsed_policy(document))


def _allows_everything(policy: Policy | None) -> bool:
    return policy is not None and any(
        statement.effect is Effect.ALLOW
        and (statement.actions_negated or _has_wildcard(statement.actions))
        and (statement.resources_negated or _has_wildcard(statement.resources))
        for statement in policy.statements
    )


def applied_policy_grants_full_admin(
    policy: AppliedPolicy, policies: ParsedPolicies | None = None
) -> bool:
    """True when ``policy`` is a known admin policy by ARN or by document."""
    return is_full_admin_arn(policy.arn) or grants_full_admin(policy.document, policies)


def user_grant(
    applied: tuple[AppliedPolicy, ...], policies: ParsedPolicies | None = None
) -> tuple[Grant, tuple[AppliedPolicy, ...]]:
    """What ``applied`` (a user's policies) grant on every resource, computed by the policy
    engine (:func:`keyless.policy.grants.grant_on_everything`: ``NotAction`` exceptions and
    Deny statements included), and the policies that grant it. A known administrator
    policy without its document (``AdministratorAccess`` by ARN) is read as AWS writes it:
    every action, less what the user's Deny statements take away."""
    broad = tuple(p for p in applied if applied_policy_grants_full_admin(p, policies))
    documents = [_document_of(p) for p in applied]
    parsed = [
        policy
        for document in documents
        if (policy := policies.get(document) if policies else parsed_policy(document)) is not None
    ]
    return grant_on_everything(parsed), broad


def _document_of(policy: AppliedPolicy) -> Any:
    """The policy's document; AWS's own for a full-administrator policy the export lacks.
    Read with the others, never alone: a Deny beside ``AdministratorAccess`` (the AWS CLI's
    own get-account-authorization-details example denies ``iam:*`` to an admin) takes its
    actions away, as IAM's evaluation logic does
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)."""
    if policy.document is None and is_full_admin_arn(policy.arn):
        return FULL_ADMIN_DOCUMENT
    return policy.document


def denies_without_mfa(document: Any, policies: ParsedPolicies | None = None) -> bool:
    """True when a statement denies (nearly) everything unless MFA was used.

    The AWS-documented shapes: ``Deny`` with ``NotAction`` (the self-service exceptions)
    or ``Action`` ``"*"`` over ``Resource`` ``"*"``, conditioned on
    ``BoolIfExists``/``Bool`` ``aws:MultiFactorAuthPresent`` ``false`` or
    ``Null`` ``aws:MultiFactorAuthPresent`` ``true``.
    """
    policy = policies.get(document) if policies is not None else parsed_policy(document)
    return policy is not None and any(
        statement.effect is Effect.DENY
        and (statement.actions_negated or _has_wildcard(statement.actions))
        and not statement.resources_negated
        and _has_wildcard(statement.resources)
        and any(_on_missing_mfa(condition) for condition in statement.conditions)
        for statement in policy.statements
    )


def _has_wildcard(values: tuple[str, ...] | None) -> bool:
    return any(value.strip() in ("*", "*:*") for value in values or ())


def _on_missing_mfa(condition: Condition) -> bool:
    operator = condition.operator
    if condition.key_lower != MFA_PRESENT_KEY or operator.qualifier is not None:
        return False
    wanted = {Family.BOOL: "false", Family.NULL: "true"}.get(operator.base.family)
    return (
        wanted is not None
        and not operator.base.negated
        and any(value.lower() == wanted for value in condition.values)
    )
