"""Context keys AWS exposes for OIDC tokens, per issuer.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html
"""

from __future__ import annotations

import pytest

from keyless.errors import InputError
from keyless.idp.oidc import web_identity_context, web_identity_request
from keyless.idp.providers import GITHUB, issuer_prefix, provider_for
from keyless.policy.document import parse_trust_policy
from keyless.policy.evaluate import evaluate

GH = "token.actions.githubusercontent.com"
GITHUB_CLAIMS = {
    "iss": f"https://{GH}",
    "aud": "sts.amazonaws.com",
    "sub": "repo:octo-org/octo-repo:environment:prod",
    "repository": "octo-org/octo-repo",
    "repository_id": "74",
    "repository_owner": "octo-org",
    "repository_owner_id": "65",
    "repository_visibility": "private",
    "environment": "prod",
    "event_name": "push",
    "runner_environment": "github-hosted",
    "job_workflow_ref": "octo-org/octo-repo/.github/workflows/d.yml@refs/heads/main",
    "ref": "refs/heads/main",
    "actor": "octocat",
    "run_id": 5,
}


def keys(claims):
    return {value.key: value.values for value in web_identity_context(claims)[1].values()}


def test_github_keys_are_exactly_what_sts_exposes():
    exposed = keys(GITHUB_CLAIMS)
    assert exposed[f"{GH}:sub"] == ("repo:octo-org/octo-repo:environment:prod",)
    assert exposed[f"{GH}:repository_id"] == ("74",)
    assert exposed[f"{GH}:environment"] == ("prod",)
    for hidden in (
        "repository_owner",
        "repository_visibility",
        "event_name",
        "runner_environment",
        "run_id",
    ):
        assert f"{GH}:{hidden}" not in exposed


def test_github_enterprise_issuer_keeps_path_in_prefix():
    claims = {**GITHUB_CLAIMS, "iss": f"https://{GH}/octo-enterprise"}
    exposed = keys(claims)
    assert f"{GH}/octo-enterprise:sub" in exposed
    assert f"{GH}/octo-enterprise:repository_id" in exposed


def test_ghe_com_issuer_is_github():
    assert provider_for("token.actions.octocorp.ghe.com") is GITHUB


def test_unknown_issuer_exposes_only_sub_and_aud():
    exposed = keys({"iss": "https://idp.example.com/oidc", "sub": "s", "aud": "a", "email": "x"})
    assert set(exposed) == {"idp.example.com/oidc:sub", "idp.example.com/oidc:aud"}
    assert not provider_for("idp.example.com/oidc").shared


def test_gitlab_keys():
    exposed = keys(
        {
            "iss": "https://gitlab.com",
            "sub": "project_path:g/p:ref_type:branch:ref:main",
            "aud": "sts",
            "project_id": 42,
            "ref_protected": "true",
            "project_path": "g/p",
        }
    )
    assert exposed["gitlab.com:project_id"] == ("42",)
    assert exposed["gitlab.com:ref_protected"] == ("true",)
    assert "gitlab.com:project_path" not in exposed


def test_google_aud_is_azp_and_oaud_is_aud():
    exposed = keys(
        {
            "iss": "https://accounts.google.com",
            "sub": "1234",
            "aud": "chosen-by-caller",
            "azp": "1122334455",
            "google": {"organization_number": 987654321},
        }
    )
    assert exposed["accounts.google.com:aud"] == ("1122334455",)
    assert exposed["accounts.google.com:oaud"] == ("chosen-by-caller",)
    assert exposed["accounts.google.com:google/organization_number"] == ("987654321",)


def test_google_aud_without_azp():
    exposed = keys({"iss": "accounts.google.com", "sub": "1", "aud": "client-1"})
    assert exposed["accounts.google.com:aud"] == ("client-1",)


def test_cognito_amr_is_multivalued():
    _, context = web_identity_context(
        {
            "iss": "https://cognito-identity.amazonaws.com",
            "aud": "us-east-1:pool",
            "sub": "us-east-1:id",
            "amr": ["authenticated", "graph.facebook.com"],
        }
    )
    amr = context["cognito-identity.amazonaws.com:amr"]
    assert amr.multivalued
    assert amr.values == ("authenticated", "graph.facebook.com")


def test_circleci_project_id_key():
    exposed = keys(
        {
            "iss": "https://oidc.circleci.com/org/abc-123",
            "sub": "org/abc-123/project/p",
            "aud": "abc-123",
            "oidc.circleci.com/project-id": "p-1",
            "oidc.circleci.com/vcs-ref": "refs/heads/main",
        }
    )
    assert exposed["oidc.circleci.com/org/abc-123:oidc.circleci.com/project-id"] == ("p-1",)
    assert "oidc.circleci.com/org/abc-123:oidc.circleci.com/vcs-ref" not in exposed


def test_buildkite_keys():
    exposed = keys(
        {
            "iss": "https://agent.buildkite.com",
            "sub": "organization:acme:pipeline:p",
            "aud": "sts.amazonaws.com",
            "organization_slug": "acme",
        }
    )
    assert exposed["agent.buildkite.com:organization_slug"] == ("acme",)


def test_facebook_keys():
    exposed = keys({"iss": "graph.facebook.com", "app_id": "123", "id": "u1", "sub": "ignored"})
    assert exposed == {"graph.facebook.com:app_id": ("123",), "graph.facebook.com:id": ("u1",)}


def test_missing_iss_is_an_input_error():
    with pytest.raises(InputError, match="iss"):
        web_identity_context({"sub": "x"})


@pytest.mark.parametrize(
    ("issuer", "prefix"),
    [
        ("https://token.actions.githubusercontent.com", GH),
        (
            "https://oidc.eks.us-east-1.amazonaws.com/id/ABC",
            "oidc.eks.us-east-1.amazonaws.com/id/ABC",
        ),
        # Auth0 and Entra ID v1 issuers end in '/', and so do their keys (TENANT/:aud).
        ("https://acme.eu.auth0.com/", "acme.eu.auth0.com/"),
        ("https://sts.windows.net/tenant-id/", "sts.windows.net/tenant-id/"),
        ("accounts.google.com", "accounts.google.com"),
    ],
)
def test_issuer_prefix(issuer, prefix):
    assert issuer_prefix(issuer) == prefix


def cognito_policy(operator):
    return parse_trust_policy(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow",
                "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:pool"},
                    operator: {"cognito-identity.amazonaws.com:amr": "authenticated"},
                },
            },
        }
    )


def cognito(amr):
    return web_identity_request(
        {
            "iss": "https://cognito-identity.amazonaws.com",
            "aud": "us-east-1:pool",
            "sub": "us-east-1:id",
            "amr": amr,
        }
    )


def test_cognito_for_any_value_admits_authenticated_not_guests():
    # https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html
    document = cognito_policy("ForAnyValue:StringLike")
    assert evaluate(document, cognito(["authenticated", "graph.facebook.com"])).allowed
    assert not evaluate(document, cognito(["unauthenticated"])).allowed


def test_cognito_for_all_values_rejects_authenticated_users():
    # trust-policies.md §5: the broken variant (inferred behaviour, reproduced).
    document = cognito_policy("ForAllValues:StringLike")
    assert not evaluate(document, cognito(["authenticated", "graph.facebook.com"])).allowed


def test_for_all_values_on_missing_claim_passes():
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
    document = parse_trust_policy(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::111122223333:oidc-provider/{GH}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"ForAllValues:StringEquals": {f"{GH}:environment": "prod"}},
            },
        }
    )
    claims = {k: v for k, v in GITHUB_CLAIMS.items() if k != "environment"}
    assert evaluate(document, web_identity_request(claims)).allowed


def test_token_session_tags_require_tag_session():
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html
    claims = {**GITHUB_CLAIMS, "https://aws.amazon.com/tags": {"principal_tags": {"team": ["ops"]}}}
    request = web_identity_request(claims)
    assert request.actions == ("sts:AssumeRoleWithWebIdentity", "sts:TagSession")
    assert request.context["aws:requesttag/team"].values == ("ops",)


def test_role_authorized_by_idp():
    role = "arn:aws:iam::111122223333:role/R"
    request = web_identity_request({**GITHUB_CLAIMS, "roles": [role]}, role_arn=role)
    assert request.context["sts:roleauthorizedbyidp"].values == ("true",)


@pytest.mark.parametrize(
    "subject",
    [["repo:o/r:ref:refs/heads/main", "repo:attacker/x:ref:refs/heads/main"], 42, True, {"a": 1}],
)
@pytest.mark.parametrize(
    "issuer", ["https://token.actions.githubusercontent.com", "https://idp.example.com"]
)
def test_a_sub_claim_that_is_not_one_string_is_refused(subject: object, issuer: str) -> None:
    """RFC 7519 4.1.2 makes ``sub`` one string. A list was read as several values, so a
    condition pinning one of them allowed a token that also named another repository; how
    STS reads such a token is not documented, so keyless does not guess."""
    claims = {"iss": issuer, "aud": "sts.amazonaws.com", "sub": subject}
    with pytest.raises(InputError, match="sub claim is"):
        web_identity_context(claims)
