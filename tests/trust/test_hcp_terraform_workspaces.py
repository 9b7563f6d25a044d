"""HCP Terraform's ``sub`` is ``organization:O:project:P:workspace:W:run_phase:PHASE``
(https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/workload-identity-tokens),
and a workspace's name is unique in its organization (the API addresses a workspace by
organization and name: https://developer.hashicorp.com/terraform/cloud-docs/api-docs/workspaces).
A policy that names the workspace and leaves the project open admits that one workspace,
wherever it is moved: not "another project of the organization"."""

from __future__ import annotations

import pytest

from keyless.findings import Finding
from tests.builders import make_account, make_role
from tests.checks.support import findings
from tests.trust.support import allow, assert_real_witness

ISSUER = "app.terraform.io"


def broad(sub: str) -> tuple[Finding, ...]:
    trust = allow(
        {"Federated": f"arn:aws:iam::111122223333:oidc-provider/{ISSUER}"},
        {
            "StringEquals": {f"{ISSUER}:aud": "aws.workload.identity"},
            "StringLike": {f"{ISSUER}:sub": sub},
        },
        Action="sts:AssumeRoleWithWebIdentity",
    )
    result = findings("trust-oidc-broad-subject", make_account(roles=[make_role("r", trust=trust)]))
    for finding in result:
        assert_real_witness(trust, finding.witness)
    return result


@pytest.mark.parametrize(
    "sub",
    [
        "organization:acme:project:*:workspace:prod:run_phase:apply",
        "organization:acme:project:*:workspace:prod:run_phase:*",
        "organization:acme:project:Default Project:workspace:prod:run_phase:apply",
    ],
)
def test_a_named_workspace_is_no_other_project(sub: str) -> None:
    assert broad(sub) == ()


def test_a_project_of_every_workspace_is_still_reported() -> None:
    (finding,) = broad("organization:acme:project:*:workspace:*:run_phase:apply")
    assert "another project of the organization can assume it" in finding.message


def test_a_workspace_prefix_is_not_one_workspace() -> None:
    (finding,) = broad("organization:acme:project:*:workspace:prod*:run_phase:apply")
    assert "another project of the organization can assume it" in finding.message


def test_a_witness_carries_hcp_terraforms_default_audience() -> None:
    """HCP Terraform's tokens carry aws.workload.identity unless a workspace sets
    TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE: a witness of a policy that leaves aud open shows it,
    not STS's audience."""
    from tests.trust.support import run_check, web_identity

    sub = "organization:my-org:project:*:workspace:*:run_phase:*"
    trust = web_identity("app.terraform.io", {"StringLike": {"app.terraform.io:sub": sub}})
    (finding,) = run_check("trust-oidc-broad-subject", trust)
    assert finding.witness["claims"]["aud"] == "aws.workload.identity"
