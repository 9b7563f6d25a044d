"""Checks on role trust policies: who can assume each role, decided exactly.

Every check reads the role's access paths (:mod:`keyless.policy.reasoning`), memoised per
canonical trust policy in ``ctx.memo``, and asks one exact question; a finding that grants
access to someone who should not have it carries a witness that
:func:`keyless.policy.witness.evaluate_witness` allows.

A malformed trust policy never crashes a scan: ``trust-dead-condition`` reports it (with the
JSON pointer of the error as evidence) and every other trust check skips the role.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

from keyless.checks.registry import CheckContext, Scope, check
from keyless.errors import PolicyError
from keyless.findings import Problem, Severity
from keyless.model import Role, Source
from keyless.model.arn import parse_arn
from keyless.policy.operators import Family, Qualifier
from keyless.policy.patterns import Language
from keyless.policy.reasoning import (
    AccessPath,
    PrincipalClass,
    TrustAnalysis,
    analyse,
    canonical_text,
    with_question,
)
from keyless.policy.reasoning_formula import absent, all_of, any_of, present
from keyless.policy.reasoning_questions import (
    other_repository,
    other_tenant,
    outsider,
    triggered_by,
)
from keyless.policy.reasoning_witness import OUTSIDER_ACCOUNT, realism

_REQUIRES = (Source.AUTHORIZATION_DETAILS,)
_AWS = (PrincipalClass.ANYONE, PrincipalClass.AWS_ACCOUNT, PrincipalClass.AWS_PRINCIPAL)

# Service principals that assume roles for the caller's own resources and send no
# aws:SourceArn/aws:SourceAccount (or whose roles are only usable through iam:PassRole in
# the same account), so a confused-deputy finding on them is noise. Collected from the
# false-positive reports against prowler's iam_role_cross_service_confused_deputy_prevention
# (prowler-cloud/prowler#2810 ec2, #2792 lambda, #4714 elastictranscoder/transcribe,
# #7021 services without source keys) and AWS's own trust examples.
NO_SOURCE_CONDITION_SERVICES = frozenset(
    {
        "ec2.amazonaws.com",
        "lambda.amazonaws.com",
        "edgelambda.amazonaws.com",
        "ecs-tasks.amazonaws.com",
        "ecs.amazonaws.com",
        "eks.amazonaws.com",
        "eks-fargate-pods.amazonaws.com",
        "states.amazonaws.com",
        "elastictranscoder.amazonaws.com",
        "transcribe.amazonaws.com",
        "ssm.amazonaws.com",
        "spotfleet.amazonaws.com",
        "autoscaling.amazonaws.com",
        "elasticmapreduce.amazonaws.com",
        "batch.amazonaws.com",
        "glue.amazonaws.com",
        "monitoring.rds.amazonaws.com",
    }
)
# Handled by their own checks (trust-roles-anywhere-unpinned, trust-eks-unpinned).
_OWN_CHECK_SERVICES = frozenset({"rolesanywhere.amazonaws.com", "pods.eks.amazonaws.com"})

# A witness's "someone else": the documentation account of reasoning_witness.
_STRANGER = {
    "aws:sourceaccount": (Language.literal(OUTSIDER_ACCOUNT),),
    "aws:sourceowner": (Language.literal(OUTSIDER_ACCOUNT),),
}
# Session tags EKS Pod Identity passes for every association.
# https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html
_POD_TAGS = ("aws:requesttag/kubernetes-namespace", "aws:requesttag/kubernetes-service-account")
_POD_TAG_VALUES = {
    "aws:requesttag/kubernetes-namespace": (Language.literal("attacker"),),
    "aws:requesttag/kubernetes-service-account": (Language.literal("attacker"),),
}

_AWS_SIGNIN = (
    Language.literal("https://signin.aws.amazon.com/saml")
    | Language.wildcard("https://?*.signin.aws.amazon.com/saml")
    | Language.literal("https://signin.amazonaws-us-gov.com/saml")
    | Language.literal("https://signin.amazonaws.cn/saml")
)


# ----- shared plumbing ---------------------------------------------------------------------------


def trust_analysis(role: Role, ctx: CheckContext) -> TrustAnalysis | PolicyError:
    """The role's analysis (or the error that stopped it), memoised per canonical policy.

    An analysis is kept only while roles that share its policy remain to be checked (most
    policies of a large account belong to one role each), so memory stays flat.
    """
    current = ctx.memo.get("trust-current")
    if current is not None and current[0] is role:
        found: TrustAnalysis | PolicyError = current[1]
        return found
    text = canonical_text(role.trust_policy)
    kept: dict[str, TrustAnalysis | PolicyError] = ctx.memo.setdefault("trust-analyses", {})
    result = kept.get(text)
    if result is None:
        try:
            result = analyse(role.trust_policy, memoise=False)
        except PolicyError as error:
            result = error
    remaining = _sharing(ctx)
    left = remaining.get(text, 1) - 1
    if left > 0:
        remaining[text] = left
        kept[text] = result
    else:
        remaining.pop(text, None)
        kept.pop(text, None)
    return result


def _sharing(ctx: CheckContext) -> dict[str, int]:
    """How many roles of the inventory have each canonical trust policy (computed once)."""
    counts: dict[str, int] | None = ctx.memo.get("trust-sharing")
    if counts is None:
        counts = {}
        for account in ctx.inventory.accounts:
            for role in account.roles:
                text = canonical_text(role.trust_policy)
                counts[text] = counts.get(text, 0) + 1
        ctx.memo["trust-sharing"] = counts
    return counts


_BODIES: dict[str, Callable[[Role, CheckContext], Iterator[Problem]]] = {}


def _per_role(
    body: Callable[[Role, CheckContext], Iterator[Problem]],
) -> Callable[[Role, CheckContext], Iterator[Problem]]:
    """Run every trust check on a role the first time any of them is asked about it.

    The engine runs each check over every role in turn; analysing a role's policy 18 times,
    or keeping every distinct policy's analysis alive for the whole scan (thousands of
    automata and memo tables), would cost either time or memory. Instead the first trust
    check to see a role computes the problems of all of them from one analysis and keeps
    only the non-empty ones until each check has asked; then the analysis is free to go.
    """
    name = body.__name__
    bit = 1 << len(_BODIES)
    _BODIES[name] = body

    @functools.wraps(body)
    def run(role: Role, ctx: CheckContext) -> Iterator[Problem]:
        key = ("trust-problems", id(role))
        batch = ctx.memo.get(key)
        if batch is None or batch[0] is not role:
            # The analysis makes no reference cycles, and what it allocates dies with it;
            # left on, the cyclic GC would walk the whole inventory again and again while
            # it runs. Paused here (as load_export does), restored after.
            paused = gc.isenabled()
            gc.disable()
            try:
                ctx.memo["trust-current"] = (role, trust_analysis(role, ctx))
                found = {n: p for n, b in _BODIES.items() if (p := tuple(b(role, ctx)))}
            finally:
                ctx.memo.pop("trust-current", None)
                if paused:
                    gc.enable()
            # Few objects per role (the problems, and which checks have asked, as bits):
            # what is kept here outlives many GC generations.
            batch = [role, found or None, 0]
            ctx.memo[key] = batch
        if batch[2] & bit:  # asked twice in one scan: compute again
            return iter(tuple(body(role, ctx)))
        batch[2] |= bit
        if batch[2] == (1 << len(_BODIES)) - 1:
            del ctx.memo[key]
        found = batch[1]
        problems: tuple[Problem, ...] = found.pop(name, ()) if found else ()
        return iter(problems)

    return run


def _paths(role: Role, ctx: CheckContext, *classes: PrincipalClass) -> tuple[AccessPath, ...]:
    analysis = trust_analysis(role, ctx)
    if isinstance(analysis, PolicyError):
        return ()
    return analysis.of_class(*classes) if classes else analysis.paths


def _evidence(path: AccessPath, **extra: Any) -> Mapping[str, Any]:
    return MappingProxyType(
        {"principal": path.principal, "statements": list(path.statements), **extra}
    )


def _problem(
    role: Role,
    path: AccessPath,
    message: str,
    witness: Mapping[str, Any] | None,
    severity: Severity | None = None,
    **extra: Any,
) -> Problem:
    return Problem(
        resource=role.arn,
        message=f"{role.name}: {message}",
        evidence=_evidence(path, **extra),
        severity=severity,
        witness=witness,
    )


def _named_accounts(path: AccessPath) -> frozenset[str]:
    found = set(path.policy_values("aws:principalaccount"))
    for value in path.policy_values("aws:principalarn"):
        parsed = parse_arn(value)
        if parsed is not None and parsed.account.isdigit():
            found.add(parsed.account)
    return frozenset(found)


def _org_accounts(ctx: CheckContext) -> frozenset[str]:
    organization = ctx.inventory.organization
    if organization is None:
        return frozenset()
    return frozenset(
        {account.id for account in ctx.inventory.accounts} | {organization.management_account_id}
    )


# ----- anyone and AWS accounts -------------------------------------------------------------------


@check(
    "trust-anyone",
    title="Role assumable by any AWS principal",
    severity=Severity.CRITICAL,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    remediation=(
        'Replace `"Principal": "*"` with the accounts or roles that need access, or pin '
        "`aws:PrincipalOrgID` / `aws:PrincipalArn` in every statement that trusts `*`."
    ),
)
@_per_role
def trust_anyone(role: Role, ctx: CheckContext) -> Iterator[Problem]:
    """The trust policy admits a principal of an account nobody here controls.

    ``"Principal": "*"`` (or ``{"AWS": "*"}``) with no condition an outsider cannot meet lets
    any authenticated principal in any AWS account assume the role; the attacker writes
    their own identity policy, so nothing else stops them. Conditions on keys the caller
    sets (``sts:ExternalId``, session tags, MFA on their own user) do not help.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    """
    for path in _paths(role, ctx, PrincipalClass.ANYONE):
        question = outsider(role.account_id, _named_accounts(path))
        witness = path.find(question)
        if witness is not None:
            yield _problem(role, path, "any principal in any AWS account can assume it", witness)


@check(
    "trust-cross-account-no-external-id",
    title="Another account trusted without an external ID",
    severity=Severity.HIGH,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    remediation=(
        "If the account belongs to a vendor, require the unique external ID it issued to "
        'you: `"Condition": {"StringEquals": {"sts:ExternalId": "<id>"}}`.'
    ),
)
@_per_role
def trust_cross_account_no_external_id(role: Role, ctx: CheckContext) -> Iterator[Problem]:
    """An account outside the organisation is trusted without ``sts:ExternalId``.

    A vendor's account acting for many customers can be driven by any of them to assume
    your role (the confused deputy) unless the vendor passes an external ID unique to you.
    Accounts of the same organisation are not reported.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
    """
    own = _org_accounts(ctx) | {role.account_id}
    for path in _paths(role, ctx, PrincipalClass.AWS_ACCOUNT, PrincipalClass.AWS_PRINCIPAL):
        if path.account is None or path.account in own:
            continue
        witness = path.find(absent("sts:externalid"))
        if witness is not None:
            yield _problem(
                role,
                path,
                f"account {path.account} can assume it without an external ID",
                witness,
            )


@check(
    "trust-account-root-broad",
    title="Another account trusted as a whole",
    severity=Severity.MEDIUM,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    remediation=(
        "Name the role that needs access instead of the account, or add "
        '`"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::<account>:role/<name>"}`.'
    ),
)
@_per_role
def trust_account_root_broad(role: Role, ctx: CheckContext) -> Iterator[Problem]:
    """Another account is trusted through ``:root`` with no ``aws:PrincipalArn`` pin.

    Trusting an account delegates the choice to its administrators: every identity they
    allow ``sts:AssumeRole`` (today or later) gets in. The role's own account and accounts
    of the same organisation are not reported: there it is the usual way to let that
    account's own policies decide (e.g. ``OrganizationAccountAccessRole``).
    """
    own = _org_accounts(ctx) | {role.account_id}
    for path in _paths(role, ctx, PrincipalClass.AWS_ACCOUNT):
        if path.account in own:
            continue
        named = Language.empty()
        for value in path.policy_values("aws:principalarn"):
            named = named | Language.wildcard(value)
        witness = path.find(all_of("aws:principalarn", ~named))
        if witness is not None:
            yield _problem(
                role,
                path,
                f"every principal account {path.account} allows can assume it",
                witness,
            )


@check(
    "trust-mfa-bypass",
    title="MFA condition that long-term keys bypass",
    severity=Severity.HIGH,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    remediation=(
        'Require MFA in the Allow statement with `"Bool": {"aws:MultiFactorAuthPresent": '
        '"true"}` (not `BoolIfExists`, and not only a Deny on `"false"`).'
    ),
)
@_per_role
def trust_mfa_bypass(role: Role, ctx: CheckContext) -> Iterator[Problem]:
    """The policy means to require MFA, yet admits a caller without it.

    ``aws:MultiFactorAuthPresent`` is absent for callers using long-term access keys, so
    ``BoolIfExists … "true"`` and a Deny on ``Bool … "false"`` both let them in.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent
    """
    mfa, age = "aws:multifactorauthpresent", "aws:multifactorauthage"
    for path in _paths(role, ctx, *_AWS):
        if not ({mfa, age} & path.mentioned_keys()):
            continue
        without = with_question(absent(mfa), absent(age))
        false = with_question(
            any_of(mfa, Language.literal("false")),
            all_of(mfa, Language.literal("false")),
            absent(age),
        )
        for question in (without, false):
            witness = path.find(question) if question is not None else None
            if witness is not None:
                yield _problem(role, path, "can be assumed without MFA", witness)
                break


@check(
    "trust-dangling-principal",
    title="Trust in a deleted principal",
    severity=Severity.LOW,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    remediation=(
        "Remove the unique ID from the trust policy; if the principal was re-created, "
        "trust its new ARN explicitly."
    ),
)
@_per_role
def trust_dangling_principal(role: Role, ctx: CheckContext) -> Iterator[Problem]:
    """The trust policy names a principal by unique ID (``AROA…``/``AIDA…``).

    IAM shows a unique ID where a trusted user or role was deleted. Nobody matches it (a
    re-created principal gets a new ID), so the statement is dead, and an edit that
    "restores" the name may trust someone unintended.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles
    """
    for path in _paths(role, ctx, PrincipalClass.DELETED_PRINCIPAL):
        yield _problem(role, path, f"trusts a deleted principal ({path.principal})", None)


@check(
    "trust-service-confused-deputy",
    title="Service trusted without a source condition",
    severity=Severity.MEDIUM,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    remediation=(
        "Add `aws:SourceAccount` (your account) and, where the service sends it, "
        "`aws:SourceArn` (the resource that uses the role) to the statement."
    ),
)
@_per_role
def trust_service_confused_deputy(role: Role, ctx: CheckContext) -> Iterator[Problem]:
    """A service principal can assume the role on behalf of another account's resource.

    Services that act for resources (SNS, S3, CloudTrail, Config, ...) send
    ``aws:SourceAccount``/``aws:SourceArn``; without them in the trust policy, another
    customer's resource can make the service use your role. Services that run your own
    compute and send no source keys (EC2, Lambda, ECS tasks, EKS, Step Functions, ...) and
    service-linked roles are not reported.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
    """
    if role.path.startswith("/aws-service-role/"):
        return
    own = Language.literal(role.account_id)
    own_arns = Language.arn_pattern(f"arn:*:*:*:{role.account_id}:*")
    for path in _paths(role, ctx, PrincipalClass.SERVICE):
        service = path.principal.lower()
        if service in NO_SOURCE_CONDITION_SERVICES or service in _OWN_CHECK_SERVICES:
            continue
        outside = with_question(
            all_of("aws:sourceaccount", ~own),
            all_of("aws:sourcearn", ~own_arns),
            all_of("aws:sourceowner", ~own),
            absent("aws:sourceorgid"),
            absent("aws:sourceorgpaths"),
        )
        if outside is None or not path.admits(outside):
            continue
        # The witness shows the service acting for a resource of another account.
        stranger = with_question(outside, any_of("aws:sourceaccount", ~own))
        witness = path.find(stranger, _STRANGER) if stranger is not None else None
        yield _problem(
            role,
            path,
            f"{service} can assume it for another account's resources",
            witness or path.find(outside, _STRANGER),
        )


# ----- Roles Anywhere, EKS, Cognito, Google, SAML ------------------------------------------------


@check(
    "trust-roles-anywhere-unpinned",
    title="Roles Anywhere trust without a trust-anchor pin",
    severity=Severity.HIGH,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    remediation=(
        'Add `"ArnEquals": {"aws:SourceArn": "<trust anchor ARN>"}` and pin the certificate '
        "subject with `aws:PrincipalTag/x509Subject/CN`."
    ),
)
@_per_role
def trust_roles_anywhere_unpinned(role: Role, ctx: CheckContext) -> Iterator[Problem]:
    """Any certificate from any trust anchor of the account can get the role's credentials.

    Without an ``aws:SourceArn`` condition, every trust anchor (and every certificate it
    accepts) that a profile listing the role can use is trusted.
    https://docs.aws.amazon.com/rolesanywhere/latest/userguide/trust-model.html
    """
    for path in _paths(role, ctx, PrincipalClass.ROLES_ANYWHERE):
        named = Language.empty()
        for value in path.policy_values("aws:sourcearn"):
            named = named | Language.literal(value)
        witness = path.find(all_of("aws:sourcearn", ~named))
        if witness is None:
            continue
        pinned = any(k.startswith("aws:principaltag/x509") for k in path.mentioned_keys())
        yield _problem(
            role,
            path,
            "a certificate from any trust anchor can assume it",
            witness,
            Severity.MEDIUM if pinned else None,
        )


@check(
    "trust-eks-unpinned",
    title="EKS trust not pinned to one service account",
    severity=Severity.HIGH,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    remediation=(
        "Pin the exact service account: `StringEquals <issuer>:sub "
        "system:serviceaccount:<namespace>:<name>` (IRSA), or `aws:RequestTag/"
        "kubernetes-namespace` and `…/kubernetes-service-account` (Pod Identity)."
    ),
)
@_per_role
def trust_eks_unpinned(role: Role, ctx: CheckContext) -> Iterator[Problem]:
    """Any pod of a cluster or namespace can assume the role.

    IRSA without an exact ``sub`` trusts every service account (``system:serviceaccount:ns:*``
    every one in the namespace); Pod Identity without tag conditions trusts every
    association in the account.
    https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
    """
    for path in _paths(role, ctx, PrincipalClass.OIDC):
        grammar = path.grammar
        if grammar is None or grammar.provider != "Amazon EKS (IRSA)":
            continue
        sub = path.key("sub")
        exact = Language.empty()
        for value in path.policy_values(sub):
            if "*" not in value and "?" not in value:
                exact = exact | Language.literal(value)
        target = grammar.well_formed_language() - exact
        namespaces = sorted(r for _, r in grammar.repos_in(path.policy_values(sub)))
        nice = grammar.nice("", namespaces[0] if namespaces else "default")
        witness = path.find(
            with_question(any_of(sub, target), all_of(sub, target)) or absent(sub),
            {sub: nice},
        )
        if witness is not None:
            yield _problem(
                role, path, "any service account of the cluster scope can assume it", witness
            )
    for path in _paths(role, ctx, PrincipalClass.SERVICE):
        if path.principal == "pods.eks.amazonaws.com" and not any(
            k.startswith("aws:requesttag/") for k in path.mentioned_keys()
        ):
            # Any association: a pod of any namespace, shown by the tags EKS passes.
            tagged = with_question(*(present(key) for key in _POD_TAGS))
            witness = path.find(tagged, _POD_TAG_VALUES) if tagged is not None else None
            yield _problem(
                role,
                path,
                "any EKS Pod Identity association can use it",
                witness or path.find(),
            )


@check(
    "trust-cognito-unauthenticated",
    title="Cognito role open to guests or any identity pool",
    severity=Severity.CRITICAL,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    remediation=(
        "Pin the identity pool with `StringEquals cognito-identity.amazonaws.com:aud` and "
        'require `"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": '
        '"authenticated"}`.'
    ),
)
@_per_role
def trust_cognito_unauthenticated(role: Role, ctx: CheckContext) -> Iterator[Problem]:
    """Anyone on the internet can get a Cognito token this role accepts.

    Without an ``aud`` pin any identity pool (anyone can create one) is trusted; without
    ``amr`` = ``authenticated``, a guest identity of a pool with guest access can assume the
    role through the basic flow.
    https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html
    """
    for path in _paths(role, ctx, PrincipalClass.OIDC):
        if path.issuer != "cognito-identity.amazonaws.com":
            continue
        aud, amr = path.key("aud"), path.key("amr")
        pools = Language.empty()
        for value in path.policy_values(aud):
            pools = pools | Language.literal(value)
        witness = path.find(all_of(aud, ~pools))
        if witness is not None:
            yield _problem(role, path, "a token of any identity pool can assume it", witness)
            continue
        if any("unauthenticated" in v for v in path.policy_values(amr)):
            continue  # the role is meant for guests
        guest = Language.literal("unauthenticated")
        witness = path.find(with_question(any_of(amr, guest), all_of(amr, guest)) or absent(amr))
        if witness is not None:
            yield _problem(role, path, "a guest (unauthenticated) identity can assume it", witness)


@check(
    "trust-google-oaud-only",
    title="Google trust pinned only on oaud",
    severity=Severity.HIGH,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    remediation=(
        "Pin `accounts.google.com:sub` (the service account's numeric ID), "
        "`accounts.google.com:aud` (its azp) or `accounts.google.com:google/organization_number`."
    ),
)
@_per_role
def trust_google_oaud_only(role: Role, ctx: CheckContext) -> Iterator[Problem]:
    """The role trusts Google tokens by ``oaud`` alone, which the caller chooses.

    ``accounts.google.com:oaud`` is the token's raw ``aud``; any GCP service account can mint
    an ID token for any audience.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
    """
    for path in _paths(role, ctx, PrincipalClass.OIDC):
        if path.issuer != "accounts.google.com" or path.key("oaud") not in path.mentioned_keys():
            continue
        terms = [absent(path.key("google/organization_number"))]
        for name in ("aud", "sub"):
            taken = Language.empty()
            for value in path.policy_values(path.key(name)):
                taken = taken | Language.literal(value)
            terms.append(all_of(path.key(name), ~taken))
        question = with_question(*terms)
        witness = path.find(question) if question is not None else None
        if witness is not None:
            yield _problem(
                role, path, "any Google identity can assume it by choosing oaud", witness
            )


@check(
    "trust-saml-no-audience",
    title="SAML trust without an AWS sign-in audience",
    severity=Severity.MEDIUM,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    remediation=(
        'Add `"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}` (or the '
        "regional sign-in endpoint you use)."
    ),
)
@_per_role
def trust_saml_no_audience(role: Role, ctx: CheckContext) -> Iterator[Problem]:
    """The role accepts SAML assertions addressed to a recipient other than AWS sign-in.

    ``SAML:aud`` pins the assertion's recipient; without it an assertion the IdP issued for
    another relying party is accepted.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml.html
    """
    for path in _paths(role, ctx, PrincipalClass.SAML):
        witness = path.find(
            all_of("saml:aud", ~_AWS_SIGNIN),
            {"saml:aud": (Language.literal("https://attacker.example/saml"),)},
        )
        if witness is not None:
            yield _problem(role, path, "accepts SAML assertions for another recipient", witness)


@check(
    "trust-tag-forgeable",
    title="Tag condition a caller can forge",
    severity=Severity.HIGH,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    remediation=(
        "Allow `sts:TagSession` only to the service that sets the tags (pods.eks.amazonaws.com, "
        "rolesanywhere.amazonaws.com), or reserve the tag keys with a resource control policy."
    ),
)
@_per_role
def trust_tag_forgeable(role: Role, ctx: CheckContext) -> Iterator[Problem]:
    """A tag condition trusts ``aws:RequestTag`` values a caller can set itself.

    Session tags are supplied by whoever calls STS with ``sts:TagSession``; a condition on
    them proves nothing when a principal other than the tagging service may pass tags.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html
    """
    analysis = trust_analysis(role, ctx)
    if isinstance(analysis, PolicyError):
        return
    tagged = {
        key: path
        for path in analysis.paths
        for key in path.mentioned_keys()
        if key.startswith("aws:requesttag/")
    }
    for path in analysis.of_class(*_AWS):
        for key, source in sorted(tagged.items()):
            solution = source.solve(present(key))
            if solution is None:
                continue
            wanted = solution.constraint(key).single_value_language()
            witness = path.find(
                with_question(any_of(key, wanted), all_of(key, wanted)) or present(key)
            )
            if witness is not None:
                yield _problem(
                    role, path, f"{path.principal} can set {key} itself", witness, tag=key
                )
                break


# ----- OIDC ---------------------------------------------------------------------------------------


@check(
    "trust-oidc-any-tenant",
    title="OIDC trust open to every tenant of a shared issuer",
    severity=Severity.CRITICAL,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    remediation=(
        "Pin the tenant: an exact `sub` (e.g. `repo:<org>/<repo>:ref:refs/heads/main`) or the "
        "provider's ID claim (`repository_owner_id`, `project_id`, `organization_id`), with "
        "StringEquals, in every statement and every value."
    ),
)
@_per_role
def trust_oidc_any_tenant(role: Role, ctx: CheckContext) -> Iterator[Problem]:
    """A token from another tenant of a shared issuer (GitHub, GitLab, Terraform Cloud, ...)
    can assume the role.

    One issuer serves every customer of the SaaS, so only the claims pin the tenant; values
    are ORed, so one loose value anywhere in a list (``["repo:o/r:…", "*"]``) opens the role
    to everybody. https://securitylabs.datadoghq.com/articles/exploring-github-to-aws-keyless-authentication-flaws/
    """
    for path in _paths(role, ctx, PrincipalClass.OIDC):
        asked = other_tenant(path)
        if asked is None:
            continue
        witness = path.find(*asked)
        if witness is not None:
            name = path.provider.name if path.provider else path.issuer
            yield _problem(role, path, f"any {name} tenant can assume it", witness)


@check(
    "trust-oidc-broad-subject",
    title="OIDC trust open to other repositories of the organisation",
    severity=Severity.HIGH,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    remediation=(
        "Enumerate the exact subjects (`repo:<org>/<repo>:ref:refs/heads/main`, "
        "`project_path:<group>/<project>:ref_type:branch:ref:main`) instead of an "
        "organisation-wide wildcard."
    ),
)
@_per_role
def trust_oidc_broad_subject(role: Role, ctx: CheckContext) -> Iterator[Problem]:
    """Another repository (project, workspace, pipeline) of the trusted organisation can
    assume the role, including repositories created later.

    Not reported when the same path is already open to every tenant (``trust-oidc-any-tenant``).
    https://docs.github.com/en/actions/reference/security/oidc
    """
    for path in _paths(role, ctx, PrincipalClass.OIDC):
        grammar = path.grammar
        if grammar is None or grammar.provider == "Amazon EKS (IRSA)":
            continue
        tenant = other_tenant(path)
        if tenant is not None and path.admits(tenant[0]):
            continue
        asked = other_repository(path)
        if asked is None:
            continue
        witness = path.find(*asked)
        if witness is not None:
            yield _problem(
                role,
                path,
                f"another {grammar.repo_word} of the organisation can assume it",
                witness,
            )


@check(
    "trust-oidc-untrusted-trigger",
    title="OIDC trust admits pull requests or unprotected branches",
    severity=Severity.HIGH,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    remediation=(
        "Pin a protected branch or environment (`…:ref:refs/heads/main`, "
        "`…:environment:production` with required reviewers); never `…:*` or `:pull_request`."
    ),
)
@_per_role
def trust_oidc_untrusted_trigger(role: Role, ctx: CheckContext) -> Iterator[Problem]:
    """Unreviewed code can mint a token the role accepts: a pull request, or a push to a
    branch other than the default branch (``refs/heads/*``, ``main*``).

    Anyone with write access can push a branch or open a pull request that edits the
    workflow. https://docs.github.com/en/actions/reference/security/oidc
    """
    for path in _paths(role, ctx, PrincipalClass.OIDC):
        grammar = path.grammar
        if grammar is None:
            continue
        for trigger in grammar.triggers:
            asked = triggered_by(path, trigger)
            if asked is None:
                continue
            witness = path.find(*asked)
            if witness is not None:
                yield _problem(
                    role,
                    path,
                    f"{trigger.label} can assume it",
                    witness,
                    Severity(trigger.severity),
                    trigger=trigger.label,
                )


@check(
    "trust-oidc-missing-audience",
    title="OIDC trust without an audience condition",
    severity=Severity.LOW,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    remediation='Add `"StringEquals": {"<issuer>:aud": "sts.amazonaws.com"}`.',
)
@_per_role
def trust_oidc_missing_audience(role: Role, ctx: CheckContext) -> Iterator[Problem]:
    """The role accepts tokens minted for any audience of the issuer.

    STS also checks ``aud`` against the OIDC provider's client IDs, so this is defence in
    depth; but the provider is shared by every role trusting it, and tokens minted for
    another relying party should not open this one.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
    """
    for path in _paths(role, ctx, PrincipalClass.OIDC):
        provider = path.provider
        if (
            provider is None
            or not provider.generic_keys
            or provider.name.startswith("Amazon Cognito")
        ):
            continue
        aud = path.key("aud")
        if aud in path.mentioned_keys():
            continue
        witness = path.find(present(aud), {aud: (Language.literal("https://attacker.example"),)})
        if witness is not None:
            yield _problem(role, path, "accepts tokens for any audience", witness)


# ----- conditions that fail open or can never hold ------------------------------------------------

_PINNING_CLAIMS = frozenset(
    {
        "sub",
        "aud",
        "environment",
        "job_workflow_ref",
        "repository",
        "repository_id",
        "repository_owner_id",
        "ref",
        "project_id",
        "namespace_id",
        "organization_id",
        "organization_slug",
        "amr",
    }
)


@check(
    "trust-condition-fails-open",
    title="Condition that passes when the key is missing",
    severity=Severity.MEDIUM,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    remediation=(
        "Use the plain operator (`StringEquals`, `StringLike`) on single-valued keys, not "
        "`…IfExists`, `ForAllValues:` or a negated operator alone."
    ),
)
@_per_role
def trust_condition_fails_open(role: Role, ctx: CheckContext) -> Iterator[Problem]:
    """A condition is true for a request that lacks its key, and such a request is admitted.

    ``…IfExists``, ``ForAllValues:`` and negated operators are true when the key is absent
    (a token without an ``environment`` claim passes ``ForAllValues:StringEquals
    environment prod``). https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
    """
    analysis = trust_analysis(role, ctx)
    if isinstance(analysis, PolicyError):
        return
    for path in analysis.paths:
        reported: set[str] = set()
        for index in path.statements:
            for condition in analysis.policy.statements[index].conditions:
                operator = condition.operator
                key = condition.key_lower
                opens = (
                    operator.if_exists
                    or operator.qualifier is Qualifier.FOR_ALL_VALUES
                    or (operator.base.negated and operator.base.family is not Family.NULL)
                )
                if not opens or key in reported:
                    continue
                witness = path.find(absent(key))
                if witness is None:
                    continue
                reported.add(key)
                claim = key.rsplit(":", 1)[-1]
                severity = Severity.HIGH if claim in _PINNING_CLAIMS else None
                yield _problem(
                    role,
                    path,
                    f"{operator.text} {condition.key} passes when {condition.key} is missing",
                    witness,
                    severity,
                    key=condition.key,
                    pointer=condition.pointer,
                )


@check(
    "trust-dead-condition",
    title="Condition no real request can satisfy",
    severity=Severity.LOW,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    remediation=(
        "Fix or remove the value: `*` is literal under StringEquals (use StringLike), the "
        "claim may not be exposed by AWS, or the repository now mints immutable subjects "
        "(`repo:OWNER@ID/REPO@ID:…`)."
    ),
)
@_per_role
def trust_dead_condition(role: Role, ctx: CheckContext) -> Iterator[Problem]:
    """A statement or value of the trust policy can never match a real request.

    Examples: a wildcard under ``StringEquals`` (literal), a ``sub`` no token of the
    provider has, a claim STS does not expose, or a classic GitHub ``sub`` for a repository
    the same policy shows minting immutable subjects. The role silently does not work as
    written, and readers (and simpler tools) misread it. A malformed trust policy is
    reported here too, with the JSON pointer of the error.
    """
    analysis = trust_analysis(role, ctx)
    if isinstance(analysis, PolicyError):
        yield Problem(
            resource=role.arn,
            message=f"{role.name}: the trust policy cannot be analysed: {analysis.message}",
            evidence=MappingProxyType({"error": analysis.message, "pointer": analysis.pointer}),
            severity=Severity.MEDIUM,
        )
        return
    yield from _dead_values(role, analysis)
    for path in analysis.paths:
        if path.principal_class is PrincipalClass.DELETED_PRINCIPAL:
            continue
        real = realism(path)
        for index in path.statements:
            if path.solve_statement(index, real) is None:
                statement = analysis.policy.statements[index]
                yield _problem(
                    role,
                    path,
                    f"{statement.label} admits no real request from {path.principal}",
                    None,
                    Severity.MEDIUM,
                    pointer=statement.pointer,
                )


def _dead_values(role: Role, analysis: TrustAnalysis) -> Iterator[Problem]:
    for path in analysis.of_class(PrincipalClass.OIDC):
        grammar = path.grammar
        sub = path.key("sub")
        immutable = set()
        if grammar is not None and grammar.immutable_repo_pattern:
            import re

            for value in path.policy_values(sub):
                match = re.match(grammar.immutable_repo_pattern, value)
                if match:
                    immutable.add((match["tenant"], match["repo"]))
        for index in path.statements:
            for condition in analysis.policy.statements[index].conditions:
                if condition.operator.base.family is not Family.STRING:
                    continue
                for value in condition.values:
                    reason = _dead_reason(
                        condition.operator.base.comparison.value,
                        condition.key_lower,
                        value,
                        sub,
                        grammar,
                        immutable,
                    )
                    if reason:
                        yield _problem(
                            role,
                            path,
                            f"{condition.key} value {value!r} {reason}",
                            None,
                            key=condition.key,
                            pointer=condition.pointer,
                        )


def _dead_reason(
    comparison: str,
    key: str,
    value: str,
    sub: str,
    grammar: Any,
    immutable: set[tuple[str, str]],
) -> str | None:
    import re

    if comparison != "like" and ("*" in value or "?" in value):
        return "holds a wildcard, which is literal under this operator"
    if key != sub or grammar is None:
        return None
    language = Language.wildcard(value) if comparison == "like" else Language.literal(value)
    if (language & grammar.well_formed_language()).is_empty():
        return "matches no subject the provider mints"
    if grammar.classic_repo_pattern:
        match = re.match(grammar.classic_repo_pattern, value)
        if match and (match["tenant"], match["repo"]) in immutable:
            return (
                "uses the classic subject format, but the same repository mints immutable "
                "subjects (repo:OWNER@ID/REPO@ID:…)"
            )
    return None


# ----- one role, outside a scan (keyless trust) ---------------------------------------------------


def assess_role(
    role: Role, inventory: Any = None, *, now: Any = None
) -> tuple[TrustAnalysis | PolicyError, tuple[Problem, ...], tuple[str, ...]]:
    """The role's analysis, its trust findings and their check IDs (parallel tuples).

    ``inventory`` gives the context (organisation accounts, trust anchors); without one the
    role is assessed alone.
    """
    from datetime import UTC, datetime

    from keyless.checks.registry import all_checks
    from keyless.config import Thresholds
    from keyless.model import Account, Inventory
    from keyless.model.inventory import AVAILABLE

    if inventory is None:
        alone = Account(id=role.account_id, roles=(role,), sources=dict.fromkeys(Source, AVAILABLE))
        inventory = Inventory(accounts=(alone,), source="policy")
    account: Account | None = next((a for a in inventory.accounts if a.id == role.account_id), None)
    ctx = CheckContext(inventory, Thresholds(), now or datetime.now(UTC), account)
    problems: list[Problem] = []
    ids: list[str] = []
    for chk in all_checks():
        if chk.theme != "trust":
            continue
        for problem in chk.run(role, ctx):
            problems.append(problem)
            ids.append(chk.id)
    return trust_analysis(role, ctx), tuple(problems), tuple(ids)
