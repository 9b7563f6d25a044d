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
        # a provider that requires encrypted assertions signs in at its own URL, the
        # Recipient its assertions carry (id_roles_providers_create_saml_assertions.html)
        "https://signin.aws.amazon.com/saml/acs/SAMLSP4SHN3UIS2D558H46",
        "https://eu-west-1.signin.aws.amazon.com/saml/acs/SAMLSPD9IMTW2LM46J042K",
    ],
)
def test_aws_sign_in_endpoints_are_the_audience(audience: Any) -> None:
    assert run_check(CHECK, saml({"StringEquals": {"SAML:aud": audience}})) == ()


@pytest.mark.parametrize(
    "audience",
    [
        # a host that is not AWS's, written before `.signin` after a query or fragment mark
        "https://attacker.example?.signin.aws.amazon.com/saml",
        "https://attacker.example#.signin.aws.amazon.com/saml",
        "https://attacker.example@x.signin.aws.amazon.com/saml/acs/SAMLSPX",
        # no provider identifier, or more than one path segment after /acs/
        "https://signin.aws.amazon.com/saml/acs/",
        "https://signin.aws.amazon.com/saml/acs/SAMLSPX/attacker",
    ],
)
def test_other_recipients_are_not_aws_sign_in(audience: str) -> None:
    (finding,) = run_check(CHECK, saml({"StringEquals": {"SAML:aud": audience}}))
    assert finding.witness["saml"]["saml:aud"] == audience


def test_a_star_before_signin_admits_another_host() -> None:
    pattern = {"StringLike": {"SAML:aud": "https://*.signin.aws.amazon.com/saml"}}
    (finding,) = run_check(CHECK, saml(pattern))
    recipient = finding.witness["saml"]["saml:aud"]
    assert recipient.startswith("https://attacker.example/")
