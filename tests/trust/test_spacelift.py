"""Spacelift: one issuer per account (https://ACCOUNT.app.spacelift.io), whose tokens' sub is
space:SPACE:stack|module:ID:run_type:TYPE:scope:read|write; proposed runs (pull requests,
feature-branch pushes) get a read-scoped token.
https://docs.spacelift.io/integrations/cloud-providers/oidc
https://docs.spacelift.io/integrations/cloud-providers/oidc/aws-oidc
"""

from __future__ import annotations

from typing import Any

import pytest

from keyless.findings import Finding
from tests.builders import make_account, make_role
from tests.checks.support import findings
from tests.trust.support import run_check, web_identity

HOST = "demo.app.spacelift.io"


def spacelift(condition: dict[str, Any] | None) -> dict[str, Any]:
    return web_identity(HOST, condition)


def run(check_id: str, trust: dict[str, Any]) -> tuple[Finding, ...]:
    return run_check(check_id, trust)


def test_no_subject_opens_the_role_to_every_space_of_the_account_not_to_strangers() -> None:
    """Spacelift's guide: without a sub condition "any stack or module in the demo
    Spacelift account" can assume the role; the issuer is the account's own."""
    trust = spacelift(None)
    assert run("trust-oidc-any-tenant", trust) == ()
    (finding,) = run("trust-oidc-broad-subject", trust)
    assert "another space of the account" in finding.message
    assert f"Spacelift account {HOST} only" in finding.message
    claims = finding.witness["claims"]
    assert claims["aud"] == HOST  # the account's hostname, as Spacelift's tokens carry
    assert claims["sub"].startswith("space:other-space:stack:")
    # Spacelift documents no aud pin (the provider's client ID is the hostname).
    assert run("trust-oidc-missing-audience", trust) == ()


@pytest.mark.parametrize(
    "sub",
    [
        "space:production:*",  # Spacelift's example of a space pin
        "*:stack:oidc-is-awesome:*",  # and of a stack pin
        "space:production:stack:infra:run_type:*:scope:*",
    ],
)
def test_a_pin_that_admits_proposed_runs_is_medium(sub: str) -> None:
    trust = spacelift({"StringLike": {f"{HOST}:sub": sub}})
    assert run("trust-oidc-broad-subject", trust) == ()
    (finding,) = run("trust-oidc-untrusted-trigger", trust)
    assert finding.severity.value == "medium"
    assert "a proposed run" in finding.message
    sub_claim = finding.witness["claims"]["sub"]
    assert ":run_type:PROPOSED:scope:read" in sub_claim
    assert "::" not in sub_claim


@pytest.mark.parametrize(
    "sub",
    [
        "space:production:stack:infra:run_type:TRACKED:scope:write",
        "space:legacy:stack:*:run_type:*:scope:write",  # proposed runs are read-scoped
    ],
)
def test_tracked_or_write_scoped_runs_only_draw_no_trigger_finding(sub: str) -> None:
    trust = spacelift({"StringLike": {f"{HOST}:sub": sub}})
    assert run("trust-oidc-untrusted-trigger", trust) == ()
    assert run("trust-oidc-broad-subject", trust) == ()


def test_a_write_scoped_proposed_run_is_a_subject_spacelift_never_mints() -> None:
    sub = "space:production:stack:infra:run_type:PROPOSED:scope:write"
    trust = spacelift({"StringEquals": {f"{HOST}:sub": sub}})
    found = findings("trust-dead-condition", make_account(roles=[make_role("r", trust=trust)]))
    assert any("matches no subject the provider mints" in f.message for f in found)


def test_the_us_hosted_issuer_is_spacelift_too() -> None:
    from keyless.idp.providers import provider_for

    assert provider_for("acme.app.us.spacelift.io").name == "Spacelift"
    assert provider_for("acme.app.spacelift.io.evil.example").name != "Spacelift"
