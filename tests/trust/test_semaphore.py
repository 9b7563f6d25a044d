"""Semaphore: one issuer per organization (https://ORG.semaphoreci.com), whose tokens' sub is
org:ORG:project:PROJECT_ID:repo:REPO:ref_type:branch|tag|pr:ref:REF and aud the organization's
URL. https://docs.semaphoreci.com/using-semaphore/openid
"""

from __future__ import annotations

from typing import Any

from keyless.findings import Finding
from tests.trust.support import run_check, web_identity

ISSUER = "my-org.semaphoreci.com"
PROJECT = "936a5312-a3b8-4921-8b3f-2cec8baac574"


def semaphore(condition: dict[str, Any]) -> dict[str, Any]:
    return web_identity(ISSUER, condition)


def run(check_id: str, trust: dict[str, Any]) -> tuple[Finding, ...]:
    return run_check(check_id, trust)


def test_semaphores_exact_example_is_clean() -> None:
    sub = f"org:my-org:project:{PROJECT}:repo:web:ref_type:branch:ref:refs/heads/main"
    trust = semaphore(
        {"StringEquals": {f"{ISSUER}:aud": f"https://{ISSUER}", f"{ISSUER}:sub": sub}}
    )
    for check in (
        "trust-oidc-any-tenant",
        "trust-oidc-broad-subject",
        "trust-oidc-untrusted-trigger",
        "trust-dead-condition",
    ):
        assert run(check, trust) == (), check


def test_semaphores_all_branches_example_admits_unprotected_branches() -> None:
    """Semaphore's own pattern example (`…:ref:refs/heads/*`): any branch someone pushes."""
    sub = f"org:my-org:project:{PROJECT}:repo:web:ref_type:branch:ref:refs/heads/*"
    trust = semaphore({"StringLike": {f"{ISSUER}:sub": sub}})
    (finding,) = run("trust-oidc-untrusted-trigger", trust)
    assert finding.evidence["trigger"] == "an unprotected branch"
    assert finding.witness["claims"]["aud"] == f"https://{ISSUER}"
    # The issuer fixes the audience (its URL): no missing-audience finding.
    assert run("trust-oidc-missing-audience", trust) == ()


def test_an_organization_wildcard_is_broad_and_admits_pull_requests() -> None:
    trust = semaphore({"StringLike": {f"{ISSUER}:sub": "org:my-org:*"}})
    (broad,) = run("trust-oidc-broad-subject", trust)
    assert "Semaphore organization my-org only" in broad.message
    labels = {f.evidence["trigger"] for f in run("trust-oidc-untrusted-trigger", trust)}
    assert labels == {"a pull request", "an unprotected branch"}
    assert run("trust-oidc-any-tenant", trust) == ()
