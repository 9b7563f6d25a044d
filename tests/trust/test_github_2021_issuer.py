"""GitHub Actions' issuer during its 2021 beta, vstoken.actions.githubusercontent.com (moved
to token.actions.githubusercontent.com in October 2021; AWS's RCP samples still list it as
shared), minted GitHub's subjects for every GitHub owner. A role trusting it was "other
shared issuer" with no grammar: `sub` `*` got no finding at all. It is judged by GitHub's
grammar now. https://docs.github.com/en/actions/reference/security/oidc"""

from __future__ import annotations

from typing import Any

import pytest

from keyless.idp.grammars import GITHUB, grammar_for
from keyless.idp.providers import GITHUB_FAMILY, provider_for
from tests.trust.support import assert_real_witness, assess, web_identity

ISSUER = "vstoken.actions.githubusercontent.com"


def found(sub: str) -> dict[str, Any]:
    document = web_identity(
        ISSUER,
        {
            "StringEquals": {f"{ISSUER}:aud": "sts.amazonaws.com"},
            "StringLike": {f"{ISSUER}:sub": sub},
        },
    )
    result = [f for f in assess(document).findings if f.check.startswith("trust-oidc-")]
    for finding in result:
        assert_real_witness(document, finding.witness)
    return {f.check: f for f in result}


def test_the_2021_issuer_mints_github_s_subjects() -> None:
    provider = provider_for(ISSUER)
    assert provider.shared
    assert provider.name in GITHUB_FAMILY
    assert grammar_for(provider.name) is GITHUB
    # AWS lists none of GitHub's 2026 claim keys under this prefix.
    assert provider.keys == ()


def test_any_subject_of_the_2021_issuer_is_any_owner_s() -> None:
    finding = found("*")["trust-oidc-any-tenant"]
    assert finding.severity.value == "critical"
    assert finding.witness["claims"]["sub"].startswith("repo:")


@pytest.mark.parametrize(
    ("sub", "checks"),
    [
        ("repo:octo-org/*", {"trust-oidc-broad-subject", "trust-oidc-untrusted-trigger"}),
        ("repo:octo-org/app:ref:refs/heads/main", set()),
    ],
)
def test_a_2021_issuer_policy_is_judged_as_github_s(sub: str, checks: set[str]) -> None:
    assert set(found(sub)) == checks
