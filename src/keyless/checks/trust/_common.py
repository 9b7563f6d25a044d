"""Shared plumbing of the trust checks: one memoised analysis per role, run once for all
of them, and the helpers that turn an access path into a Problem."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from keyless.checks.registry import CheckContext, Preparation
from keyless.errors import PolicyError, quoted
from keyless.findings import Problem, Severity
from keyless.model import Dataset, Role
from keyless.model.arn import parse_arn, partition_or_aws
from keyless.patterns.language import Language
from keyless.policy.limits import PolicyTooLarge
from keyless.trust.analysis import analyse, canonical_text
from keyless.trust.paths import AccessPath, PrincipalClass, TrustAnalysis
from keyless.trust.questions import outside_organizations
from keyless.trust.witness import OUTSIDER_ACCOUNT, OmittedWitness

_REQUIRES = (Dataset.AUTHORIZATION_DETAILS,)
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

_REGIONAL_SERVICE = re.compile(
    r"(?P<service>[a-z0-9.-]+?)\.(?:[a-z]{2}(?:-[a-z]+)+-[0-9]+\.)?amazonaws\.com(?:\.cn)?"
)


def service_name(principal: str) -> str:
    """A service principal as the service's global name: ``states.ap-east-1.amazonaws.com``
    (an opt-in Region's spelling) and ``elasticmapreduce.amazonaws.com.cn`` (the China
    Regions') are ``states.amazonaws.com`` and ``elasticmapreduce.amazonaws.com``, the same
    service. Anything else is returned lower-cased as it is.
    https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_iam.ServicePrincipalOpts.html
    https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/service_principal
    """
    lowered = principal.lower()
    match = _REGIONAL_SERVICE.fullmatch(lowered)
    return f"{match['service']}.amazonaws.com" if match else lowered


def exempt_from_source_conditions(principal: str) -> bool:
    """Services that send no source keys or have their own check (see above)."""
    service = service_name(principal)
    return service in NO_SOURCE_CONDITION_SERVICES or service in _OWN_CHECK_SERVICES


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

# Characters no host label of a Region's endpoint holds and no SAML provider's identifier
# holds (`?` written `${?}`, a wildcard's literal question mark).
_NOT_IN_NAME = ("/", "${?}", "#", "@", ":", "\\", " ")


def _aws_saml_endpoints(tail: str) -> Language:
    """AWS's SAML sign-in endpoints, each followed by ``tail`` (a wildcard): the global one,
    a Region's (`https://us-east-1.signin.aws.amazon.com/saml`: a host name, so no `/`,
    `?`, `#`, `@` or `:` before `.signin`; `https://attacker.example/.signin.aws.amazon.com/
    saml` is not AWS's) and the other partitions'."""
    regional = Language.wildcard(f"https://?*.signin.aws.amazon.com/saml{tail}")
    for char in _NOT_IN_NAME:
        regional -= Language.wildcard(f"https://*{char}*.signin.aws.amazon.com/saml{tail}")
    return Language.union_all(
        (
            Language.wildcard(f"https://signin.aws.amazon.com/saml{tail}"),
            regional,
            Language.wildcard(f"https://signin.amazonaws-us-gov.com/saml{tail}"),
            Language.wildcard(f"https://signin.amazonaws.cn/saml{tail}"),
        )
    )


def _aws_saml_provider_endpoints() -> Language:
    """The endpoints followed by `/acs/` and one provider identifier."""
    endpoints = _aws_saml_endpoints("/acs/?*")
    for char in _NOT_IN_NAME:
        endpoints -= Language.wildcard(f"*/acs/*{char}*")
    return endpoints


# Those endpoints, and each with a SAML provider's own identifier, one path segment after
# `/acs/` (`https://signin.aws.amazon.com/saml/acs/SAMLSP…`): the sign-in URL of a
# provider that requires encrypted assertions, so their Recipient, which SAML:aud holds.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html
_AWS_SIGNIN = _aws_saml_endpoints("") | _aws_saml_provider_endpoints()


# ----- shared plumbing ---------------------------------------------------------------------------

#: What every trust check reads: the role's access paths, or the error that made its trust
#: policy unreadable (``trust-dead-condition`` reports it; the other checks skip the role).
RoleTrust = TrustAnalysis | PolicyError


def analyse_role(role: Role, ctx: CheckContext) -> RoleTrust:
    """The access paths of ``role``'s trust policy, or the error that stopped the analysis.

    Analyses are not memoised here: the engine prepares one per distinct trust policy
    (:data:`TRUST_ANALYSIS`'s key) and lets it go once every role sharing it is checked.
    """
    try:
        return analyse(role.trust_policy, memoise=False, partition=partition_or_aws(role.arn))
    except PolicyError as error:
        return error


def _policy_key(role: Role) -> tuple[str, str]:
    # The analysis is the policy's in the role's partition (its witnesses name principals
    # of that partition).
    return partition_or_aws(role.arn), canonical_text(role.trust_policy)


def _unjudged(role: Role, analysis: RoleTrust) -> str | None:
    # A policy beyond keyless.policy.limits was never analysed: its roles are not evaluated
    # (exit 3 unless --allow-partial), never clean and never a finding about its content.
    if isinstance(analysis, PolicyTooLarge):
        return (
            f"role {role.name}: trust policy not analysed, {analysis.size:,} {analysis.unit} "
            f"(keyless's limit: {analysis.limit:,})"
        )
    return None


def _share(role: Role) -> tuple[str, bool]:
    # What a trust check reads of a role besides its trust policy, its ARN and its name:
    # the account it is in (who is "another account") and whether AWS manages it.
    return role.account_id, role.is_service_linked


def _restamp(problem: Problem, judged: Role, role: Role) -> Problem | None:
    """``judged``'s problem as ``role``'s: the trust checks name a role only as the
    problem's resource (its ARN) and the ``name:`` that opens the message (_problem)."""
    opening = f"{judged.name}: "
    if problem.resource != judged.arn or not problem.message.startswith(opening):
        return None
    return replace(
        problem, resource=role.arn, message=f"{role.name}: {problem.message[len(opening) :]}"
    )


#: The trust checks' shared per-role work: roles with the same trust policy (most roles of a
#: large account share a handful) are analysed once, and only when a trust check is selected;
#: the checks run on one role per account (and kind) of such a group, and their problems are
#: restamped with each other role's ARN and name.
TRUST_ANALYSIS = Preparation(
    name="trust-analysis",
    prepare=analyse_role,
    key=_policy_key,
    unjudged=_unjudged,
    share=_share,
    restamp=_restamp,
)


def _paths(role: Role, analysis: RoleTrust, *classes: PrincipalClass) -> tuple[AccessPath, ...]:
    """The role's paths of ``classes`` (all when none) that can admit anyone: a statement
    naming another account's OIDC provider, or a principal of another partition, admits
    nobody (trust-dead-condition says so)."""
    if isinstance(analysis, PolicyError):
        return ()
    found = analysis.of_class(*classes) if classes else analysis.paths
    return tuple(path for path in found if unreachable(role, path) is None)


def other_half(analysis: TrustAnalysis, path: AccessPath) -> AccessPath | None:
    """The other half of ``"Principal": "*"``: the any-service path of the ``anyone`` path
    and the reverse (None for other paths, or when the policy has no service half). The
    two read the same statements for different callers (IAM principals, AWS services)."""
    if path.principal_class is PrincipalClass.ANYONE:
        return next((p for p in analysis.paths if p.any_service), None)
    if path.any_service:
        return next(iter(analysis.of_class(PrincipalClass.ANYONE)), None)
    return None


def unreachable(role: Role, path: AccessPath) -> str | None:
    """Why ``path``'s principal can never assume ``role`` (:meth:`AccessPath.unreachable`),
    or None."""
    return path.unreachable(role.account_id)


def _evidence(path: AccessPath, **extra: Any) -> Mapping[str, Any]:
    # An unrendered template is judged as written: the evidence says which placeholders.
    template = {"placeholders": list(path.placeholders)} if path.placeholders else {}
    return MappingProxyType(
        {"principal": path.principal, "statements": list(path.statements), **template, **extra}
    )


def _problem(
    role: Role,
    path: AccessPath,
    message: str,
    witness: Mapping[str, Any] | None,
    severity: Severity | None = None,
    **extra: Any,
) -> Problem:
    if isinstance(witness, OmittedWitness):
        # The verdict is exact; only the example request was not searched to the end.
        extra["witness_omitted"] = (
            f"the search for a witness reached keyless's bound of {witness.limit:,} automaton "
            "steps for this trust policy: the finding stands, no example request is shown"
        )
        witness = None
    return Problem(
        resource=role.arn,
        message=f"{role.name}: {message}",
        evidence=_evidence(path, **extra),
        severity=severity,
        witness=witness,
    )


def through(path: AccessPath, siblings: Sequence[AccessPath]) -> str:
    """`` (through PROVIDER)`` when the role's check reports on several paths alike (two
    clusters, two SAML providers, GitHub and GitLab): otherwise their findings read the
    same. Empty for a lone path."""
    if len(siblings) < 2:
        return ""
    return f" (through {quoted(path.issuer or path.principal)})"


def _named_accounts(path: AccessPath) -> frozenset[str]:
    found = set(path.policy_values("aws:principalaccount"))
    for value in path.policy_values("aws:principalarn"):
        parsed = parse_arn(value)
        if parsed is not None and parsed.account.isascii() and parsed.account.isdigit():
            found.add(parsed.account)
    return frozenset(found)


def _org_accounts(ctx: CheckContext) -> frozenset[str]:
    return ctx.inventory.organization_account_ids


_outside_organizations = outside_organizations


def _organization(ctx: CheckContext) -> str | None:
    organization = ctx.inventory.organization
    return organization.id if organization is not None else None
