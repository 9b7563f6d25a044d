"""What keyless knows about each OIDC identity provider, as data.

For each issuer: whether it is *shared* (one issuer URL serving many tenants, tenancy in
claims) or *private*, which claim carries the tenant, and which provider-specific claims
AWS exposes as trust-policy condition keys (beyond the generic ``<prefix>:sub`` and
``<prefix>:aud``). The issuers built into STS are :data:`BUILT_IN_PROVIDERS`.

Sources:
* generic keys, Google and Cognito: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html
* provider-specific keys (2026): https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html
* shared issuers: https://github.com/aws-samples/resource-control-policy-examples
  (Limit-access-to-trusted-OIDC-identity-providers/Shared-Issuers.json)

The grammars of each provider's ``sub`` claim live in :mod:`keyless.idp.grammars`, keyed
by provider name.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import StrEnum

from keyless.policy.evaluate import BUILT_IN_WEB_IDENTITY_PROVIDERS


class KeyType(StrEnum):
    """The condition-operator family a key is meant for (Service Authorization Reference)."""

    STRING = "String"
    NUMERIC = "Numeric"
    BOOL = "Bool"


@dataclass(frozen=True, slots=True)
class ClaimKey:
    """A condition key ``<prefix>:<name>`` whose value comes from the token claim ``claim``.

    ``claim`` is a dotted path only where a provider nests it (``google.organization_number``
    may also arrive flat). ``multivalued`` keys become lists in the request context.
    """

    name: str
    claim: str
    type: KeyType = KeyType.STRING
    multivalued: bool = False


@dataclass(frozen=True, slots=True)
class Provider:
    """One OIDC identity provider (or a family of issuers served by one vendor).

    ``issuers`` are regular expressions matched (whole, case-insensitively) against the
    condition-key prefix: the ``iss`` claim without ``https://``, path included.
    ``generic_keys`` says whether AWS exposes ``<prefix>:sub`` and ``<prefix>:aud``
    straight from the token (Google maps ``aud`` differently and lists it in ``keys``).
    """

    name: str
    issuers: tuple[str, ...]
    shared: bool
    tenant_claim: str | None = "sub"
    #: Condition keys (suffixes) any one of which, pinned, names one tenant's identity,
    #: where that is more than ``sub`` (Google: ``aud`` is the token's ``azp``).
    tenant_keys: tuple[str, ...] = ()
    #: Condition keys (suffixes) that name one repository (project, pipeline) of a
    #: tenant: a token of another repository carries another value.
    repo_keys: tuple[str, ...] = ()
    keys: tuple[ClaimKey, ...] = ()
    generic_keys: bool = True
    docs: str = ""
    #: Where the vendor documents that its issuer (one per tenant) mints tokens whose
    #: audience the issuer fixes, and an AWS trust policy without an ``aud`` condition:
    #: a missing ``aud`` pin is then no finding. Empty: the vendor documents ``aud``.
    audience_fixed_by: str = ""
    #: A regular expression (group ``tenant``) that reads the one tenant an issuer of this
    #: provider serves from the condition-key prefix (CircleCI's organization ID, Bitbucket's
    #: workspace): every token of that issuer is the tenant's, so only its own projects or
    #: repositories can be "another" one. Empty: the issuer names no tenant.
    tenant_in_issuer: str = ""
    #: The ``aud`` the vendor's tokens carry by default (``{tenant}``: the issuer's tenant),
    #: shown in witnesses of a policy that does not pin it. Empty: STS's audience.
    audience: str = ""

    def matches(self, prefix: str) -> bool:
        """Whether the condition-key prefix ``prefix`` belongs to this provider."""
        return any(_compiled(pattern).fullmatch(prefix) for pattern in self.issuers)

    def default_audience(self, prefix: str) -> str:
        """``audience`` for the issuer ``prefix``: its tenant filled in, or, for an issuer
        that names none (Vercel's global mode), a stranger's ("attacker"). Empty when the
        table has none."""
        return self.audience.replace("{tenant}", self.issuer_tenant(prefix) or "attacker")

    def issuer_tenant(self, prefix: str) -> str | None:
        """The tenant the issuer ``prefix`` serves (see ``tenant_in_issuer``), if it names one."""
        if not self.tenant_in_issuer:
            return None
        match = _compiled(self.tenant_in_issuer).fullmatch(prefix)
        return match.group("tenant") if match else None


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _strings(*names: str) -> tuple[ClaimKey, ...]:
    return tuple(ClaimKey(name, name) for name in names)


_SEGMENT = r"[A-Za-z0-9-]+"

# STS Service Authorization Reference, AssumeRoleWithWebIdentity condition keys (2026).
GITHUB = Provider(
    name="GitHub Actions",
    issuers=(
        r"token\.actions\.githubusercontent\.com",
        r"token\.actions\.githubusercontent\.com/[^/:]+",
        rf"token\.actions\.{_SEGMENT}\.ghe\.com",
        r"github\.com/enterprises/[^/:]+",
    ),
    shared=True,
    keys=_strings(
        "actor",
        "actor_id",
        "enterprise_id",
        "environment",
        "job_workflow_ref",
        "ref",
        "repository",
        "repository_id",
        "repository_owner_id",
        "workflow",
    ),
    repo_keys=("repository", "repository_id"),
    docs="https://docs.github.com/en/actions/reference/security/oidc",
)
# GitHub Enterprise Server: each instance issues its own tokens, https://HOSTNAME/_services/token,
# with GitHub's claims and sub formats; one company's instance (its organizations are that
# company's, so a stranger is no tenant of it).
# https://docs.github.com/en/enterprise-server@latest/actions/reference/security/oidc
GITHUB_SERVER = Provider(
    name="GitHub Enterprise Server",
    issuers=(r"[a-z0-9.-]+(?::[0-9]+)?/_services/token",),
    shared=False,
    keys=GITHUB.keys,
    repo_keys=GITHUB.repo_keys,
    docs="https://docs.github.com/en/enterprise-server@latest/actions/reference/security/oidc",
)
# GitHub Actions' issuer during its 2021 beta: GitHub moved it to token.actions.
# githubusercontent.com in October 2021, and AWS's RCP samples still list it as a shared
# issuer. Its tokens carried GitHub's claims and subjects (repo:OWNER/REPO:…) for every
# GitHub owner, so a role trusting it is judged by GitHub's grammar (its `sub` pins the
# owner, or any owner's workflow gets in), whether or not it still mints: a policy naming
# it is not thereby clean. AWS lists none of GitHub's 2026 claim keys under its prefix.
# https://github.blog/changelog/2021-10-27-github-actions-secure-cloud-deployments-with-openid-connect/
GITHUB_2021 = Provider(
    name="GitHub Actions (2021 issuer)",
    issuers=(r"vstoken\.actions\.githubusercontent\.com",),
    shared=True,
    docs=GITHUB.docs,
)
#: The providers whose tokens are GitHub Actions' (claims, subjects, environments).
GITHUB_FAMILY = frozenset({GITHUB.name, GITHUB_SERVER.name, GITHUB_2021.name})
GITLAB = Provider(
    name="GitLab",
    issuers=(r"gitlab\.com",),
    shared=True,
    keys=_strings(
        "namespace_id",
        "pipeline_source",
        "project_id",
        "ref_protected",
        "runner_environment",
        "user_access_level",
        "user_email",
        "user_id",
        "user_login",
    ),
    repo_keys=("project_id",),
    docs="https://docs.gitlab.com/ci/secrets/id_token_authentication/",
)
# A self-managed GitLab instance is its own issuer (its URL, nothing in it says GitLab): a
# path is taken for one when every `sub` its policy names is GitLab's
# (`project_path:GROUP/PROJECT:…`). One company's instance: no stranger is a tenant of it.
# https://docs.gitlab.com/ci/cloud_services/aws/
GITLAB_SELF_MANAGED = Provider(
    name="GitLab self-managed",
    issuers=(),
    shared=False,
    repo_keys=GITLAB.repo_keys,
    docs="https://docs.gitlab.com/ci/cloud_services/aws/",
)
BUILDKITE = Provider(
    name="Buildkite",
    issuers=(
        r"agent\.buildkite\.com",
        rf"agent\.{_SEGMENT}\.buildkite\.dev",
        rf"agent\.{_SEGMENT}\.buildkite\.site",
    ),
    shared=True,
    keys=_strings(
        "build_branch",
        "cluster_id",
        "cluster_name",
        "organization_id",
        "organization_slug",
        "pipeline_id",
        "pipeline_slug",
    ),
    repo_keys=("pipeline_id", "pipeline_slug"),
    docs="https://buildkite.com/docs/pipelines/security/oidc/aws",
)
GOOGLE = Provider(
    name="Google",
    issuers=(r"accounts\.google\.com",),
    shared=True,
    # accounts.google.com:aud is the token's azp when present, else its aud; :oaud is
    # always the token's aud (attacker-chosen for GCP service-account tokens). A pinned
    # :sub (the account's ID), :aud (the service account's or OAuth client's azp) or
    # organization number names the identity: AWS's documented ways to trust Google.
    tenant_keys=("sub", "aud", "google/organization_number"),
    keys=(
        ClaimKey("aud", "azp|aud"),
        ClaimKey("oaud", "aud"),
        ClaimKey("sub", "sub"),
        ClaimKey("google/organization_number", "google.organization_number", KeyType.NUMERIC),
    ),
    generic_keys=False,
    docs="https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html",
)
COGNITO = Provider(
    name="Amazon Cognito identity pools",
    issuers=(r"cognito-identity\.amazonaws\.com",),
    shared=True,
    tenant_claim="aud",  # the identity pool ID
    keys=(ClaimKey("amr", "amr", multivalued=True),),
    docs="https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html",
)
FACEBOOK = Provider(
    name="Login with Facebook",
    issuers=(r"graph\.facebook\.com",),
    shared=True,
    tenant_claim="app_id",
    keys=(ClaimKey("app_id", "app_id"), ClaimKey("id", "id")),
    generic_keys=False,
    docs="https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html",
)
AMAZON = Provider(
    name="Login with Amazon",
    issuers=(r"www\.amazon\.com",),
    shared=True,
    tenant_claim="app_id",
    keys=(ClaimKey("app_id", "app_id"), ClaimKey("user_id", "user_id")),
    generic_keys=False,
    docs="https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html",
)
CIRCLECI = Provider(
    name="CircleCI",
    issuers=(r"oidc\.circleci\.com/org/[^/:]+",),
    shared=False,
    keys=_strings("oidc.circleci.com/project-id"),
    repo_keys=("oidc.circleci.com/project-id",),
    docs="https://circleci.com/docs/openid-connect-tokens/",
    # One issuer per organization; its tokens' audience is the organization's ID (the
    # IAM provider's client ID, which STS checks), and CircleCI's AWS trust policy pins
    # only `:sub` (org/ORG/project/PROJECT/user/*).
    audience_fixed_by="https://circleci.com/docs/openid-connect-tokens/",
    # The issuer is https://oidc.circleci.com/org/ORGANIZATION_ID and every token's sub
    # starts org/ORGANIZATION_ID/ (the IDs are UUIDs; a placeholder names no tenant).
    tenant_in_issuer=r"oidc\.circleci\.com/org/(?P<tenant>[0-9A-Fa-f-]+)",
    audience="{tenant}",
)
ORACLE = Provider(
    name="Oracle Cloud Infrastructure",
    issuers=(r"idcs-[a-z0-9]+\.identity\.oraclecloud\.com",),
    shared=False,
    keys=_strings("rpst_id"),
)
TERRAFORM = Provider(
    name="HCP Terraform",
    issuers=(r"app\.terraform\.io",),
    shared=True,
    docs="https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/aws-configuration",
    # TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE's default (the same page).
    audience="aws.workload.identity",
)
EKS = Provider(
    name="Amazon EKS (IRSA)",
    # A cluster's issuer, https://oidc.eks.REGION.amazonaws.com/id/ID; in the China
    # regions the domain is amazonaws.com.cn (oidc.eks.cn-northwest-1.amazonaws.com.cn/id/ID,
    # the endpoints' domain: https://docs.amazonaws.cn/en_us/aws/latest/userguide/endpoints-arns.html).
    issuers=(r"oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?/id/[A-Za-z0-9]+",),
    shared=False,
    docs="https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html",
)
BITBUCKET = Provider(
    name="Bitbucket Pipelines",
    issuers=(r"api\.bitbucket\.org/2\.0/workspaces/[^/]+/pipelines-config/identity/oidc",),
    shared=False,
    docs="https://support.atlassian.com/bitbucket-cloud/docs/integrate-pipelines-with-resource-servers-using-oidc/",
    # One issuer per workspace (…/workspaces/WORKSPACE/pipelines-config/identity/oidc): only
    # the workspace's own repositories mint its tokens. Their default audience is
    # ari:cloud:bitbucket::workspace/WORKSPACE_UUID (a UUID the issuer does not show; a
    # step may add audiences of its own, up to ten).
    # https://www.atlassian.com/blog/bitbucket/bitbucket-pipelines-oidc-now-supports-multiple-audiences
    tenant_in_issuer=(
        r"api\.bitbucket\.org/2\.0/workspaces/(?P<tenant>[^/:{}$*?]+)/pipelines-config/identity/oidc"
    ),
    audience="ari:cloud:bitbucket::workspace/00000000-0000-4000-8000-000000000000",
)
SEMAPHORE = Provider(
    name="Semaphore",
    # One issuer per organization, https://ORG.semaphoreci.com; its tokens' aud is that URL
    # (the IAM provider's client ID, which Semaphore's guide also pins).
    # https://docs.semaphoreci.com/using-semaphore/openid
    issuers=(rf"{_SEGMENT}\.semaphoreci\.com",),
    shared=False,
    docs="https://docs.semaphoreci.com/using-semaphore/openid",
    audience_fixed_by="https://docs.semaphoreci.com/using-semaphore/openid",
    tenant_in_issuer=rf"(?P<tenant>{_SEGMENT})\.semaphoreci\.com",
    audience="https://{tenant}.semaphoreci.com",
)
VERCEL = Provider(
    name="Vercel",
    # The team issuer mode (https://oidc.vercel.com/TEAM_SLUG, Vercel's default) serves one
    # team; the global mode (https://oidc.vercel.com) every team. Tokens' sub is
    # owner:TEAM_SLUG:project:PROJECT:environment:ENV and aud https://vercel.com/TEAM_SLUG.
    # https://vercel.com/docs/oidc/reference ; https://vercel.com/docs/oidc/aws
    issuers=(r"oidc\.vercel\.com/[^/]+", r"oidc\.vercel\.com"),
    shared=True,
    docs="https://vercel.com/docs/oidc/aws",
    tenant_in_issuer=r"oidc\.vercel\.com/(?P<tenant>[^/:{}$*?]+)",
    audience="https://vercel.com/{tenant}",
)
PULUMI = Provider(
    name="Pulumi Cloud",
    # Deployments and ESC's aws-login share this issuer; ESC's fn::open::oidc tokens come
    # from api.pulumi.com/oidc/v2 (another issuer, another provider in IAM).
    # https://www.pulumi.com/docs/deployments/deployments/oidc/aws/
    # https://www.pulumi.com/docs/esc/guides/configuring-oidc/aws/
    issuers=(r"api\.pulumi\.com/oidc",),
    shared=True,
    # Every token's aud names its organization (Deployments: ORG; ESC: aws:ORG, or ORG
    # for the default project): a pinned aud is one organization's, as a pinned sub is.
    tenant_claim="sub",
    docs="https://www.pulumi.com/docs/deployments/deployments/oidc/aws/",
    # ESC's aws-login audience; the issuer names no organization, so a witness shows a
    # stranger's (aws:attacker).
    audience="aws:{tenant}",
)
SPACELIFT = Provider(
    name="Spacelift",
    # One issuer per Spacelift account: https://ACCOUNT.app.spacelift.io (the US-hosted
    # ACCOUNT.app.us.spacelift.io); a self-hosted install names its own, which keyless cannot
    # tell from any other issuer.
    issuers=(rf"{_SEGMENT}\.app(?:\.us)?\.spacelift\.io",),
    shared=False,
    docs="https://docs.spacelift.io/integrations/cloud-providers/oidc",
    # The token's aud is the account's hostname, which the IAM provider's client ID fixes;
    # Spacelift's AWS guide pins only `sub` (or nothing: "any stack or module in the
    # account").
    audience_fixed_by="https://docs.spacelift.io/integrations/cloud-providers/oidc/aws-oidc",
    # The tenant is the whole hostname (the account's name is its first label): it is
    # also every token's aud.
    tenant_in_issuer=rf"(?P<tenant>{_SEGMENT}\.app(?:\.us)?\.spacelift\.io)",
    audience="{tenant}",
)
AZURE_DEVOPS = Provider(
    name="Azure DevOps",
    # One issuer per organization, named by its ID (a GUID): https://vstoken.dev.azure.com/ORG_ID.
    # Its tokens are minted for a service connection (sub sc://ORG/PROJECT/CONNECTION) and
    # always carry the audience api://AzureADTokenExchange; AWS's guide for the AWS Toolkit
    # for Azure DevOps pins that audience (and the sub, to one service connection).
    # https://learn.microsoft.com/en-us/azure/devops/pipelines/release/configure-workload-identity
    # https://aws.amazon.com/blogs/modernizing-with-aws/how-to-federate-into-aws-from-azure-devops-using-openid-connect
    issuers=(r"vstoken\.dev\.azure\.com/[^/:]+",),
    shared=False,
    docs="https://learn.microsoft.com/en-us/azure/devops/pipelines/release/configure-workload-identity",
    audience_fixed_by=(
        "https://learn.microsoft.com/en-us/azure/devops/pipelines/release/configure-workload-identity"
    ),
    tenant_in_issuer=r"vstoken\.dev\.azure\.com/(?P<tenant>[^/:]+)",
    audience="api://AzureADTokenExchange",
)
# Other issuers that AWS's RCP samples treat as serving many tenants.
OTHER_SHARED = Provider(
    name="other shared issuer",
    issuers=(
        r"scalr\.io",
        r"api\.pulumi\.com",
        r"oidc\.codefresh\.io",
        r"proidc\.upbound\.io",
        r"tokens\.cloud\.shisho\.dev",
        r"oidc-configuration\.audit-log\.githubusercontent\.com",
        r"sandboxes\.cloud",
        r"studio\.datachain\.ai/api",
        r"oidc\.op1\.openshiftapps\.com(/.*)?",
    ),
    shared=True,
)

#: Every known provider, most specific first.
PROVIDERS: tuple[Provider, ...] = (
    GITHUB,
    GITHUB_SERVER,
    GITHUB_2021,
    GITLAB,
    BUILDKITE,
    GOOGLE,
    COGNITO,
    FACEBOOK,
    AMAZON,
    CIRCLECI,
    ORACLE,
    TERRAFORM,
    EKS,
    BITBUCKET,
    SPACELIFT,
    PULUMI,
    VERCEL,
    SEMAPHORE,
    AZURE_DEVOPS,
    OTHER_SHARED,
)

_KNOWN_NAMES = frozenset(provider.name for provider in PROVIDERS)

#: Issuers built into STS: no IAM OIDC provider is needed, the principal is the host name.
BUILT_IN_PROVIDERS = BUILT_IN_WEB_IDENTITY_PROVIDERS


def is_known(provider: Provider) -> bool:
    """Whether ``provider`` is one of the table's, not :func:`generic_provider`'s stand-in
    for an issuer keyless does not know."""
    return provider.name in _KNOWN_NAMES


def generic_provider(prefix: str) -> Provider:
    """The description of an issuer keyless does not know: private, ``sub`` and ``aud`` only."""
    return Provider(name=prefix, issuers=(re.escape(prefix),), shared=False)


@functools.lru_cache(maxsize=1024)
def provider_for(prefix: str) -> Provider:
    """The provider whose issuer is ``prefix`` (a condition-key prefix), or a generic one."""
    # Memoised: every check asks it of every path of every role, and it tries each
    # provider's issuer expressions in turn.
    for provider in PROVIDERS:
        if provider.matches(prefix):
            return provider
    return generic_provider(prefix)


def issuer_prefix(issuer: str) -> str:
    """The condition-key prefix for an ``iss`` claim: without ``https://``, path kept, a
    trailing slash too (Auth0's ``https://TENANT.auth0.com/`` and Entra ID v1's
    ``https://sts.windows.net/TENANT/`` make ``TENANT.auth0.com/:aud`` and
    ``sts.windows.net/TENANT/:aud``, as the providers' AWS guides write them).

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
    """
    text = issuer.strip()
    if text.lower().startswith("https://"):
        text = text[len("https://") :]
    return text
