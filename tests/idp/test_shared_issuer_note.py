"""``keyless simulate`` with a token of a shared issuer (GitHub, Cognito identity pools)
notes that every tenant gets tokens from it. The note said the policy "must pin the
tenant" under an ALLOW decided by a policy that pins it (docs/simulate.md's own GitHub
example, https://docs.github.com/en/actions/reference/security/oidc): it now says what
tells the tenants apart, which holds whatever the policy."""

from __future__ import annotations

import pytest

from keyless.idp.oidc import web_identity_request


@pytest.mark.parametrize(
    ("claims", "claim"),
    [
        (
            {
                "iss": "https://token.actions.githubusercontent.com",
                "aud": "sts.amazonaws.com",
                "sub": "repo:octo-org/octo-repo:ref:refs/heads/main",
            },
            "sub",
        ),
        (
            {
                "iss": "cognito-identity.amazonaws.com",
                "aud": "us-east-1:12345678-abcd-abcd-abcd-123456789012",
                "sub": "us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
                "amr": ["authenticated"],
            },
            "aud",
        ),
    ],
)
def test_the_shared_issuer_note_says_what_tells_tenants_apart(
    claims: dict[str, object], claim: str
) -> None:
    (note,) = web_identity_request(claims).notes
    assert "must" not in note
    assert (
        f"only the trust policy tells this tenant's from another's (its condition on {claim!r}"
        in note
    )
