"""Trust checks on OIDC federation from CI/CD and other shared issuers."""

from __future__ import annotations

from collections.abc import Iterator

from keyless.checks.registry import CheckContext, Scope, check
from keyless.checks.trust._audiences import (
    preferring_accepted,
    provider_audiences,
    vendor_audience,
)
from keyless.checks.trust._common import (
    _REQUIRES,
    TRUST_ANALYSIS,
    RoleTrust,
    _paths,
    _problem,
)
from keyless.checks.trust._workflows import pinned_workflows, workflow_words
from keyless.findings import Problem, Severity
from keyless.idp.providers import OTHER_SHARED
from keyless.model import Role
from keyless.patterns.language import Language
from keyless.trust.formula import all_of, present, with_question
from keyless.trust.paths import PrincipalClass
from keyless.trust.questions import (
    issuer_tenant,
    other_repository,
    other_tenant,
)
from keyless.trust.witness import find

# ----- OIDC ---------------------------------------------------------------------------------------


@check(
    "trust-oidc-any-tenant",
    title="OIDC trust open to every tenant of a shared issuer",
    severity=Severity.CRITICAL,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    prepared=TRUST_ANALYSIS,
    remediation=(
        "Pin the tenant: an exact `sub` (e.g. `repo:<owner>/<repo>:ref:refs/heads/main`) or the "
        "provider's ID claim (`repository_owner_id`, `project_id`, `organization_id`), with "
        "StringEquals, in every statement and every value."
    ),
)
def trust_oidc_any_tenant(role: Role, ctx: CheckContext, analysis: RoleTrust) -> Iterator[Problem]:
    """A token from another tenant of a shared issuer (GitHub, GitLab, Terraform Cloud, ...)
    can assume the role.

    One issuer serves every customer of the SaaS, so only the claims pin the tenant; values
    are ORed, so one loose value anywhere in a list (``["repo:o/r:…", "*"]``) opens the role
    to everybody. https://securitylabs.datadoghq.com/articles/exploring-github-to-aws-keyless-authentication-flaws/

    An issuer AWS's samples call shared whose ``sub`` grammar keyless does not know
    (``scalr.io``, ``oidc.codefresh.io``, ...) is named by its host: there a ``sub`` the
    policy pins with no literal text (``*``, ``?*``, a list holding ``*``, or
    ``StringNotLike`` alone) admits any tenant's token; a pattern with text in it is left
    alone, since where the tenant stands in such a ``sub`` is unknown.

    A GitHub pin of the reusable workflow alone (``job_workflow_ref``, as the claim or in a
    custom ``sub``) pins no tenant: the token's repository is the caller's, and a workflow
    in a public repository may be called from any repository (an internal one's from any
    of the enterprise's). High, not critical, when the workflow is pinned exactly at a ref
    (only its code runs, with the caller's inputs and checkout); the witness names the
    caller's repository. https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-with-reusable-workflows
    https://docs.github.com/en/actions/how-tos/reuse-automations/reuse-workflows#access-to-reusable-workflows
    """
    for path in _paths(role, analysis, PrincipalClass.OIDC):
        asked = other_tenant(path)
        if asked is None:
            continue
        question, prefer = asked
        witness = find(path, question, preferring_accepted(path, ctx, prefer))
        if witness is None:
            continue
        # An issuer known only as shared is named by its host (`any scalr.io tenant`).
        known = path.provider is not None and path.provider is not OTHER_SHARED
        name = path.provider.name if known and path.provider else path.issuer
        workflows = pinned_workflows(path)
        if not workflows:
            yield _problem(role, path, f"any {name} tenant can assume it", witness)
            continue
        # The caller's repository, which the token's `repository` claim names (and a
        # subject that shows one, the same).
        repository, sub = path.key("repository"), path.key("sub")
        callers = {
            **prefer,
            repository: (Language.literal(_CALLER),),
            sub: (Language.wildcard(f"repo:{_CALLER}:*"), *prefer.get(sub, ())),
        }
        caller = find(
            path,
            with_question(question, present(repository)),
            preferring_accepted(path, ctx, callers),
        )
        yield _problem(
            role,
            path,
            f"any {name} tenant can assume it through {workflow_words(workflows)}, if its "
            "repository is public (any repository may call a public reusable workflow, any "
            "of the enterprise's an internal one; the token names the caller's repository)",
            caller or witness,
            Severity.HIGH,
            workflows=list(workflows),
        )


@check(
    "trust-oidc-broad-subject",
    title="OIDC trust open to other repositories of the same owner",
    severity=Severity.HIGH,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    prepared=TRUST_ANALYSIS,
    remediation=(
        "Enumerate the exact subjects (`repo:<owner>/<repo>:ref:refs/heads/main`, "
        "`project_path:<group>/<project>:ref_type:branch:ref:main`) instead of a wildcard "
        "over the owner's (organization's, group's, workspace's) repositories."
    ),
)
def trust_oidc_broad_subject(
    role: Role, ctx: CheckContext, analysis: RoleTrust
) -> Iterator[Problem]:
    """Another repository of the trusted owner can assume the role, including repositories
    created later: in each provider's own words, another repository of the GitHub owner,
    project of the GitLab group, project of the CircleCI or HCP Terraform organization,
    pipeline of the Buildkite organization, repository of the Bitbucket workspace.

    Low when a GitHub policy also pins ``job_workflow_ref`` to exact reusable workflows at
    a ref (the claim, or a custom ``sub`` that includes it, ``job_workflow_ref:OWNER/REPO/
    PATH@REF``): only that reviewed workflow runs with the role, whichever repository
    calls it.

    CircleCI and Bitbucket Pipelines give each organisation (workspace) an issuer of its own,
    so no stranger's token is accepted; but ``sub`` ``*`` or ``org/ORG/project/*`` lets every
    project (repository) of that organisation assume the role: reported at this severity,
    the message naming the organisation the issuer serves. A project (repository,
    deployment environment) is one the policy names when its UUID appears in a ``sub``
    value. https://circleci.com/docs/openid-connect-tokens/
    https://support.atlassian.com/bitbucket-cloud/docs/integrate-pipelines-with-resource-servers-using-oidc/

    Not reported when the same path is already open to every tenant (``trust-oidc-any-tenant``).
    https://docs.github.com/en/actions/reference/security/oidc
    """
    for path in _paths(role, analysis, PrincipalClass.OIDC):
        grammar = path.grammar
        if grammar is None or grammar.provider == "Amazon EKS (IRSA)":
            continue
        tenant = other_tenant(path)
        if tenant is not None and path.admits(tenant[0]):
            continue
        asked = other_repository(path)
        if asked is None:
            continue
        question, prefer = asked
        witness = find(path, question, preferring_accepted(path, ctx, prefer))
        if witness is not None:
            message = f"another {grammar.repo_word} of the {grammar.tenant_word} can assume it"
            own = issuer_tenant(path)
            if own is not None:
                # An issuer of one tenant: the same organisation's projects, never a
                # stranger's (that would be trust-oidc-any-tenant, critical).
                message = (
                    f"another {grammar.repo_word} of the {grammar.tenant_word} can assume it "
                    f"(a {grammar.repo_word} of {grammar.provider} {grammar.tenant_word} {own} "
                    f"only: the issuer serves no other {grammar.tenant_word})"
                )
            workflows = pinned_workflows(path)
            if workflows:
                yield _problem(
                    role,
                    path,
                    f"{message}, only through {workflow_words(workflows)}",
                    witness,
                    Severity.LOW,
                    workflows=list(workflows),
                )
                continue
            yield _problem(role, path, message, witness)


#: The repository of a stranger calling a reusable workflow, in witnesses.
_CALLER = "attacker/anything"


@check(
    "trust-oidc-missing-audience",
    title="OIDC trust without an audience condition",
    severity=Severity.LOW,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    prepared=TRUST_ANALYSIS,
    remediation=(
        'Add `"StringEquals": {"<issuer>:aud": "<the audience this role\'s callers use>"}` '
        "(`sts.amazonaws.com` for GitHub Actions), or keep the provider's audience list to that "
        "one audience."
    ),
)
def trust_oidc_missing_audience(
    role: Role, ctx: CheckContext, analysis: RoleTrust
) -> Iterator[Problem]:
    """The role accepts tokens minted for any audience its OIDC provider lists.

    STS accepts a token only when its ``aud`` is one of the client IDs (audiences) of the
    IAM OIDC provider the role trusts; a trust policy without ``aud`` accepts every one of
    them. Where keyless read the provider (``oidc-providers.json``, live
    ``GetOpenIDConnectProvider``), a provider of one audience is no finding (the role accepts
    exactly what an ``aud`` pin to it would: ``sts.amazonaws.com`` for GitHub Actions); a
    provider of several is reported, its audiences named, and the witness carries one of
    them, not the vendor's default where another is listed: a token minted for that other
    relying party opens the role. Where the list is unknown (providers not read, a policy
    judged alone), the finding says so; its witness's audience is then only an example.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html
    https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html

    Not reported for an issuer of one tenant whose vendor documents a fixed audience and
    a trust policy without ``aud`` (``Provider.audience_fixed_by``: CircleCI's
    ``oidc.circleci.com/org/ID``). EKS (IRSA) and Bitbucket issuers are one tenant's too,
    but AWS's and Atlassian's guides pin ``aud``, so they still are (unless their provider
    lists one audience).
    """
    for path in _paths(role, analysis, PrincipalClass.OIDC):
        provider = path.provider
        if (
            provider is None
            or not provider.generic_keys
            or provider.name.startswith("Amazon Cognito")
            or provider.audience_fixed_by
        ):
            continue
        aud = path.key("aud")
        if aud in path.mentioned_keys():
            continue
        known = provider_audiences(path.principal, ctx)
        if known.audiences is None:
            witness = find(path, present(aud), {aud: (Language.literal(_EXAMPLE_AUDIENCE),)})
            if witness is not None:
                yield _problem(
                    role,
                    path,
                    "accepts tokens for any audience its OIDC provider lists (that list is "
                    f"unknown: {known.unknown})",
                    witness,
                    audiences=None,
                    audiences_unknown=known.unknown,
                )
            continue
        if len(known.audiences) < 2:
            continue
        default = vendor_audience(path)
        # Another relying party's audience first: the token the condition would refuse.
        ordered = sorted(known.audiences, key=lambda a: (a == default, a))
        witness = find(
            path,
            all_of(aud, Language.finite(known.audiences)),
            {aud: tuple(Language.literal(a) for a in ordered)},
        )
        if witness is not None:
            yield _problem(
                role,
                path,
                f"accepts tokens for any of the {len(known.audiences)} audiences its OIDC "
                f"provider lists ({_listed(known.audiences)})",
                witness,
                audiences=list(known.audiences),
            )


def _listed(audiences: tuple[str, ...], shown: int = 5) -> str:
    """The first ``shown`` audiences, and how many more (IAM allows 100 on a provider)."""
    more = len(audiences) - shown
    return ", ".join(audiences[:shown]) + (f" and {more} more" if more > 0 else "")


#: A witness's audience where the provider's list is unknown (never claimed to be listed).
_EXAMPLE_AUDIENCE = "https://attacker.example"
