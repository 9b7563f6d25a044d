"""What an IAM user's own requests carry that a role session's do not, and policy
statements *specialised* to one user.

A request's context holds keys about the principal (``aws:username``, ``aws:PrincipalArn``,
``aws:PrincipalTag/…``) and about its session (``aws:MultiFactorAuthPresent``,
``aws:TokenIssueTime``…): https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
(*Properties of the principal*, *Properties of the role session*). Every other key
describes the request itself (``aws:SourceIp``, ``aws:RequestedRegion``, ``s3:prefix``) and is
the same whether the user or its replacement makes the request.

For one user, the identity keys are constants: ``aws:username`` is always ``alice``,
``aws:PrincipalType`` always ``User``. So every condition on such a key is, for that user,
always true or always false, and every ``${aws:username}`` always resolves to the same
text. :func:`specialise` evaluates those parts with the policy engine
(:func:`keyless.policy.conditions.evaluate_condition`,
:func:`keyless.policy.variables.split_variables`) and returns the statement that
matches exactly the same requests for that user and no longer mentions who the user
is: a true condition is removed, a false one removes the statement, a variable becomes
its value. A key whose value is not fixed (``aws:MultiFactorAuthAge``, an organization
path the inventory does not hold) stays, and the result says so.

Which session the user is compared in is the caller's choice (:class:`Mode`):
``signed-in-with-mfa`` for people moving to Identity Center (its sessions are
MFA-authenticated), ``access-key`` for workloads (long-term keys carry no MFA key and
no token issue time).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import Enum, StrEnum
from types import MappingProxyType

from keyless.model import User
from keyless.policy.conditions import evaluate_condition, make_context
from keyless.policy.document import Condition, Statement
from keyless.policy.operators import Family
from keyless.policy.variables import Text, Variable, split_variables

# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principal-properties
PRINCIPAL_KEYS = frozenset(
    {
        "aws:principalarn",
        "aws:principalaccount",
        "aws:principalorgpaths",
        "aws:principalorgid",
        "aws:principalisawsservice",
        "aws:principalservicename",
        "aws:principalservicenameslist",
        "aws:principaltype",
        "aws:userid",
        "aws:username",
    }
)
PRINCIPAL_TAG_PREFIX = "aws:principaltag/"
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-role-session-properties
SESSION_KEYS = frozenset(
    {
        "aws:assumedroot",
        "aws:federatedprovider",
        "aws:tokenissuetime",
        "aws:multifactorauthage",
        "aws:multifactorauthpresent",
        "aws:chatbotsourcearn",
        "aws:ec2instancesourcevpc",
        "aws:ec2instancesourceprivateipv4",
        "aws:sourceidentity",
        "ec2:roledelivery",
        "ec2:sourceinstancearn",
        "glue:roleassumedby",
        "glue:credentialissuingservice",
        "lambda:sourcefunctionarn",
        "ssm:sourceinstancearn",
        "identitystore:userid",
    }
)
MFA_PRESENT = "aws:multifactorauthpresent"


def is_identity_key(key: str) -> bool:
    """True for a key about the principal or its session, not about the request."""
    lowered = key.lower()
    return (
        lowered in PRINCIPAL_KEYS
        or lowered in SESSION_KEYS
        or lowered.startswith(PRINCIPAL_TAG_PREFIX)
    )


class Mode(StrEnum):
    """The user's session the target is compared with."""

    SIGNED_IN_WITH_MFA = "signed-in-with-mfa"
    ACCESS_KEY = "access-key"


class KeyState(Enum):
    """An identity key without a single known value."""

    ABSENT = "absent"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class PrincipalValues:
    """The identity keys of one principal: known values, keys known to be absent, and
    (``tags_known``) whether every ``aws:PrincipalTag/…`` not listed is absent. Any other
    identity key is unknown."""

    values: Mapping[str, str]
    absent: frozenset[str] = frozenset()
    tags_known: bool = False

    def lookup(self, key: str) -> str | KeyState:
        """The key's value, or whether it is absent or unknown."""
        lowered = key.lower()
        if lowered in self.values:
            return self.values[lowered]
        if lowered in self.absent:
            return KeyState.ABSENT
        if lowered.startswith(PRINCIPAL_TAG_PREFIX) and self.tags_known:
            return KeyState.ABSENT
        return KeyState.UNKNOWN


def user_values(user: User, mode: Mode, organization_id: str | None = None) -> PrincipalValues:
    """The identity keys of ``user``'s requests in the session ``mode`` describes."""
    values = {
        "aws:username": user.name,
        "aws:principalarn": user.arn,
        "aws:principalaccount": user.account_id,
        "aws:principaltype": "User",
        "aws:principalisawsservice": "false",
    }
    if user.user_id:
        values["aws:userid"] = user.user_id
    if organization_id:
        values["aws:principalorgid"] = organization_id
    values.update({f"{PRINCIPAL_TAG_PREFIX}{k.lower()}": v for k, v in user.tags.items()})
    # Keys only a role session, a service principal or a federated user carries.
    absent = {
        "aws:principalservicename",
        "aws:principalservicenameslist",
        "aws:assumedroot",
        "aws:federatedprovider",
        "aws:sourceidentity",
        "aws:chatbotsourcearn",
        "aws:ec2instancesourcevpc",
        "aws:ec2instancesourceprivateipv4",
        "ec2:roledelivery",
        "ec2:sourceinstancearn",
        "glue:roleassumedby",
        "glue:credentialissuingservice",
        "lambda:sourcefunctionarn",
        "ssm:sourceinstancearn",
        "identitystore:userid",
    }
    if mode is Mode.SIGNED_IN_WITH_MFA:
        values[MFA_PRESENT] = "true"  # MultiFactorAuthAge and TokenIssueTime vary: unknown
    else:
        # "not present when ... called with long-term credentials, such as user access key
        # pairs": https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent
        absent |= {MFA_PRESENT, "aws:multifactorauthage", "aws:tokenissuetime"}
    return PrincipalValues(MappingProxyType(values), frozenset(absent), tags_known=True)


#: A role session as the prover sees a target: ``aws:username`` is "always included ...
#: for IAM users" and only for them; every other identity key is unknown.
ROLE_SESSION = PrincipalValues(MappingProxyType({}), frozenset({"aws:username"}))


@dataclass(frozen=True, slots=True)
class Specialised:
    """A statement specialised to one principal. ``statement`` is ``None`` when it never
    applies to that principal; ``changed`` is False when it is the statement itself;
    ``unknown_keys`` are identity keys it still mentions."""

    statement: Statement | None
    changed: bool
    unknown_keys: tuple[str, ...] = ()


class _Invalid(Exception):
    """A variable that resolves to nothing: AWS treats the statement as not matching."""


@functools.lru_cache(maxsize=16384)
def mentions_identity(statement: Statement) -> bool:
    """True when the statement's meaning depends on who makes the request."""
    if any(is_identity_key(c.key) for c in statement.conditions):
        return True
    texts = [*(statement.resources or ()), *(v for c in statement.conditions for v in c.values)]
    return any(
        isinstance(part, Variable) and is_identity_key(part.key)
        for text in texts
        if "${" in text
        for part in split_variables(text)
    )


def specialise(statement: Statement, principal: PrincipalValues, *, variables: bool) -> Specialised:
    """``statement`` as it applies to ``principal`` (see the module doc). ``variables`` is
    whether its policy substitutes variables (Version 2012-10-17); without, every ``$``
    is escaped so that the statement means the same inside a 2012-10-17 document."""
    if not variables:
        statement = _escape_dollars(statement)
    if not mentions_identity(statement):
        return Specialised(statement, changed=False)
    context = make_context(dict(principal.values))
    unknown: list[str] = []
    kept: list[Condition] = []
    try:
        for condition in statement.conditions:
            if is_identity_key(condition.key):
                state = principal.lookup(condition.key)
                if state is KeyState.UNKNOWN or _has_unknown_variables(condition, principal):
                    unknown.append(condition.key_lower)
                    kept.append(condition)
                    continue
                result = evaluate_condition(condition, context, variables=True)
                if not result.passed:
                    return Specialised(None, changed=True)
                continue
            kept.append(_substitute_condition(condition, principal, unknown))
        resources = (
            tuple(_substitute(value, principal, unknown) for value in statement.resources)
            if statement.resources is not None
            else None
        )
    except _Invalid:
        return Specialised(None, changed=True)
    result_statement = replace(statement, conditions=tuple(kept), resources=resources)
    return Specialised(
        result_statement,
        changed=result_statement != statement,
        unknown_keys=tuple(dict.fromkeys(unknown)),
    )


def _has_unknown_variables(condition: Condition, principal: PrincipalValues) -> bool:
    for value in condition.values:
        for part in split_variables(value):
            if isinstance(part, Variable) and (
                not is_identity_key(part.key) or principal.lookup(part.key) is KeyState.UNKNOWN
            ):
                return True
    return False


def _substitute_condition(
    condition: Condition, principal: PrincipalValues, unknown: list[str]
) -> Condition:
    if condition.operator.base.family not in (Family.STRING, Family.ARN):
        return condition  # variables are substituted only in String and ARN values
    values = tuple(_substitute(value, principal, unknown) for value in condition.values)
    return condition if values == condition.values else replace(condition, values=values)


def _substitute(value: str, principal: PrincipalValues, unknown: list[str]) -> str:
    if "${" not in value:
        return value
    parts = split_variables(value)
    if not any(isinstance(p, Variable) and is_identity_key(p.key) for p in parts):
        return value
    rendered: list[str] = []
    for part in parts:
        if isinstance(part, Text):
            rendered.append(part.text if part.wildcards else escape_literal(part.text))
            continue
        state = principal.lookup(part.key) if is_identity_key(part.key) else KeyState.UNKNOWN
        if isinstance(state, str):
            rendered.append(escape_literal(state))
        elif state is KeyState.ABSENT:
            if part.default is None:
                raise _Invalid(part.key)
            rendered.append(escape_literal(part.default))
        else:
            if is_identity_key(part.key):
                unknown.append(part.key)
            rendered.append(variable_text(part))
    return "".join(rendered)


def escape_literal(text: str) -> str:
    """``text`` as policy text that matches only itself: ``*``, ``?`` and ``$`` become
    the escapes ``${*}``, ``${?}`` and ``${$}`` of Version 2012-10-17."""
    return "".join(f"${{{c}}}" if c in "*?$" else c for c in text)


def variable_text(variable: Variable) -> str:
    """``${key}`` or ``${key, 'default'}`` (quotes in the default doubled)."""
    if variable.default is None:
        return f"${{{variable.key}}}"
    return f"${{{variable.key}, '{variable.default.replace(chr(39), chr(39) * 2)}'}}"


def _escape_dollars(statement: Statement) -> Statement:
    def escape(values: Iterable[str]) -> tuple[str, ...]:
        return tuple(value.replace("$", "${$}") for value in values)

    if not any("$" in v for v in (*(statement.resources or ()), *_string_values(statement))):
        return statement
    conditions = tuple(
        replace(c, values=escape(c.values))
        if c.operator.base.family in (Family.STRING, Family.ARN)
        else c
        for c in statement.conditions
    )
    resources = escape(statement.resources) if statement.resources is not None else None
    return replace(statement, resources=resources, conditions=conditions)


def _string_values(statement: Statement) -> Iterable[str]:
    for condition in statement.conditions:
        if condition.operator.base.family in (Family.STRING, Family.ARN):
            yield from condition.values
