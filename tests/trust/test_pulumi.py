"""Pulumi Cloud (Deployments and ESC's aws-login): one shared issuer, api.pulumi.com/oidc,
whose tokens' aud names the organization (ORG, or aws:ORG for ESC) and whose sub is
pulumi:deploy:org:ORG:project:P:stack:S:operation:OP:scope:write or
pulumi:environments:org:ORG:env:[PROJECT/]ENV.
https://www.pulumi.com/docs/deployments/deployments/oidc/aws/
https://www.pulumi.com/docs/esc/guides/configuring-oidc/aws/
"""

from __future__ import annotations

from typing import Any

import pytest

from keyless.findings import Finding
from tests.trust.support import run_check, web_identity

ISSUER = "api.pulumi.com/oidc"


def pulumi(condition: dict[str, Any] | None) -> dict[str, Any]:
    return web_identity(ISSUER, condition)


def run(check_id: str, trust: dict[str, Any]) -> tuple[Finding, ...]:
    return run_check(check_id, trust)


@pytest.mark.parametrize("aud", ["acme", "aws:acme"])
def test_a_pinned_audience_is_one_organization(aud: str) -> None:
    """Pulumi's guides pin only the audience (the organization's name): no other
    organization's token carries it. It was a critical "any tenant" finding."""
    assert run("trust-oidc-any-tenant", pulumi({"StringEquals": {f"{ISSUER}:aud": aud}})) == ()


def test_a_subject_open_over_organizations_is_any_tenant() -> None:
    trust = pulumi({"StringLike": {f"{ISSUER}:sub": "pulumi:deploy:org:*"}})
    (finding,) = run("trust-oidc-any-tenant", trust)
    assert finding.severity.value == "critical"
    assert finding.witness["claims"]["sub"].startswith("pulumi:deploy:org:attacker:")
    # A Pulumi-shaped audience (ESC's aws:ORG), never STS's, which Pulumi never sends.
    assert finding.witness["claims"]["aud"] == "aws:attacker"


@pytest.mark.parametrize(
    "sub",
    [
        "pulumi:environments:org:acme:env:infra/prod",
        "pulumi:environments:org:acme:env:prod",
        "pulumi:deploy:org:acme:project:infra:stack:prod:operation:update:scope:write",
        "pulumi:environments:pulumi.organization.login:acme:currentEnvironment.name:prod",
    ],
)
def test_an_exact_subject_is_one_project(sub: str) -> None:
    trust = pulumi({"StringEquals": {f"{ISSUER}:aud": "aws:acme", f"{ISSUER}:sub": sub}})
    for check in ("trust-oidc-any-tenant", "trust-oidc-broad-subject"):
        assert run(check, trust) == (), check


@pytest.mark.parametrize("sub", ["pulumi:deploy:org:acme:*", "pulumi:environments:org:acme:env:*"])
def test_a_pattern_over_the_organizations_projects_is_broad(sub: str) -> None:
    (finding,) = run("trust-oidc-broad-subject", pulumi({"StringLike": {f"{ISSUER}:sub": sub}}))
    assert "another project of the organization" in finding.message
    assert ":acme:" in finding.witness["claims"]["sub"]


def test_previews_of_a_project_are_a_medium_trigger() -> None:
    sub = "pulumi:deploy:org:acme:project:infra:*"
    trust = pulumi(
        {"StringEquals": {f"{ISSUER}:aud": "acme"}, "StringLike": {f"{ISSUER}:sub": sub}}
    )
    (finding,) = run("trust-oidc-untrusted-trigger", trust)
    assert finding.severity.value == "medium"
    assert ":operation:preview:" in finding.witness["claims"]["sub"]
    update_only = "pulumi:deploy:org:acme:project:infra:stack:prod:operation:update:scope:write"
    trust = pulumi({"StringEquals": {f"{ISSUER}:aud": "acme", f"{ISSUER}:sub": update_only}})
    assert run("trust-oidc-untrusted-trigger", trust) == ()
