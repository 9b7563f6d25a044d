"""A trust policy whose ``Federated`` principal is an IAM provider ARN naming no account
(``arn:aws:iam:::oidc-provider/token.actions.githubusercontent.com``), a short one
(``::1234:``), no partition or a Region was judged as the provider it resembles: "any
GitHub Actions workflow in o/r …", no finding. No provider can have such an ARN, and STS
takes tokens and assertions only through a provider that exists (for OIDC, one of the
role's own account), so the statement admits nobody: the path says "nobody through …" and
``trust-dead-condition`` (medium) says why, whatever the role's account, known or not."""

from __future__ import annotations

from typing import Any

import pytest

from keyless.engine import assess_trust
from keyless.model import Role
from keyless.trust.describe import describe_path
from keyless.trust.owner import malformed_provider
from keyless.trust.replay import evaluate_witness

GITHUB = "token.actions.githubusercontent.com"


def _oidc(principal: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": principal},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"},
                    "StringLike": {f"{GITHUB}:sub": "repo:o/*"},
                },
            }
        ],
    }


def _saml(principal: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": principal},
                "Action": "sts:AssumeRoleWithSAML",
            }
        ],
    }


MALFORMED = [
    (f"arn:aws:iam:::oidc-provider/{GITHUB}", "its account '' is not 12 digits"),
    (f"arn:aws:iam::1234:oidc-provider/{GITHUB}", "its account '1234' is not 12 digits"),
    (f"arn::iam::111122223333:oidc-provider/{GITHUB}", "its partition '' is none AWS has"),
    (f"arn:aws:iam:us-east-1:111122223333:oidc-provider/{GITHUB}", "the Region 'us-east-1'"),
]


@pytest.mark.parametrize("account", ["111122223333", "000000000000"], ids=["own", "unknown"])
@pytest.mark.parametrize(("principal", "why"), MALFORMED)
def test_an_oidc_provider_arn_naming_no_account_admits_nobody(
    principal: str, why: str, account: str
) -> None:
    role = Role(account, "ci", f"arn:aws:iam::{account}:role/ci", trust_policy=_oidc(principal))
    assessment = assess_trust(role)
    assert [f.check for f in assessment.findings] == ["trust-dead-condition"]
    (finding,) = assessment.findings
    assert finding.severity == "medium"
    assert "which admits nobody: " in finding.message
    assert why in finding.message
    (path,) = assessment.analysis.paths
    assert describe_path(path, account).startswith(f"nobody through {principal}: ")


def test_a_saml_provider_arn_naming_no_account_admits_nobody() -> None:
    policy = _saml("arn:aws:iam:::saml-provider/okta")
    role = Role("111122223333", "sso", "arn:aws:iam::111122223333:role/sso", trust_policy=policy)
    assessment = assess_trust(role)
    assert "trust-dead-condition" in [f.check for f in assessment.findings]
    assert all(f.witness is None for f in assessment.findings)


@pytest.mark.parametrize(
    "principal",
    [
        f"arn:aws:iam::111122223333:oidc-provider/{GITHUB}",
        f"arn:aws-us-gov:iam::111122223333:oidc-provider/{GITHUB}",
        f"arn:aws-iso-b:iam::111122223333:oidc-provider/{GITHUB}",
        "arn:aws:iam::111122223333:saml-provider/okta",
        f"arn:aws:iam::${{AWS::AccountId}}:oidc-provider/{GITHUB}",  # a template: not judged
        "accounts.google.com",
        "*",
    ],
)
def test_a_well_formed_provider_is_not_malformed(principal: str) -> None:
    assert malformed_provider(principal) is None


def test_the_well_formed_provider_is_still_judged_and_replayed() -> None:
    principal = f"arn:aws:iam::111122223333:oidc-provider/{GITHUB}"
    role = Role(
        "111122223333", "ci", "arn:aws:iam::111122223333:role/ci", trust_policy=_oidc(principal)
    )
    assessment = assess_trust(role)
    assert "trust-oidc-broad-subject" in [f.check for f in assessment.findings]
    for finding in assessment.findings:
        if finding.witness is not None:
            policy = assessment.analysis.policy
            assert evaluate_witness(policy, finding.witness, role_arn=role.arn).allowed
