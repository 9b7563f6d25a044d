"""trust-oidc-broad-subject speaks each provider's own nouns, and its witness names another
repository the way the provider does.

* GitHub: an owner's repositories, ``repo:OWNER/REPO:…``
  https://docs.github.com/en/actions/reference/security/oidc
* GitLab: a group's projects, ``project_path:GROUP/PROJECT:…``
  https://docs.gitlab.com/ci/secrets/id_token_authentication/
* HCP Terraform: an organization's projects and workspaces,
  ``organization:ORG:project:PROJECT:workspace:WORKSPACE:run_phase:…``
  https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/workload-identity-tokens
* Buildkite: an organization's pipelines, ``organization:ORG:pipeline:PIPELINE:…``
  https://buildkite.com/docs/agent/v3/cli-oidc
* CircleCI: an organization's projects, both named by UUID,
  ``org/ORG_ID/project/PROJECT_ID/user/USER_ID`` https://circleci.com/docs/openid-connect-tokens/
* Bitbucket Pipelines: a workspace's repositories, ``{REPOSITORY_UUID}:{STEP_UUID}``
  https://support.atlassian.com/bitbucket-cloud/docs/integrate-pipelines-with-resource-servers-using-oidc/
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.builders import make_account, make_role
from tests.checks.support import findings
from tests.trust.support import allow, assert_real_witness

CIRCLECI_ORG = "4ada2c32-f0c2-4b60-a6b8-af674858fd51"
BITBUCKET = "api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

CASES = [
    # issuer, audience, broad sub, noun phrase, the other repository in the witness's sub
    (
        "token.actions.githubusercontent.com",
        "sts.amazonaws.com",
        "repo:acme/*",
        "another repository of the owner can assume it",
        r"repo:acme/other-repo:",
    ),
    (
        "gitlab.com",
        "https://gitlab.com",
        "project_path:acme/*",
        "another project of the group can assume it",
        r"project_path:acme/other-project:",
    ),
    (
        "app.terraform.io",
        "aws.workload.identity",
        "organization:acme:*",
        "another project of the organization can assume it",
        r"organization:acme:project:other-project:",
    ),
    (
        "agent.buildkite.com",
        "sts.amazonaws.com",
        "organization:acme:*",
        "another pipeline of the organization can assume it",
        r"organization:acme:pipeline:other-pipeline:",
    ),
    (
        f"oidc.circleci.com/org/{CIRCLECI_ORG}",
        CIRCLECI_ORG,
        f"org/{CIRCLECI_ORG}/project/*",
        f"another project of the organization can assume it (a project of CircleCI "
        f"organization {CIRCLECI_ORG} only: the issuer serves no other organization)",
        rf"org/{CIRCLECI_ORG}/project/{UUID.pattern}/user/",
    ),
    (
        BITBUCKET,
        "ari:cloud:bitbucket::workspace/0f6f2a4e-0000-4000-8000-00000000000a",
        "*",
        "another repository of the workspace can assume it (a repository of Bitbucket "
        "Pipelines workspace acme only: the issuer serves no other workspace)",
        rf"\{{{UUID.pattern}\}}:",
    ),
]


@pytest.mark.parametrize(("issuer", "aud", "sub", "words", "other"), CASES)
def test_broad_subject_in_the_providers_words(
    issuer: str, aud: str, sub: str, words: str, other: str
) -> None:
    trust: dict[str, Any] = allow(
        {"Federated": f"arn:aws:iam::111122223333:oidc-provider/{issuer}"},
        {"StringEquals": {f"{issuer}:aud": aud}, "StringLike": {f"{issuer}:sub": sub}},
        Action="sts:AssumeRoleWithWebIdentity",
    )
    (finding,) = findings(
        "trust-oidc-broad-subject", make_account(roles=[make_role("r", trust=trust)])
    )
    assert finding.message == f"r: {words}"
    assert "organisation" not in finding.message
    assert_real_witness(trust, finding.witness)
    assert finding.witness is not None
    assert re.match(other, finding.witness["claims"]["sub"]), finding.witness["claims"]["sub"]
