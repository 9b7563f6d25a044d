"""Shared plumbing of the trust checks: one memoised analysis per role, run once for all
of them, and the helpers that turn an access path into a Problem."""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

from keyless.checks.registry import CheckContext
from keyless.errors import PolicyError
from keyless.findings import Problem, Severity
from keyless.model import Dataset, Role
from keyless.model.arn import parse_arn
from keyless.patterns.language import Language
from keyless.trust.paths import (
    AccessPath,
    PrincipalClass,
    TrustAnalysis,
    analyse,
    canonical_text,
)
from keyless.trust.witness import OUTSIDER_ACCOUNT

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
