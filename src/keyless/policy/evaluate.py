"""Concrete evaluation of a request against a trust policy, with its explanation.

The decision follows IAM's policy evaluation logic, restricted to one policy:
an explicit Deny wins; otherwise an Allow whose Principal, Action, Resource and every
Condition match allows; otherwise the request is implicitly denied.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html

A trust policy is only half of the decision for AWS callers: a caller in another account
(or a caller trusted only through "the whole account") also needs its own identity policy
to allow the action; the Decision says so in ``notes``, it does not evaluate it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from keyless.errors import quoted
from keyless.model.arn import account_of, parse_arn, root_arn
from keyless.policy.conditions import (
    ConditionResult,
    Context,
    evaluate_condition,
    make_context,
    matches_parts,
    matches_wildcard,
    resolve_value,
)
from keyless.policy.document import (
    AwsPrincipalForm,
    Effect,
    Policy,
    Principal,
    PrincipalType,
    Statement,
    aws_principal_form,
)
from keyless.policy.templates import as_wildcard, has_placeholder

ASSUME_ROLE = "sts:AssumeRole"
ASSUME_ROLE_WITH_WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
ASSUME_ROLE_WITH_SAML = "sts:AssumeRoleWithSAML"
TAG_SESSION = "sts:TagSession"
SET_SOURCE_IDENTITY = "sts:SetSourceIdentity"

#: Web identity providers built into STS, named in ``Principal.Federated`` by host name; any
#: other OIDC issuer is trusted through its IAM OIDC provider, named by that provider's ARN
#: ("For other OIDC providers, use the ARN of the OIDC identity provider you created":
#: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html).
BUILT_IN_WEB_IDENTITY_PROVIDERS = frozenset(
    {
        "accounts.google.com",
        "cognito-identity.amazonaws.com",
        "graph.facebook.com",
        "www.amazon.com",
    }
)

# --------------------------------------------------------------------------- the caller


class CallerType(StrEnum):
    """How the caller authenticates to STS."""

    AWS = "aws"  # an IAM user, role session, root or federated user: sts:AssumeRole
    WEB_IDENTITY = "web-identity"  # an OIDC token: sts:AssumeRoleWithWebIdentity
    SAML = "saml"  # a SAML assertion: sts:AssumeRoleWithSAML
    SERVICE = "service"  # an AWS service principal, e.g. rolesanywhere.amazonaws.com


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is asking.

    * ``AWS``: ``arn`` is the user, root, federated-user or assumed-role session ARN (or
      the role ARN when the session is unknown); ``form`` says which; ``account`` is set.
    * ``WEB_IDENTITY``: ``provider`` is the issuer without ``https://`` (the condition key
      prefix); ``account`` is the role's account when known.
    * ``SAML``: ``arn`` is the SAML provider ARN when known.
    * ``SERVICE``: ``provider`` is the service principal name.
    """

    type: CallerType
    arn: str | None = None
    form: AwsPrincipalForm | None = None
    account: str | None = None
    provider: str | None = None
    unique_id: str | None = None
    any_partition: bool = False
    """An AWS caller given by account ID alone: ``arn`` is its root in ``aws``, but the ID
    names the account in whichever partition the policy's principal is."""

    @property
    def label(self) -> str:
        """How to name the caller to a person."""
        return self.arn or self.provider or str(self.type)


def aws_caller(arn_or_account: str, *, unique_id: str | None = None) -> Caller:
    """A caller from an IAM ARN (user, role, assumed-role session, root) or an account ID.

    A role ARN stands for "some session of this role".
    """
    text = arn_or_account.strip()
    if len(text) == 12 and text.isascii() and text.isdigit():
        return Caller(
            CallerType.AWS,
            root_arn(text),
            AwsPrincipalForm.ACCOUNT,
            text,
            unique_id=unique_id,
            any_partition=True,
        )
    parsed = parse_arn(text)
    form = aws_principal_form(parsed.service, parsed.resource) if parsed else None
    if parsed is None or form is None or not parsed.account:
        raise ValueError(f"not an IAM or STS principal ARN: {text!r}")
    return Caller(CallerType.AWS, text, form, parsed.account, unique_id=unique_id)


def role_of(caller: Caller) -> tuple[str, str] | None:
    """``(account, role name)`` when the caller is a session of a role."""
    if caller.arn is None or caller.account is None:
        return None
    resource = caller.arn.split(":", 5)[-1]
    if caller.form is AwsPrincipalForm.ROLE:
        return caller.account, resource.rsplit("/", 1)[-1]
    if caller.form is AwsPrincipalForm.ASSUMED_ROLE:
        return caller.account, resource.split("/")[1]
    return None


@dataclass(frozen=True, slots=True)
class Request:
    """One request to STS: caller, the actions that must all be allowed, and the context.

    ``actions`` has more than one entry when the call needs several permissions, e.g.
    IAM Roles Anywhere needs sts:AssumeRole, sts:TagSession and sts:SetSourceIdentity.
    ``resource`` is the role ARN when known (used only if a statement has a Resource).
    ``notes`` are facts the request builder wants shown with the decision.
    """

    caller: Caller
    actions: tuple[str, ...]
    context: Context = field(default_factory=make_context)
    resource: str | None = None
    notes: tuple[str, ...] = ()


# --------------------------------------------------------------------------- principal matching


def principal_matches(principal: Principal, caller: Caller) -> bool:
    """Does the Principal value ``principal`` name ``caller``?

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    """
    if principal.is_wildcard:
        # "*" and {"AWS": "*"} are equivalent. Whether they admit web-identity and SAML
        # callers is undocumented; we say they do (fail-safe: never hide access). An AWS
        # caller of another partition than the role's never gets in: see other_partition.
        return True
    if has_placeholder(principal.value):
        return _template_matches(principal, caller)
    if principal.type is PrincipalType.AWS:
        return caller.type is CallerType.AWS and _aws_principal_matches(principal, caller)
    if principal.type is PrincipalType.FEDERATED:
        return _federated_matches(principal.value, caller)
    if principal.type is PrincipalType.SERVICE:
        return (
            caller.type is CallerType.SERVICE
            and caller.provider is not None
            and principal.value.lower() == caller.provider.lower()
        )
    # CanonicalUser identifies S3 owners; STS callers never carry one.
    return False


def _template_matches(principal: Principal, caller: Caller) -> bool:
    """An unrendered principal (``${trusted_entity}``, ``arn:aws:iam::${account}:root``)
    stands for whoever it will name: each placeholder is read as a wildcard, so the caller
    matches when some rendering names it (the reading that never hides access)."""
    pattern = as_wildcard(principal.value)
    if principal.type is PrincipalType.AWS:
        if caller.type is not CallerType.AWS or caller.arn is None:
            return False
        candidates = [caller.arn, caller.account or ""]
        role = role_of(caller)
        if role is not None:
            candidates.append(f"arn:{caller.arn.split(':')[1]}:iam::{role[0]}:role/{role[1]}")
        return any(matches_wildcard(pattern, candidate) for candidate in candidates)
    if principal.type is PrincipalType.FEDERATED:
        if caller.type is CallerType.WEB_IDENTITY and caller.provider:
            provider = caller.provider.lower().rstrip("/")
            account = caller.account or "000000000000"
            candidates = [provider, f"arn:aws:iam::{account}:oidc-provider/{provider}"]
            return any(matches_wildcard(pattern, c, ignore_case=True) for c in candidates)
        if caller.type is CallerType.SAML:
            if caller.arn is None:
                return ":oidc-provider/" not in pattern
            return matches_wildcard(pattern, caller.arn)
        return False
    if principal.type is PrincipalType.SERVICE:
        return (
            caller.type is CallerType.SERVICE
            and caller.provider is not None
            and matches_wildcard(pattern, caller.provider, ignore_case=True)
        )
    return False


def _aws_principal_matches(principal: Principal, caller: Caller) -> bool:
    if not caller.any_partition and _other_partitions(principal.value, caller.arn):
        # An ARN names one partition; a principal of another (aws-us-gov, aws-cn) is
        # another principal, whatever its account ID.
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
        return False
    form = principal.form
    if form is AwsPrincipalForm.ACCOUNT:
        # The whole account: every principal in it (still gated by its identity policy).
        return caller.account == principal.account
    if form is AwsPrincipalForm.UNIQUE_ID:
        # IAM stores a named user/role as its unique ID; a bare ID in the policy means that
        # principal was deleted. Only a caller with exactly that ID (none, once deleted) matches.
        return caller.unique_id is not None and caller.unique_id == principal.value
    if caller.account != principal.account or caller.arn is None:
        return False
    value_resource = principal.value.split(":", 5)[-1]
    if form is AwsPrincipalForm.USER:
        # User and role names are unique per account regardless of case and path, and IAM
        # binds the ARN to the principal's unique ID, so compare names only.
        return caller.form is AwsPrincipalForm.USER and _last(value_resource) == _last(
            caller.arn.split(":", 5)[-1]
        )
    if form is AwsPrincipalForm.ROLE:
        role = role_of(caller)
        return role is not None and role[1].lower() == _last(value_resource)
    if form is AwsPrincipalForm.ASSUMED_ROLE:
        _, role_name, session = value_resource.split("/")
        caller_role = role_of(caller)
        if caller_role is None or caller_role[1].lower() != role_name.lower():
            return False
        if caller.form is AwsPrincipalForm.ROLE:
            # Session unknown: whoever assumes the role picks the session name, so any
            # session of the role can present this one.
            return True
        return caller.arn.split("/")[-1] == session
    if form is AwsPrincipalForm.FEDERATED_USER:
        return caller.arn.lower() == principal.value.lower()
    return False


def _other_partitions(value: str, caller_arn: str | None) -> bool:
    """Both are ARNs, of different partitions (a bare account ID names none)."""
    if caller_arn is None or not value.startswith("arn:"):
        return False
    theirs, mine = parse_arn(value), parse_arn(caller_arn)
    return theirs is not None and mine is not None and theirs.partition != mine.partition


def _last(resource: str) -> str:
    return resource.rsplit("/", 1)[-1].lower()


def _federated_matches(value: str, caller: Caller) -> bool:
    if caller.type is CallerType.WEB_IDENTITY and caller.provider:
        provider = caller.provider.lower().rstrip("/")
        if value.lower() == provider:
            # A host name names only a provider built into STS: another issuer's token
            # comes through its IAM OIDC provider, whose principal is the provider's ARN.
            return provider in BUILT_IN_WEB_IDENTITY_PROVIDERS
        parsed = parse_arn(value)
        if parsed is None or not parsed.resource.startswith("oidc-provider/"):
            return value == "*"
        if caller.account is not None and parsed.account != caller.account:
            # STS uses the IAM OIDC provider of the role's own account.
            return False
        return parsed.resource[len("oidc-provider/") :].lower().rstrip("/") == provider
    if caller.type is CallerType.SAML:
        parsed = parse_arn(value)
        if parsed is None or not parsed.resource.startswith("saml-provider/"):
            return value == "*"
        # Without a known provider ARN we assume the assertion comes from this provider.
        return caller.arn is None or caller.arn == value
    return False


def actions_match(statement: Statement, action: str) -> bool:
    """Does ``action`` fall under the statement's Action (or outside its NotAction)?

    Action names are case-insensitive; ``*`` and ``?`` are wildcards.
    """
    hit = any(matches_wildcard(pattern, action, ignore_case=True) for pattern in statement.actions)
    return hit != statement.actions_negated


def _resource_matches(
    statement: Statement, resource: str | None, context: Context, variables: bool
) -> bool | None:
    if statement.resources is None:
        return True
    if resource is None:
        if not statement.resources_negated and "*" in statement.resources:
            return True
        return None  # unknown
    patterns = statement.resources
    if variables and any("${" in pattern for pattern in patterns):
        # Variables are substituted in Resource too; one that cannot be resolved makes the
        # statement match nothing (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
        resolved = [resolve_value(pattern, context) for pattern in patterns]
        if any(parts is None for parts in resolved):
            return False
        hit = any(matches_parts(parts, resource) for parts in resolved if parts is not None)
    else:
        hit = any(matches_wildcard(pattern, resource) for pattern in patterns)
    return hit != statement.resources_negated


# --------------------------------------------------------------------------- the decision


@dataclass(frozen=True, slots=True)
class StatementTrace:
    """How one statement fared for one action: what matched, and which conditions failed."""

    statement: Statement
    action: str
    principal_matched: bool
    action_matched: bool
    resource_matched: bool
    conditions: tuple[ConditionResult, ...]
    applies: bool
    reason: str

    @property
    def failed_conditions(self) -> tuple[ConditionResult, ...]:
        """The conditions that were false (or invalid)."""
        return tuple(result for result in self.conditions if not result.passed)


@dataclass(frozen=True, slots=True)
class ActionDecision:
    """The decision for one action, and the statement that decided it (if any)."""

    action: str
    allowed: bool
    decided_by: StatementTrace | None
    statements: tuple[StatementTrace, ...]

    @property
    def explicitly_denied(self) -> bool:
        """True when a Deny statement applied."""
        return self.decided_by is not None and self.decided_by.statement.effect is Effect.DENY


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of a request: allowed only if every required action is allowed."""

    allowed: bool
    request: Request
    actions: tuple[ActionDecision, ...]
    notes: tuple[str, ...] = ()

    @property
    def statements(self) -> tuple[StatementTrace, ...]:
        """Every statement trace, action by action."""
        return tuple(trace for action in self.actions for trace in action.statements)

    @property
    def deciding(self) -> ActionDecision:
        """The first denied action when denied; otherwise the first (primary) action."""
        return next((a for a in self.actions if not a.allowed), self.actions[0])

    @property
    def explanation_lines(self) -> tuple[str, ...]:
        """The explanation one line per action and note (a line may quote policy text, so
        renderers escape each line on its own)."""
        return (*(_explain_action(decision) for decision in self.actions), *self.notes)

    @property
    def explanation(self) -> str:
        """One paragraph: the decision, which statement made it, and why."""
        return "\n".join(self.explanation_lines)


def evaluate(policy: Policy, request: Request) -> Decision:
    """Evaluate ``request`` against ``policy``: explicit Deny wins, then any Allow."""
    if not request.actions:
        raise ValueError("a request needs at least one action")
    decisions = tuple(_decide(policy, request, action) for action in request.actions)
    allowed = all(decision.allowed for decision in decisions)
    notes = list(request.notes)
    if allowed:
        notes.extend(_identity_policy_notes(decisions, request.caller, request.resource))
        notes.extend(_template_notes(decisions, request.caller))
    return Decision(allowed, request, decisions, tuple(notes))


def _decide(policy: Policy, request: Request, action: str) -> ActionDecision:
    crossing = other_partition(request)
    traces = tuple(
        _trace(statement, policy, request, action, crossing) for statement in policy.statements
    )
    deny = next((t for t in traces if t.applies and t.statement.effect is Effect.DENY), None)
    if deny is not None:
        return ActionDecision(action, False, deny, traces)
    allow = next((t for t in traces if t.applies), None)
    return ActionDecision(action, allow is not None, allow, traces)


def other_partition(request: Request) -> str | None:
    """Why an AWS caller cannot assume the role at all: its ARN is of another partition
    than the role's (``request.resource``), whatever the policy says. Partitions have
    independent IAM instances, and a credential of one is not valid in another, so
    ``sts:AssumeRole`` never crosses them (a ``*`` principal included); only a web-identity
    token from the other partition's STS does.
    https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_outbound_cross_partition.html
    ``None`` when the partitions agree or one is unknown (a caller given by account ID, no
    role ARN)."""
    caller = request.caller
    if caller.type is not CallerType.AWS or caller.any_partition or caller.arn is None:
        return None
    if request.resource is None:
        return None
    theirs, role = parse_arn(caller.arn), parse_arn(request.resource)
    if theirs is None or role is None or not role.partition or theirs.partition == role.partition:
        return None
    return (
        f"the caller is in the partition {quoted(theirs.partition)} and the role in "
        f"{quoted(role.partition)}: no principal of one partition can assume a role of another"
    )


def _trace(
    statement: Statement, policy: Policy, request: Request, action: str, crossing: str | None
) -> StatementTrace:
    principals = statement.principals
    # No Allow admits a caller of another partition ("*" included); a Deny still applies.
    crossed = crossing is not None and principals is not None and statement.effect is Effect.ALLOW
    if principals is None:
        principal_ok = True
    else:
        hit = any(principal_matches(p, request.caller) for p in principals)
        principal_ok = hit != statement.principals_negated and not crossed
    action_ok = actions_match(statement, action)
    resource_state = _resource_matches(
        statement, request.resource, request.context, policy.supports_variables
    )
    # A Resource we cannot check (role ARN unknown): fail-safe, an Allow is assumed to
    # cover this role and a Deny is not assumed to apply.
    resource_ok = statement.effect is Effect.ALLOW if resource_state is None else resource_state
    if not (principal_ok and action_ok and resource_ok):
        missing = [
            name
            for name, ok in (
                ("principal", principal_ok),
                ("action", action_ok),
                ("resource", resource_ok),
            )
            if not ok
        ]
        reason = f"{' and '.join(missing)} do{'es' if len(missing) == 1 else ''} not match"
        if crossed:
            reason += f": {crossing}"
        return StatementTrace(
            statement, action, principal_ok, action_ok, resource_ok, (), False, reason
        )
    results = tuple(
        evaluate_condition(condition, request.context, variables=policy.supports_variables)
        for condition in statement.conditions
    )
    failed = [result for result in results if not result.passed]
    if failed:
        first = failed[0]
        reason = (
            f"condition {first.condition.operator.text} {first.condition.key} failed: "
            f"{first.reason}"
        )
        if len(failed) > 1:
            reason += f" (and {len(failed) - 1} more)"
        return StatementTrace(statement, action, True, True, True, results, False, reason)
    reason = (
        "principal, action and all conditions match" if results else "principal and action match"
    )
    return StatementTrace(statement, action, True, True, True, results, True, reason)


def _explain_action(decision: ActionDecision) -> str:
    trace = decision.decided_by
    if trace is None:
        reasons = "; ".join(
            f"{t.statement.label}: {t.reason}"
            for t in decision.statements
            if t.statement.effect is Effect.ALLOW
        )
        return f"{decision.action}: denied (implicitly): no statement allows it" + (
            f" ({reasons})." if reasons else "."
        )
    verb = "allowed" if decision.allowed else "explicitly denied"
    return f"{decision.action}: {verb} by {trace.statement.label}: {trace.reason}."


def _identity_policy_notes(
    decisions: tuple[ActionDecision, ...], caller: Caller, request_resource: str | None
) -> list[str]:
    """Facts that make an allowed trust-policy decision incomplete for AWS callers."""
    if caller.type is not CallerType.AWS:
        return []
    role_account = account_of(request_resource) if request_resource else None
    notes = []
    for decision in decisions:
        trace = decision.decided_by
        if trace is None or trace.statement.principals is None:
            continue
        named_exactly = any(
            p.form not in (AwsPrincipalForm.ACCOUNT, AwsPrincipalForm.ANY)
            and principal_matches(p, caller)
            for p in trace.statement.principals
        )
        if named_exactly and role_account and role_account != caller.account:
            notes.append(
                f"{caller.label} is in another account than the role, so its own identity "
                f"policy must also allow {decision.action}."
            )
            break
        if not named_exactly:
            # https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
            notes.append(
                f'The trust policy admits {caller.label} through its whole account (or "*"), '
                f"so the caller's own identity policy must also allow {decision.action}."
            )
            break
    return notes


def _template_notes(decisions: tuple[ActionDecision, ...], caller: Caller) -> list[str]:
    """Say when an allow rests on an unrendered principal (read as whoever it will name)."""
    seen: list[str] = []
    for decision in decisions:
        trace = decision.decided_by
        for principal in (trace.statement.principals or ()) if trace is not None else ():
            value = principal.value
            if (
                value not in seen
                and has_placeholder(value)
                and principal_matches(principal, caller)
            ):
                seen.append(value)
    return [
        f"The principal {quoted(value)} is an unrendered template placeholder: it was read as "
        "whoever it will name, so it matches this caller."
        for value in seen
    ]
