"""Azure DevOps: one issuer per organization (https://vstoken.dev.azure.com/ORG_ID), whose
tokens are minted for a service connection (sub sc://ORG/PROJECT/CONNECTION) with the
audience api://AzureADTokenExchange.
https://learn.microsoft.com/en-us/azure/devops/pipelines/release/configure-workload-identity
https://aws.amazon.com/blogs/modernizing-with-aws/how-to-federate-into-aws-from-azure-devops-using-openid-connect
"""

from __future__ import annotations

from typing import Any

import pytest

from keyless.findings import Finding
from tests.builders import make_account, make_role
from tests.checks.support import findings
from tests.trust.support import run_check, web_identity

ORG_ID = "61c028b9-510c-4f84-bfb2-f48d33b6b542"
HOST = f"vstoken.dev.azure.com/{ORG_ID}"
AUD = {f"{HOST}:aud": "api://AzureADTokenExchange"}


def azure_devops(condition: dict[str, Any] | None) -> dict[str, Any]:
    return web_identity(HOST, condition)


def run(check_id: str, trust: dict[str, Any]) -> tuple[Finding, ...]:
    return run_check(check_id, trust)


def test_the_issuer_is_known() -> None:
    from keyless.idp.providers import provider_for

    assert provider_for(HOST).name == "Azure DevOps"
    assert provider_for(f"vstoken.dev.azure.com.evil.example/{ORG_ID}").name != "Azure DevOps"


def test_an_audience_only_policy_opens_every_project_of_the_organization() -> None:
    """The shape of a widely copied setup guide: only the audience is pinned, so every
    service connection of every project of the organization can assume the role — but no
    other organization (the issuer is the organization's own)."""
    trust = azure_devops({"StringEquals": AUD})
    assert run("trust-oidc-any-tenant", trust) == ()
    (finding,) = run("trust-oidc-broad-subject", trust)
    assert "another project of the organization" in finding.message
    assert f"Azure DevOps organization {ORG_ID} only" in finding.message
    claims = finding.witness["claims"]
    assert claims["aud"] == "api://AzureADTokenExchange"
    assert claims["iss"] == f"https://{HOST}"
    assert claims["sub"].startswith("sc://")


@pytest.mark.parametrize("sub", ["sc://acme/web/aws-prod", "sc://acme/web/*", "sc://*/web/*"])
def test_one_project_pinned_draws_no_finding(sub: str) -> None:
    trust = azure_devops({"StringEquals": AUD, "StringLike": {f"{HOST}:sub": sub}})
    assert run("trust-oidc-broad-subject", trust) == ()
    assert run("trust-oidc-any-tenant", trust) == ()
    assert run("trust-oidc-untrusted-trigger", trust) == ()


def test_a_project_wildcard_is_another_project() -> None:
    trust = azure_devops({"StringEquals": AUD, "StringLike": {f"{HOST}:sub": "sc://acme/*"}})
    (finding,) = run("trust-oidc-broad-subject", trust)
    assert finding.witness["claims"]["sub"].startswith("sc://acme/")


def test_the_audience_is_fixed_by_the_issuer() -> None:
    """Azure DevOps' tokens always carry api://AzureADTokenExchange: a missing aud pin
    admits no one more."""
    trust = azure_devops({"StringEquals": {f"{HOST}:sub": "sc://acme/web/aws-prod"}})
    assert run("trust-oidc-missing-audience", trust) == ()


def test_a_subject_without_a_connection_is_never_minted() -> None:
    trust = azure_devops({"StringEquals": {**AUD, f"{HOST}:sub": "sc://acme/web"}})
    found = findings("trust-dead-condition", make_account(roles=[make_role("r", trust=trust)]))
    assert any("matches no subject the provider mints" in f.message for f in found)
