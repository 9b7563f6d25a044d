"""Trust checks on who is named: anyone, other AWS accounts and principals, services."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from keyless.checks.registry import CheckContext, Scope, check
from keyless.checks.trust._common import (
    _AWS,
    _REQUIRES,
    _STRANGER,
    TRUST_ANALYSIS,
    RoleTrust,
    _named_accounts,
    _org_accounts,
    _organization,
    _outside_organizations,
    _paths,
    _problem,
    exempt_from_source_conditions,
    service_name,
)
from keyless.findings import Problem, Severity
from keyless.model import Role
from keyless.model.arn import parse_arn
from keyless.patterns.language import Language
from keyless.trust.formula import TRUE, Term, absent, all_of, any_of, with_question
from keyless.trust.paths import AccessPath, PrincipalClass
from keyless.trust.questions import named_user_ids, outsider
from keyless.trust.questions import organization_pins as _org_pins
from keyless.trust.sources import ACCOUNT_IDS, from_other_accounts, named_source_accounts
from keyless.trust.witness import ANY_SERVICE_EXAMPLE, find, outsider_resources

#: A stranger's own organization, when a witness needs one.
_STRANGER_ORG = {"aws:principalorgid": (Language.literal("o-exampleorgid11"),)}

# ----- anyone and AWS accounts -------------------------------------------------------------------


@check(
    "trust-anyone",
    title="Role assumable by any AWS principal",
    severity=Severity.CRITICAL,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    prepared=TRUST_ANALYSIS,
    remediation=(
        'Replace `"Principal": "*"` with the accounts or roles that need access, or pin '
        "`aws:PrincipalOrgID` / `aws:PrincipalArn` in every statement that trusts `*`."
    ),
)
def trust_anyone(role: Role, ctx: CheckContext, analysis: RoleTrust) -> Iterator[Problem]:
    """The trust policy admits a principal of an account nobody here controls.

    ``"Principal": "*"`` (or ``{"AWS": "*"}``) with no condition an outsider cannot meet lets
    any authenticated principal in any AWS account assume the role; the attacker writes
    their own identity policy, so nothing else stops them. Conditions on keys the caller
    sets (``sts:ExternalId``, session tags, MFA on their own user) do not help.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    """
    organization = _organization(ctx)
    for path in _paths(role, analysis, PrincipalClass.ANYONE):
        # Not a caller of the estate's organization (when known) nor of one the policy
        # pins (judged alone, taken for the role's own); any other organization is the
        # stranger's to create.
        orgs = {*_org_pins(path), *([organization] if organization else [])}
        ids = named_user_ids(path.policy_values("aws:userid"))
        question = outsider(
            role.account_id, _named_accounts(path), _outside_organizations(orgs), ids
        )
        witness = find(path, question, _STRANGER_ORG)
        if witness is not None:
            yield _problem(role, path, "any principal in any AWS account can assume it", witness)


@check(
    "trust-cross-account-no-external-id",
    title="Another account trusted without an external ID",
    severity=Severity.HIGH,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    prepared=TRUST_ANALYSIS,
    remediation=(
        "If the account belongs to a vendor, require the unique external ID it issued to "
        'you: `"Condition": {"StringEquals": {"sts:ExternalId": "<id>"}}`.'
    ),
)
def trust_cross_account_no_external_id(
    role: Role, ctx: CheckContext, analysis: RoleTrust
) -> Iterator[Problem]:
    """Another account is trusted as a whole without ``sts:ExternalId``.

    A vendor's account acting for many customers can be driven by any of them to assume
    your role (the confused deputy) unless the vendor passes an external ID unique to you.
    The pattern is a third party trusted through its account (``:root`` or the account ID,
    not narrowed by ``aws:PrincipalArn``): reported high. A named role or user of another
    account (``arn:aws:iam::444455556666:role/ci-runner``) is the usual multi-account
    setup; it is reported (medium) only when the organisation is known (``scan --org``, an
    organisation snapshot) and the account is outside it: judged alone (``keyless trust``,
    ``keyless iac``, one account) nothing tells a sister account from a vendor's.
    Accounts of the same organisation are not reported, nor statements that admit only
    principals of the organisation (``aws:PrincipalOrgID``/``aws:PrincipalOrgPaths``): with
    the organisation known, only callers outside it count; judged alone, a pinned
    organisation is taken for the role's own, since no vendor serving many customers acts
    from inside it. A statement that requires MFA (``Bool aws:MultiFactorAuthPresent
    true``) admits people signing in, not a vendor's service: not reported.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
    """
    own = _org_accounts(ctx) | {role.account_id}
    organization = _organization(ctx)
    for path in _paths(role, analysis, *_AWS):
        outside = _outside_organizations([organization] if organization else _org_pins(path))
        question = with_question(_strangers_external_id(path), outside)
        where = f", outside organization {organization}," if organization else ""
        reported = False
        for account, scope in _trusted_accounts(path, own):
            # An account principal narrowed by aws:PrincipalArn to named roles is judged
            # as those roles.
            whole = with_question(question, scope, _unnamed_principals(path))
            witness = _without_mfa(path, whole)
            if witness is not None:
                reported = True
                yield _problem(
                    role,
                    path,
                    f"account {account}{where} can assume it {_external_id_words(witness)}",
                    witness,
                )
        if reported or path.principal_class is PrincipalClass.ANYONE:
            continue
        if organization is None or path.account is None or path.account in own:
            continue
        witness = _without_mfa(path, question)
        if witness is not None:
            yield _problem(
                role,
                path,
                f"{_principal_name(path)} of account {path.account}{where} can assume it "
                f"{_external_id_words(witness)}",
                witness,
                severity=Severity.MEDIUM,
            )


def _trusted_accounts(path: AccessPath, own: frozenset[str]) -> Iterator[tuple[str, Term]]:
    """The other accounts ``path`` trusts as a whole, each with the term that puts the
    caller there: an account principal's, and those ``"Principal": "*"`` is narrowed to by
    exact ``aws:PrincipalAccount`` values (the same trust as naming their ``:root``)."""
    if path.principal_class is PrincipalClass.AWS_ACCOUNT:
        if path.account is not None and path.account not in own:
            yield path.account, TRUE
    elif path.principal_class is PrincipalClass.ANYONE:
        for account in sorted(set(path.policy_values("aws:principalaccount"))):
            if account not in own and _ACCOUNT_ID.fullmatch(account):
                yield account, any_of("aws:principalaccount", Language.literal(account))


_ACCOUNT_ID = re.compile(r"[0-9]{12}")


def _strangers_external_id(path: AccessPath) -> Term:
    """A caller passing no external ID, or one the policy does not name exactly: what a
    vendor passes for another of its customers. ``StringLike sts:ExternalId "*"`` (or any
    pattern) is no external ID unique to you: whoever gets the vendor to pass a matching
    one, as another customer can, gets in.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html
    """
    exact = (v for v in path.policy_values("sts:externalid") if "*" not in v and "?" not in v)
    return all_of("sts:externalid", ~Language.finite(exact))


def _external_id_words(witness: Mapping[str, Any]) -> str:
    """How the witness gets past the external ID: none passed, or one a pattern admits."""
    context = witness.get("context") or {}
    if any(key.lower() == "sts:externalid" for key in context):
        return "with another customer's external ID (the policy pins none exactly)"
    return "without an external ID"


#: The external ID a witness's stranger passes when it must pass one.
_STRANGER_EXTERNAL_ID = {"sts:externalid": (Language.literal("another-customers-id"),)}


def _without_mfa(path: AccessPath, question: Term) -> Mapping[str, Any] | None:
    """A witness of ``question`` signed in without MFA, as a vendor's service acting for
    its customers is: a statement that requires MFA admits people (the console's
    cross-account role for users), not a confused deputy. Long-term keys send no MFA key;
    a role session sends ``"false"``."""
    mfa, age = "aws:multifactorauthpresent", "aws:multifactorauthage"
    false = Language.literal("false")
    for without in (
        with_question(absent(mfa), absent(age)),
        with_question(any_of(mfa, false), all_of(mfa, false), absent(age)),
    ):
        witness = find(path, with_question(question, without), _STRANGER_EXTERNAL_ID)
        if witness is not None:
            return witness
    return None


def _unnamed_principals(path: AccessPath) -> Term:
    """A caller whose ``aws:PrincipalArn`` is none the path's statements name. A pattern
    over every role (or user) of an account (``…:role/*``) names none: whatever role its
    administrators create gets in, as through ``:root``."""
    named = Language.empty()
    for value in path.policy_values("aws:principalarn"):
        pattern = Language.wildcard(value)
        if not _every_principal_of(path.account or _account_field(value), pattern, path):
            named = named | pattern
    return all_of("aws:principalarn", ~named)


def _account_field(value: str) -> str | None:
    fields = value.split(":", 5)
    return fields[4] if len(fields) == 6 and _ACCOUNT_ID.fullmatch(fields[4]) else None


def _every_principal_of(account: str | None, pattern: Language, path: AccessPath) -> bool:
    """Does ``pattern`` admit every role, or every user, of ``account``?"""
    if account is None:
        return False
    return any(
        pattern.includes(Language.wildcard(f"arn:{path.partition}:iam::{account}:{kind}/?*"))
        for kind in ("role", "user")
    )


def _principal_name(path: AccessPath) -> str:
    if path.principal_class is PrincipalClass.AWS_PRINCIPAL:
        parsed = parse_arn(path.principal)
        if parsed is not None and parsed.resource:
            return parsed.resource
    names = path.policy_values("aws:principalarn")
    return ", ".join(names) if names else "a principal"


@check(
    "trust-account-root-broad",
    title="Another account trusted as a whole",
    severity=Severity.MEDIUM,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    prepared=TRUST_ANALYSIS,
    remediation=(
        "Name the role that needs access instead of the account, or add "
        '`"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::<account>:role/<name>"}`.'
    ),
)
def trust_account_root_broad(
    role: Role, ctx: CheckContext, analysis: RoleTrust
) -> Iterator[Problem]:
    """Another account is trusted through ``:root`` with no ``aws:PrincipalArn`` pin.

    Trusting an account delegates the choice to its administrators: every identity they
    allow ``sts:AssumeRole`` (today or later) gets in. The role's own account and accounts
    of the same organisation are not reported: there it is the usual way to let that
    account's own policies decide (e.g. ``OrganizationAccountAccessRole``). With the
    organisation known, an ``aws:PrincipalOrgID`` pin to it makes the account one of its own.
    A statement that requires ``sts:ExternalId`` is not reported: it is the pattern AWS
    documents for a third party, whose principals you cannot name.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html
    """
    own = _org_accounts(ctx) | {role.account_id}
    organization = _organization(ctx)
    for path, account, scope in (
        (trusted, account, scope)
        for trusted in _paths(role, analysis, PrincipalClass.AWS_ACCOUNT, PrincipalClass.ANYONE)
        for account, scope in _trusted_accounts(trusted, own)
    ):
        # With the organisation known, a caller inside it is one of its own accounts. A
        # required external ID is AWS's third-party pattern: the vendor, not you, decides
        # which of its principals act, and cannot be named.
        outside = _outside_organizations([organization] if organization else [])
        question = with_question(
            _unnamed_principals(path), outside, _strangers_external_id(path), scope
        )
        witness = find(path, question, _STRANGER_EXTERNAL_ID)
        if witness is not None:
            pins = _org_pins(path)
            admitted = f" in organization {', '.join(pins)}" if pins else ""
            yield _problem(
                role,
                path,
                f"every principal account {account} allows{admitted} can assume it",
                witness,
                organizations=list(pins),
            )


@check(
    "trust-mfa-bypass",
    title="MFA condition that long-term keys bypass",
    severity=Severity.HIGH,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    prepared=TRUST_ANALYSIS,
    remediation=(
        'Require MFA in the Allow statement with `"Bool": {"aws:MultiFactorAuthPresent": '
        '"true"}` (not `BoolIfExists`, and not only a Deny on `"false"`).'
    ),
)
def trust_mfa_bypass(role: Role, ctx: CheckContext, analysis: RoleTrust) -> Iterator[Problem]:
    """The policy means to require MFA, yet admits a caller without it.

    ``aws:MultiFactorAuthPresent`` is absent for callers using long-term access keys, so
    ``BoolIfExists … "true"`` and a Deny on ``Bool … "false"`` both let them in.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent
    """
    mfa, age = "aws:multifactorauthpresent", "aws:multifactorauthage"
    for path in _paths(role, analysis, *_AWS):
        if not ({mfa, age} & path.mentioned_keys()):
            continue
        without = with_question(absent(mfa), absent(age))
        false = with_question(
            any_of(mfa, Language.literal("false")),
            all_of(mfa, Language.literal("false")),
            absent(age),
        )
        for question in (without, false):
            witness = find(path, question)
            if witness is not None:
                yield _problem(role, path, "can be assumed without MFA", witness)
                break


@check(
    "trust-dangling-principal",
    title="Trust in a deleted principal",
    severity=Severity.LOW,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    prepared=TRUST_ANALYSIS,
    remediation=(
        "Remove the unique ID from the trust policy; if the principal was re-created, "
        "trust its new ARN explicitly."
    ),
)
def trust_dangling_principal(
    role: Role, ctx: CheckContext, analysis: RoleTrust
) -> Iterator[Problem]:
    """The trust policy names a principal by unique ID (``AROA…``/``AIDA…``).

    IAM shows a unique ID where a trusted user or role was deleted. Nobody matches it (a
    re-created principal gets a new ID), so the statement is dead, and an edit that
    "restores" the name may trust someone unintended.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles
    """
    for path in _paths(role, analysis, PrincipalClass.DELETED_PRINCIPAL):
        yield _problem(role, path, f"trusts a deleted principal ({path.principal})", None)


@check(
    "trust-service-confused-deputy",
    title="Service trusted without a source condition",
    severity=Severity.MEDIUM,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    prepared=TRUST_ANALYSIS,
    remediation=(
        "Add `aws:SourceAccount` (your account) and, where the service sends it, "
        "`aws:SourceArn` (the resource that uses the role) to the statement."
    ),
)
def trust_service_confused_deputy(
    role: Role, ctx: CheckContext, analysis: RoleTrust
) -> Iterator[Problem]:
    """A service principal can assume the role on behalf of another account's resource.

    Services that act for resources (SNS, S3, CloudTrail, Config, ...) send
    ``aws:SourceAccount``/``aws:SourceArn``; without them in the trust policy, another
    customer's resource can make the service use your role. Services that run your own
    compute and send no source keys (EC2, Lambda, ECS tasks, EKS, Step Functions, ...) and
    service-linked roles are not reported, nor a statement that requires ``sts:ExternalId``
    (Firehose passes the owner's account ID, a Cognito user pool its configured ID).
    ``"Principal": "*"`` with ``Bool aws:PrincipalIsAWSService "true"`` (or conditions on
    source keys) admits every service principal, which only services send "true" for: it
    is reported here, as any service acting for another account's resource, not as
    ``trust-anyone`` (no IAM caller carries the key as "true"). A source pinned exactly
    to another account (``aws:SourceAccount`` ``222233334444``, or a ``aws:SourceArn`` of
    that account) is a delegation to that account's resources, which AWS's guidance
    describes ("Use aws:SourceAccount if you want to allow any resource in that account to
    be associated with the cross-service use"): not reported; "who can assume" names the
    account. A pattern over accounts still is.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalisawsservice
    """
    if role.is_service_linked:
        return
    for path in _paths(role, analysis, PrincipalClass.SERVICE):
        # "*" conditioned on aws:PrincipalIsAWSService "true" (or on source keys) admits
        # every service principal: a confused deputy like one named service, and the
        # witness is one (SNS) acting for a stranger's resource.
        service = ANY_SERVICE_EXAMPLE if path.any_service else path.principal.lower()
        if not path.any_service and exempt_from_source_conditions(service):
            continue
        # The role's own account, and any the policy names exactly as the source: a
        # service pinned to another named account (a central logging account's topic) acts
        # for that account's resources only, as delegated: no one else's.
        accounts = {role.account_id, *named_source_accounts(path)}
        own = Language.finite(accounts)
        outside = with_question(
            from_other_accounts(accounts),
            absent("aws:sourceorgid"),
            absent("aws:sourceorgpaths"),
            # Services that bind a role by an external ID pass it (Firehose: the owner's
            # account ID; a Cognito user pool: the one configured): required, it pins them.
            absent("sts:externalid"),
        )
        if not path.admits(outside):
            continue
        # The witness shows the service acting for a resource of another account.
        stranger = with_question(outside, any_of("aws:sourceaccount", ~own))
        prefer = {
            **_STRANGER,
            # Then any account ID the policy's pattern admits (`2222*`), not "2222".
            "aws:sourceaccount": (*_STRANGER["aws:sourceaccount"], ACCOUNT_IDS),
            "aws:sourcearn": outsider_resources(path.partition, service_name(service)),
        }
        witness = find(path, stranger, prefer)
        who = "any AWS service principal" if path.any_service else service
        yield _problem(
            role,
            path,
            f"{who} can assume it for another account's resources",
            witness or find(path, outside, prefer),
        )
