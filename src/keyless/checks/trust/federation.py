"""Trust checks on Roles Anywhere, EKS, Cognito, Google, SAML and session tags."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from keyless.checks.registry import CheckContext, Scope, check
from keyless.checks.trust._common import (
    _AWS,
    _AWS_SIGNIN,
    _POD_TAG_VALUES,
    _POD_TAGS,
    _REQUIRES,
    TRUST_ANALYSIS,
    RoleTrust,
    _paths,
    _problem,
    service_name,
    through,
)
from keyless.errors import PolicyError
from keyless.findings import Problem, Severity
from keyless.model import Role
from keyless.patterns.language import Language
from keyless.trust.formula import absent, all_of, any_of, present, with_question
from keyless.trust.paths import AccessPath, PrincipalClass
from keyless.trust.witness import find

# ----- Roles Anywhere, EKS, Cognito, Google, SAML ------------------------------------------------


@check(
    "trust-roles-anywhere-unpinned",
    title="Roles Anywhere trust without a trust-anchor pin",
    severity=Severity.HIGH,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    prepared=TRUST_ANALYSIS,
    remediation=(
        'Add `"ArnEquals": {"aws:SourceArn": "<trust anchor ARN>"}` and pin the certificate '
        "subject with `aws:PrincipalTag/x509Subject/CN`."
    ),
)
def trust_roles_anywhere_unpinned(
    role: Role, ctx: CheckContext, analysis: RoleTrust
) -> Iterator[Problem]:
    """Any certificate from any trust anchor of the account can get the role's credentials.

    Without an ``aws:SourceArn`` condition, every trust anchor (and every certificate it
    accepts) that a profile listing the role can use is trusted.
    https://docs.aws.amazon.com/rolesanywhere/latest/userguide/trust-model.html
    """
    for path in _paths(role, analysis, PrincipalClass.ROLES_ANYWHERE):
        named = Language.finite(path.policy_values("aws:sourcearn"))
        witness = find(path, all_of("aws:sourcearn", ~named))
        if witness is None:
            continue
        pinned = any(k.startswith("aws:principaltag/x509") for k in path.mentioned_keys())
        # A pattern over the account's own anchors (`…:111122223333:trust-anchor/*`) admits
        # every anchor of it, whoever created them: said so.
        own = role.account_id if path.policy_values("aws:sourcearn") else None
        anchor = str(witness.get("trust_anchor", "")) if own else ""
        where = f" of account {own}" if own and f":{own}:" in anchor else ""
        yield _problem(
            role,
            path,
            f"a certificate from any trust anchor{where} can assume it",
            witness,
            Severity.MEDIUM if pinned else None,
        )


@check(
    "trust-eks-unpinned",
    title="EKS trust not pinned to one service account",
    severity=Severity.HIGH,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    prepared=TRUST_ANALYSIS,
    remediation=(
        "Pin the exact service account: `StringEquals <issuer>:sub "
        "system:serviceaccount:<namespace>:<name>` (IRSA), or `aws:RequestTag/"
        "kubernetes-namespace` and `…/kubernetes-service-account` (Pod Identity)."
    ),
)
def trust_eks_unpinned(role: Role, ctx: CheckContext, analysis: RoleTrust) -> Iterator[Problem]:
    """Any pod of a cluster or namespace can assume the role.

    IRSA without an exact ``sub`` trusts every service account (``system:serviceaccount:ns:*``
    every one in the namespace); Pod Identity without the namespace and service-account
    tags pinned trusts other associations in the account (low: see :func:`_pod_identity`).
    The finding names the service accounts the policy admits (``namespace:name``). A pattern
    that pins the namespace and the start of the name (``kube-system:efs-csi-*``, as AWS's
    add-on guides write it) is a medium: only someone who may create service accounts in
    that namespace can use it.
    https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
    """
    clusters = [
        path
        for path in _paths(role, analysis, PrincipalClass.OIDC)
        if path.grammar is not None and path.grammar.provider == "Amazon EKS (IRSA)"
    ]
    for path in clusters:
        grammar = path.grammar
        assert grammar is not None
        sub = path.key("sub")
        values = sorted(path.policy_values(sub))
        exact = Language.finite(v for v in values if "*" not in v and "?" not in v)
        target = grammar.well_formed_language() - exact
        namespaces = sorted(r for _, r in grammar.repos_in(values))
        # A pattern's own shape first (`efs-csi-*` → `efs-csi-attacker`): Kubernetes names
        # end in a letter or digit, so the shortest member would not be a real account.
        filled = tuple(
            Language.literal(v.replace("*", "attacker").replace("?", "x"))
            for v in values
            if "*" in v or "?" in v
        )
        nice = grammar.nice("", namespaces[0] if namespaces else "default")
        witness = find(
            path,
            with_question(any_of(sub, target), all_of(sub, target)),
            {sub: (*filled, *nice)},
        )
        if witness is not None:
            severity = Severity.MEDIUM if _is_name_prefix(values) else None
            scope = _eks_scope(values, witness) + through(path, clusters)
            yield _problem(role, path, scope, witness, severity)
    for path in _paths(role, analysis, PrincipalClass.SERVICE):
        if service_name(path.principal) == "pods.eks.amazonaws.com":
            yield from _pod_identity(role, path)


def _pod_identity(role: Role, path: AccessPath) -> Iterator[Problem]:
    """Pod Identity: EKS tags every session with the pod's namespace and service account
    (and cluster); a trust policy that does not pin both admits every association another
    service account could be given. Low: an association is made in the role's own account
    by someone allowed ``eks:CreatePodIdentityAssociation`` and ``iam:PassRole`` on the role
    (AWS documents the bare policy as the default), so the tags are the defence in depth
    that keeps a mistaken association from working.
    https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html
    https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html"""
    tagged = [present(key) for key in _POD_TAGS]
    open_keys = []
    for key in _POD_TAGS:
        named = Language.finite(v for v in path.policy_values(key) if "*" not in v and "?" not in v)
        witness = find(path, with_question(*tagged, any_of(key, ~named)), _POD_TAG_VALUES)
        if witness is not None:
            open_keys.append((key, witness))
    if not open_keys:
        return
    keys = [key for key, _ in open_keys]
    mentioned = path.mentioned_keys()
    clusters = any(k in mentioned for k in _CLUSTER_KEYS)
    where = "of the clusters it names" if clusters else "in the account"
    if len(keys) == len(_POD_TAGS):
        what = f"any EKS Pod Identity association {where} can use it"
    elif keys[0].endswith("kubernetes-service-account"):
        what = f"any service account of the namespaces it names ({where}) can use it"
    else:
        what = f"the service accounts it names, in any namespace ({where}), can use it"
    yield _problem(
        role,
        path,
        f"{what}, through an association anyone allowed iam:PassRole on it may create",
        open_keys[0][1],
        Severity.LOW,
    )


#: Keys that tie a Pod Identity session to a cluster (the session tags EKS sets, and the
#: cluster as the source of the request).
_CLUSTER_KEYS = frozenset(
    {"aws:requesttag/eks-cluster-arn", "aws:requesttag/eks-cluster-name", "aws:sourcearn"}
)


_SERVICE_ACCOUNT = "system:serviceaccount:"
_NAME_PREFIX = re.compile(r"system:serviceaccount:[a-z0-9][a-z0-9.-]*:[a-z0-9][a-z0-9.-]*\*")


def _is_name_prefix(values: list[str]) -> bool:
    """Every pattern pins a namespace and the start of a name (`kube-system:efs-csi-*`, as
    AWS's own add-on guides write it): only someone who may create service accounts in that
    namespace can widen it, so it is a medium, not a high."""
    loose = [v for v in values if "*" in v or "?" in v]
    return bool(loose) and all(_NAME_PREFIX.fullmatch(v) is not None for v in loose)


def _eks_scope(values: list[str], witness: Mapping[str, Any]) -> str:
    """Which service accounts can assume the role, by ``namespace:name`` as the policy
    writes them, and the one the witness uses."""
    claims = witness.get("claims")
    example = claims.get("sub") if isinstance(claims, Mapping) else None
    such = (
        f", such as {example.removeprefix(_SERVICE_ACCOUNT)}"
        if isinstance(example, str) and example.startswith(_SERVICE_ACCOUNT)
        else ""
    )
    loose = [v for v in values if "*" in v or "?" in v]
    if not values or any(
        not v.startswith(_SERVICE_ACCOUNT) or v.removeprefix(_SERVICE_ACCOUNT)[:1] in ("*", "?")
        for v in loose
    ):
        return f"any service account of the cluster can assume it{such}"
    shown = [v.removeprefix(_SERVICE_ACCOUNT) for v in loose]
    namespaces = [v.removesuffix(":*") for v in shown if v.endswith(":*") and v.count(":") == 1]
    if len(namespaces) == len(shown) and all("*" not in n and "?" not in n for n in namespaces):
        noun = "namespace" if len(namespaces) == 1 else "namespaces"
        return f"any service account of {noun} {', '.join(namespaces)} can assume it{such}"
    patterns = ", ".join(shown)
    return f"any service account matching {patterns} can assume it{such}"


@check(
    "trust-cognito-unauthenticated",
    title="Cognito role open to guests or any identity pool",
    severity=Severity.CRITICAL,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    prepared=TRUST_ANALYSIS,
    remediation=(
        "Pin the identity pool with `StringEquals cognito-identity.amazonaws.com:aud` and "
        'require `"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": '
        '"authenticated"}`.'
    ),
)
def trust_cognito_unauthenticated(
    role: Role, ctx: CheckContext, analysis: RoleTrust
) -> Iterator[Problem]:
    """Anyone on the internet can get a Cognito token this role accepts.

    Without an ``aud`` pin any identity pool (anyone can create one) is trusted; without
    ``amr`` = ``authenticated``, a guest identity of a pool with guest access can assume the
    role through the basic flow. A role whose ``amr`` values all name ``unauthenticated``
    is a pool's guest role by design (what guests may do is its permissions, not its
    trust): its trust is reported only when it admits any identity pool. One whose values
    name ``authenticated`` beside it admits guests and signed-in identities alike, as a
    role without the pin does: it is reported.
    https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html
    """
    for path in _paths(role, analysis, PrincipalClass.OIDC):
        if path.issuer != "cognito-identity.amazonaws.com":
            continue
        aud, amr = path.key("aud"), path.key("amr")
        pools = Language.finite(path.policy_values(aud))
        witness = find(path, all_of(aud, ~pools))
        if witness is not None:
            yield _problem(role, path, "a token of any identity pool can assume it", witness)
            continue
        amr_values = path.policy_values(amr)
        if amr_values and all("unauthenticated" in v for v in amr_values):
            continue  # the role is meant for guests, and only for them
        guest = Language.literal("unauthenticated")
        witness = find(path, with_question(any_of(amr, guest), all_of(amr, guest)))
        if witness is not None:
            yield _problem(role, path, "a guest (unauthenticated) identity can assume it", witness)


@check(
    "trust-google-oaud-only",
    title="Google trust pinned only on oaud",
    severity=Severity.HIGH,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    prepared=TRUST_ANALYSIS,
    remediation=(
        "Pin `accounts.google.com:sub` (the service account's numeric ID), "
        "`accounts.google.com:aud` (its azp) or `accounts.google.com:google/organization_number`."
    ),
)
def trust_google_oaud_only(role: Role, ctx: CheckContext, analysis: RoleTrust) -> Iterator[Problem]:
    """The role trusts Google tokens by ``oaud`` alone, which the caller chooses.

    ``accounts.google.com:oaud`` is the token's raw ``aud``; any GCP service account can mint
    an ID token for any audience.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
    """
    for path in _paths(role, analysis, PrincipalClass.OIDC):
        if path.issuer != "accounts.google.com" or path.key("oaud") not in path.mentioned_keys():
            continue
        terms = [absent(path.key("google/organization_number"))]
        for name in ("aud", "sub"):
            taken = Language.finite(path.policy_values(path.key(name)))
            terms.append(all_of(path.key(name), ~taken))
        witness = find(path, with_question(*terms))
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
    prepared=TRUST_ANALYSIS,
    remediation=(
        'Add `"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}` (or the '
        "regional sign-in endpoint you use)."
    ),
)
def trust_saml_no_audience(role: Role, ctx: CheckContext, analysis: RoleTrust) -> Iterator[Problem]:
    """The role accepts SAML assertions addressed to a recipient other than AWS sign-in.

    ``SAML:aud`` pins the assertion's recipient; without it an assertion the IdP issued for
    another relying party is accepted.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml.html
    """
    providers = _paths(role, analysis, PrincipalClass.SAML)
    for path in providers:
        witness = find(
            path,
            all_of("saml:aud", ~_AWS_SIGNIN),
            # Another relying party's URL; under a pattern (`https://*.signin.aws.amazon.com/
            # saml`, whose * spans `/`) one on the attacker's host, never an empty host.
            {
                "saml:aud": (
                    Language.literal("https://attacker.example/saml"),
                    Language.wildcard("https://attacker.example/*"),
                    Language.wildcard("https://?*/?*"),
                )
            },
        )
        if witness is not None:
            message = "accepts SAML assertions for another recipient" + through(path, providers)
            yield _problem(role, path, message, witness)


@check(
    "trust-tag-forgeable",
    title="Tag condition a caller can forge",
    severity=Severity.HIGH,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    prepared=TRUST_ANALYSIS,
    remediation=(
        "Allow `sts:TagSession` only to the service that sets the tags (pods.eks.amazonaws.com, "
        "rolesanywhere.amazonaws.com), or reserve the tag keys with a resource control policy."
    ),
)
def trust_tag_forgeable(role: Role, ctx: CheckContext, analysis: RoleTrust) -> Iterator[Problem]:
    """A tag condition trusts ``aws:RequestTag`` values a caller can set itself.

    Session tags are supplied by whoever calls STS with ``sts:TagSession``; a condition on
    them proves nothing when a principal other than the tagging service may pass tags.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html
    """
    if isinstance(analysis, PolicyError):
        return
    tagged = {
        key: path
        for path in analysis.paths
        for key in path.mentioned_keys()
        if key.startswith("aws:requesttag/")
    }
    for path in _paths(role, analysis, *_AWS):
        for key, source in sorted(tagged.items()):
            solution = source.solve(present(key))
            if solution is None:
                continue
            wanted = solution.constraint(key).single_value_language()
            witness = find(path, with_question(any_of(key, wanted), all_of(key, wanted)))
            if witness is not None:
                yield _problem(
                    role, path, f"{path.principal} can set {key} itself", witness, tag=key
                )
                break
