"""A self-managed GitLab instance is its own OIDC issuer (its URL says nothing about GitLab):
a path whose every `sub` is GitLab's (`project_path:…`) is judged with GitLab's grammar, as one
company's instance. https://docs.gitlab.com/ci/cloud_services/aws/
"""

from __future__ import annotations

from typing import Any

from keyless.findings import Finding
from tests.trust.support import run_check, web_identity

ISSUER = "gitlab.acme.internal"


def instance(condition: dict[str, Any] | None) -> dict[str, Any]:
    return web_identity(ISSUER, condition)


def run(check_id: str, trust: dict[str, Any]) -> tuple[Finding, ...]:
    return run_check(check_id, trust)


def test_a_group_wildcard_on_an_instance_is_broad_and_admits_unprotected_branches() -> None:
    trust = instance({"StringLike": {f"{ISSUER}:sub": "project_path:platform/*"}})
    (broad,) = run("trust-oidc-broad-subject", trust)
    assert "another project of the group" in broad.message
    assert broad.witness["claims"]["iss"] == f"https://{ISSUER}"
    (trigger,) = run("trust-oidc-untrusted-trigger", trust)
    assert trigger.evidence["trigger"] == "an unprotected branch"
    assert run("trust-oidc-any-tenant", trust) == ()  # one company's instance


def test_a_pinned_protected_branch_is_clean() -> None:
    sub = "project_path:platform/deploy:ref_type:branch:ref:main"
    trust = instance({"StringEquals": {f"{ISSUER}:sub": sub}})
    for check in ("trust-oidc-broad-subject", "trust-oidc-untrusted-trigger"):
        assert run(check, trust) == (), check


def test_other_subjects_leave_the_issuer_unknown() -> None:
    """Only a policy that names GitLab subjects alone is taken for GitLab."""
    trust = instance(
        {"StringLike": {f"{ISSUER}:sub": ["project_path:platform/*", "repo:platform/*"]}}
    )
    assert run("trust-oidc-broad-subject", trust) == ()
    assert run("trust-oidc-untrusted-trigger", trust) == ()
