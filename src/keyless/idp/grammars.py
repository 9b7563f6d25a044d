"""Grammars of each identity provider's ``sub`` claim, as regular languages.

A grammar says which part of a ``sub`` is the *tenant* (GitHub owner, GitLab top-level group,
Terraform organisation, ...), the *repository* (repository, project, workspace, pipeline,
namespace) and the *trigger* (branch, tag, environment, pull request, plan run), as
:class:`keyless.patterns.language.Language` values, so the trust reasoner can ask exact
questions: "a ``sub`` of another tenant", "another repository of this tenant", "a pull
request". Grammars are hooked onto the issuer table of :mod:`keyless.idp.providers` by the
provider's name (:func:`grammar_for`). GitHub's is in :mod:`keyless.idp.github_grammar`, the
other CI/CD providers' in :mod:`keyless.idp.ci_grammars`; this module is their registry.

Formats (each cited where defined):

* GitHub: classic ``repo:OWNER/REPO:ref:refs/heads/B`` | ``…:ref:refs/tags/T`` |
  ``…:environment:E`` | ``…:pull_request``; immutable ``repo:OWNER@OWNER_ID/REPO@REPO_ID:…``;
  custom templates of ``key:value`` pairs (``repository_owner:X:…``, ``job_workflow_ref:…``,
  ``repository_id:…``). https://docs.github.com/en/actions/reference/security/oidc
* GitLab: ``project_path:GROUP[/SUB]/PROJECT:ref_type:branch|tag:ref:R``.
  https://docs.gitlab.com/ci/secrets/id_token_authentication/
* HCP Terraform: ``organization:O:project:P:workspace:W:run_phase:plan|apply``; a Stack's
  ``organization:O:project:P:stack:S:deployment:D:operation:OP``.
  https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/aws-configuration
* CircleCI: ``org/ORG/project/PROJ/user/USER[/vcs-origin/…/vcs-ref/…]``.
  https://circleci.com/docs/openid-connect-tokens/
* Bitbucket: ``{repoUuid}[:{envUuid}]:{stepUuid}`` (braces literal).
  https://support.atlassian.com/bitbucket-cloud/docs/integrate-pipelines-with-resource-servers-using-oidc/
* Buildkite: ``organization:ORG:pipeline:P:ref:R:commit:SHA:step:K``.
  https://buildkite.com/docs/pipelines/security/oidc/aws
* Spacelift: ``space:SPACE:stack|module:ID:run_type:T:scope:read|write``.
  https://docs.spacelift.io/integrations/cloud-providers/oidc
* Semaphore: ``org:O:project:ID:repo:R:ref_type:branch|tag|pr:ref:REF``.
  https://docs.semaphoreci.com/using-semaphore/openid
* Azure DevOps: ``sc://ORG/PROJECT/SERVICE_CONNECTION``.
  https://learn.microsoft.com/en-us/azure/devops/pipelines/release/configure-workload-identity
* Vercel: ``owner:TEAM:project:P:environment:E``. https://vercel.com/docs/oidc/reference
* Pulumi Cloud: ``pulumi:deploy:org:O:project:P:stack:S:operation:OP:scope:write``,
  ``pulumi:environments:org:O:env:E``. https://www.pulumi.com/docs/esc/guides/configuring-oidc/
* EKS IRSA: ``system:serviceaccount:NS:SA``.
  https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
* Cognito: the identity ID ``REGION:UUID``; Google: a numeric user or service-account ID.
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from keyless.idp.ci_grammars import (
    AZURE_DEVOPS,
    BITBUCKET,
    BUILDKITE,
    CIRCLECI,
    EKS,
    GITLAB,
    PULUMI,
    SEMAPHORE,
    SPACELIFT,
    TERRAFORM,
    VERCEL,
)
from keyless.idp.github_grammar import GITHUB, GITHUB_CLAIM_VALUES, GITHUB_SERVER
from keyless.idp.subject_grammar import SubGrammar, shape
from keyless.patterns.language import Language

__all__ = [
    "AZURE_DEVOPS",
    "BITBUCKET",
    "BUILDKITE",
    "CIRCLECI",
    "CLAIM_VALUES",
    "COGNITO",
    "EKS",
    "GITHUB",
    "GITHUB_SERVER",
    "GITLAB",
    "GOOGLE",
    "GRAMMARS",
    "PULUMI",
    "SEMAPHORE",
    "SPACELIFT",
    "TERRAFORM",
    "VERCEL",
    "claim_values",
    "grammar_for",
]

COGNITO = SubGrammar(
    provider="Amazon Cognito identity pools",
    well_formed=("+:+",),
    example="us-east-1:00000000-0000-0000-0000-000000000000",
)
GOOGLE = SubGrammar(
    provider="Google",
    well_formed=("?*",),
    example="100000000000000000001",
)

GRAMMARS: Mapping[str, SubGrammar] = MappingProxyType(
    {
        g.provider: g
        for g in (
            GITHUB,
            GITHUB_SERVER,
            GITLAB,
            TERRAFORM,
            BUILDKITE,
            CIRCLECI,
            BITBUCKET,
            SPACELIFT,
            PULUMI,
            VERCEL,
            SEMAPHORE,
            AZURE_DEVOPS,
            EKS,
            COGNITO,
            GOOGLE,
        )
    }
)


def grammar_for(provider_name: str) -> SubGrammar | None:
    """The ``sub`` grammar of the provider named ``provider_name`` (see ``providers.py``);
    GitHub Enterprise Server mints GitHub's subjects (:data:`GITHUB_SERVER`), and so did
    GitHub's 2021 issuer."""
    if provider_name == "GitLab self-managed":
        return GITLAB
    if provider_name == "GitHub Actions (2021 issuer)":
        return GITHUB  # GitHub's earlier issuer (vstoken.actions.githubusercontent.com)
    return GRAMMARS.get(provider_name)


# The values of claims tokens carry besides `sub`, as templates of :func:`shape` (a claim
# not listed may hold any text): a policy value outside them is one no token presents
# (`job_workflow_ref` `DeployToProduction`, a workflow's name where GitHub writes
# OWNER/REPO/PATH@REF). GitHub's: :data:`keyless.idp.github_grammar.GITHUB_CLAIM_VALUES`.
# GitLab: https://docs.gitlab.com/ci/secrets/id_token_authentication/ (IDs are decimal,
# `ref_protected` "true" or "false").
CLAIM_VALUES: Mapping[str, Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "GitHub Actions": GITHUB_CLAIM_VALUES,
        "GitHub Enterprise Server": GITHUB_CLAIM_VALUES,
        "GitLab": MappingProxyType(
            {
                "namespace_id": ("#",),
                "project_id": ("#",),
                "user_id": ("#",),
                "ref_protected": ("true", "false"),
            }
        ),
    }
)


def claim_values(provider_name: str, claim: str) -> Language | None:
    """The values the provider's tokens carry in ``claim`` (None: any text)."""
    templates = CLAIM_VALUES.get(provider_name, {}).get(claim)
    if templates is None:
        return None
    return Language.union_all(shape(template) for template in templates)
