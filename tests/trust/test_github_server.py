"""GitHub Enterprise Server: an instance's own issuer, https://HOSTNAME/_services/token, mints
GitHub's subjects and claims. It was an unknown issuer, judged on nothing.
https://docs.github.com/en/enterprise-server@latest/actions/reference/security/oidc
"""

from __future__ import annotations

from typing import Any

from keyless.findings import Finding
from keyless.idp.providers import provider_for
from tests.trust.support import run_check, web_identity

ISSUER = "github.acme.internal/_services/token"
AUD = {f"{ISSUER}:aud": "sts.amazonaws.com"}


def ghes(condition: dict[str, Any] | None) -> dict[str, Any]:
    return web_identity(ISSUER, condition)


def run(check_id: str, trust: dict[str, Any]) -> tuple[Finding, ...]:
    return run_check(check_id, trust)


def test_the_issuer_is_github_enterprise_server() -> None:
    assert provider_for(ISSUER).name == "GitHub Enterprise Server"
    assert provider_for("ghe.example.com:8443/_services/token").name == "GitHub Enterprise Server"
    assert provider_for("token.actions.githubusercontent.com").name == "GitHub Actions"


def test_a_pinned_branch_is_clean_and_an_owner_wildcard_is_broad() -> None:
    pinned = ghes(
        {"StringEquals": {**AUD, f"{ISSUER}:sub": "repo:platform/deploy:ref:refs/heads/main"}}
    )
    for check in (
        "trust-oidc-broad-subject",
        "trust-oidc-untrusted-trigger",
        "trust-oidc-any-tenant",
    ):
        assert run(check, pinned) == (), check
    wide = ghes({"StringEquals": AUD, "StringLike": {f"{ISSUER}:sub": "repo:platform/*"}})
    (broad,) = run("trust-oidc-broad-subject", wide)
    assert broad.witness["claims"]["sub"] == "repo:platform/other-repo:ref:refs/heads/main"
    assert broad.witness["claims"]["iss"] == f"https://{ISSUER}"
    # The instance is one company's: no stranger's tenant.
    assert run("trust-oidc-any-tenant", wide) == ()


def test_pull_requests_of_an_instance_repository_are_untrusted_triggers() -> None:
    trust = ghes({"StringEquals": AUD, "StringLike": {f"{ISSUER}:sub": "repo:platform/deploy:*"}})
    labels = {f.evidence["trigger"] for f in run("trust-oidc-untrusted-trigger", trust)}
    assert labels == {"a pull request", "an unprotected branch"}


def test_an_environment_claim_pin_gates_it_as_on_github_com() -> None:
    trust = ghes(
        {
            "StringEquals": {**AUD, f"{ISSUER}:environment": "production"},
            "StringLike": {f"{ISSUER}:sub": "repo:platform/deploy:*"},
        }
    )
    assert run("trust-oidc-untrusted-trigger", trust) == ()


def test_pull_request_target_runs_a_branch_a_pull_request_chooses_before_3_20() -> None:
    # GitHub Enterprise Server before 3.20 runs the base branch's workflow under its ref
    # ("PR base branch"); GitHub.com the default branch's.
    # https://docs.github.com/en/enterprise-server@3.19/actions/reference/workflows-and-actions/events-that-trigger-workflows#pull_request_target
    sub = "repo:platform/deploy:event_name:pull_request_target:*"
    trust = ghes({"StringEquals": AUD, "StringLike": {f"{ISSUER}:sub": sub}})
    (found,) = run("trust-oidc-untrusted-trigger", trust)
    assert found.evidence["trigger"] == "an unprotected branch"
    assert found.witness["claims"]["sub"].endswith(":ref:refs/heads/feature")
