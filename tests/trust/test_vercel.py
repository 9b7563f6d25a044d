"""Vercel: the team issuer mode (https://oidc.vercel.com/TEAM, the default) serves one team,
the global mode (https://oidc.vercel.com) all; sub is
owner:TEAM:project:PROJECT:environment:ENV and the default aud https://vercel.com/TEAM.
https://vercel.com/docs/oidc/reference ; https://vercel.com/docs/oidc/aws
"""

from __future__ import annotations

from typing import Any

import pytest

from keyless.findings import Finding
from tests.builders import make_account, make_role
from tests.checks.support import findings
from tests.trust.support import run_check, web_identity

TEAM = "oidc.vercel.com/acme"
GLOBAL = "oidc.vercel.com"


def vercel(issuer: str, condition: dict[str, Any]) -> dict[str, Any]:
    return web_identity(issuer, condition)


def run(check_id: str, trust: dict[str, Any]) -> tuple[Finding, ...]:
    return run_check(check_id, trust)


def test_vercels_own_example_is_clean() -> None:
    trust = vercel(
        TEAM,
        {
            "StringEquals": {
                f"{TEAM}:aud": "https://vercel.com/acme",
                f"{TEAM}:sub": "owner:acme:project:web:environment:production",
            }
        },
    )
    for check in (
        "trust-oidc-any-tenant",
        "trust-oidc-broad-subject",
        "trust-oidc-untrusted-trigger",
        "trust-dead-condition",
    ):
        assert run(check, trust) == (), check


def test_the_global_issuer_with_any_owner_is_any_tenant() -> None:
    sub = "owner:*:project:web:environment:production"
    (finding,) = run(
        "trust-oidc-any-tenant", vercel(GLOBAL, {"StringLike": {f"{GLOBAL}:sub": sub}})
    )
    claims = finding.witness["claims"]
    assert claims["sub"] == "owner:attacker:project:web:environment:production"
    assert claims["aud"] == "https://vercel.com/attacker"


def test_a_team_issuer_serves_its_team_only() -> None:
    sub = "owner:*:project:web:environment:production"
    trust = vercel(TEAM, {"StringLike": {f"{TEAM}:sub": sub}})
    assert run("trust-oidc-any-tenant", trust) == ()
    assert run("trust-oidc-broad-subject", trust) == ()  # one project: web
    other = vercel(TEAM, {"StringEquals": {f"{TEAM}:sub": sub.replace("*", "other")}})
    dead = findings("trust-dead-condition", make_account(roles=[make_role("r", trust=other)]))
    assert any("admits no real request" in f.message for f in dead)


def test_a_team_wide_project_wildcard_is_broad() -> None:
    sub = "owner:acme:project:*:environment:production"
    (finding,) = run("trust-oidc-broad-subject", vercel(TEAM, {"StringLike": {f"{TEAM}:sub": sub}}))
    assert "another project of the team" in finding.message
    assert "Vercel team acme only" in finding.message


@pytest.mark.parametrize(
    ("environment", "severity"), [("preview", "high"), ("development", "medium")]
)
def test_any_environment_admits_previews_and_developers(environment: str, severity: str) -> None:
    sub = "owner:acme:project:web:environment:*"
    found = run("trust-oidc-untrusted-trigger", vercel(TEAM, {"StringLike": {f"{TEAM}:sub": sub}}))
    (finding,) = [f for f in found if f.witness["claims"]["sub"].endswith(environment)]
    assert finding.severity.value == severity
