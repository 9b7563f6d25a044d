"""`SAML:aud` patterns: a Region's sign-in endpoint is AWS's (a host name before
`.signin.aws.amazon.com`), but a `*` spans `/`, so `https://*.signin.aws.amazon.com/saml`
also admits a recipient on another host; the witness shows one, never an empty host.
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_relying-party.html"""

from __future__ import annotations

from typing import Any

import pytest

from tests.trust.support import allow, run_check

CHECK = "trust-saml-no-audience"


def saml(condition: dict[str, Any]) -> dict[str, Any]:
    return allow(
        {"Federated": "arn:aws:iam::111122223333:saml-provider/Okta"},
        condition,
        Action="sts:AssumeRoleWithSAML",
    )


@pytest.mark.parametrize(
    "audience",
    [
        "https://signin.aws.amazon.com/saml",
        "https://eu-west-1.signin.aws.amazon.com/saml",
        ["https://us-east-1.signin.aws.amazon.com/saml", "https://signin.aws.amazon.com/saml"],
    ],
)
def test_aws_sign_in_endpoints_are_the_audience(audience: Any) -> None:
    assert run_check(CHECK, saml({"StringEquals": {"SAML:aud": audience}})) == ()


def test_a_star_before_signin_admits_another_host() -> None:
    pattern = {"StringLike": {"SAML:aud": "https://*.signin.aws.amazon.com/saml"}}
    (finding,) = run_check(CHECK, saml(pattern))
    recipient = finding.witness["saml"]["saml:aud"]
    assert recipient.startswith("https://attacker.example/")
