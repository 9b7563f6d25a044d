"""An issuer AWS's samples call shared (many customers, one issuer) whose ``sub`` grammar
keyless does not know, such as ``scalr.io``: where a tenant stands in its ``sub`` is
unknown, but a ``sub`` the policy pins with no literal text at all (``*``, ``?*``, a list
holding ``*``, or ``StringNotLike`` alone) is any tenant's. It was "No trust findings"."""

from __future__ import annotations

from typing import Any

import pytest

from tests.trust.support import run_check, web_identity

ISSUER = "scalr.io"
AUDIENCE = {"StringEquals": {f"{ISSUER}:aud": "aws.scalr-run-workload"}}


def scalr(extra: dict[str, Any]) -> dict[str, Any]:
    return web_identity(ISSUER, {**AUDIENCE, **extra})


@pytest.mark.parametrize(
    "condition",
    [
        {"StringLike": {f"{ISSUER}:sub": "*"}},
        {"StringLike": {f"{ISSUER}:sub": "?*"}},
        {"StringLike": {f"{ISSUER}:sub": ["account:acme:*", "*"]}},
        {"StringNotLike": {f"{ISSUER}:sub": "account:evil:*"}},
    ],
)
def test_a_sub_that_pins_nothing_is_any_tenant(condition: dict[str, Any]) -> None:
    (finding,) = run_check("trust-oidc-any-tenant", scalr(condition))
    assert finding.severity.value == "critical"
    assert "any scalr.io tenant can assume it" in finding.message
    assert finding.witness["claims"]["sub"] == "another-tenant:anything"


@pytest.mark.parametrize(
    "condition",
    [
        {"StringLike": {f"{ISSUER}:sub": "account:acme:*"}},
        {"StringEquals": {f"{ISSUER}:sub": "account:acme:environment:prod"}},
        # Compared without case: a case variant of the pinned text is still pinned.
        {"StringEqualsIgnoreCase": {f"{ISSUER}:sub": "account:acme:environment:prod"}},
    ],
)
def test_a_sub_with_literal_text_is_left_to_the_grammar_keyless_lacks(
    condition: dict[str, Any],
) -> None:
    assert run_check("trust-oidc-any-tenant", scalr(condition)) == ()


def test_no_sub_condition_is_still_any_tenant() -> None:
    (finding,) = run_check("trust-oidc-any-tenant", scalr({}))
    assert finding.severity.value == "critical"
