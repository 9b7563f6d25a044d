"""A condition on a key the caller's mechanism never supplies makes a statement dead
(trust-dead-condition), never an open role: witnesses use only keys a real request carries
(issue #18, item 1). Sources: docs.aws.amazon.com/IAM/latest/UserGuide/
reference_policies_condition-keys.html and reference_policies_iam-condition-keys.html."""

from __future__ import annotations

from typing import Any

import pytest

from tests.trust.support import GH, GITHUB_PROVIDER, allow, assert_real_witness, assess, github

SAML_PROVIDER = "arn:aws:iam::111122223333:saml-provider/corp"


def checks(document: dict[str, Any]) -> set[str]:
    assessment = assess(document)
    for finding in assessment.findings:
        if finding.witness is not None:
            assert_real_witness(document, finding.witness)
    return {finding.check for finding in assessment.findings}


def dead(document: dict[str, Any]) -> list[Any]:
    return [f for f in assess(document).findings if f.check == "trust-dead-condition"]


@pytest.mark.parametrize(
    ("name", "document", "key"),
    [
        (
            "a typo in the issuer of a key",
            github(
                {"StringEquals": {"token.actions.githubuser.content.com:aud": "sts.amazonaws.com"}}
            ),
            "token.actions.githubuser.content.com:aud",
        ),
        (
            "a GitHub claim AWS does not map",
            github({"StringEquals": {f"{GH}:repository_owner": "octo-org"}}),
            f"{GH}:repository_owner",
        ),
        (
            "an organization key for a web-identity caller",
            github({"StringEquals": {"aws:PrincipalOrgID": "o-abc123def4"}}),
            "aws:PrincipalOrgID",
        ),
        (
            "a web-identity key under an AWS principal",
            allow("*", {"StringEquals": {f"{GH}:sub": "repo:octo-org/app:ref:refs/heads/main"}}),
            f"{GH}:sub",
        ),
        (
            "an external ID for SAML",
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Federated": SAML_PROVIDER},
                        "Action": "sts:AssumeRoleWithSAML",
                        "Condition": {"StringEquals": {"sts:ExternalId": "abc"}},
                    }
                ],
            },
            "sts:ExternalId",
        ),
        (
            "a source ARN for a user or role",
            allow(
                {"AWS": "arn:aws:iam::999988887777:root"},
                {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:999988887777:t"}},
            ),
            "aws:SourceArn",
        ),
    ],
)
def test_condition_on_a_key_never_supplied_is_a_dead_statement(
    name: str, document: dict[str, Any], key: str
) -> None:
    found = dead(document)
    assert [f.evidence["key"] for f in found] == [key], name
    assert found[0].severity.value == "medium"
    assert "nobody can assume it" in found[0].message
    assert checks(document) == {"trust-dead-condition"}


def test_the_typo_is_not_reported_as_open_to_every_tenant() -> None:
    document = github(
        {"StringEquals": {"token.actions.githubuser.content.com:aud": "sts.amazonaws.com"}}
    )
    assert "trust-oidc-any-tenant" not in checks(document)


def test_a_negated_condition_on_a_foreign_key_always_holds_and_kills_nothing() -> None:
    # StringNotEquals on a key that is never present is true: the role stays open.
    document = github({"StringNotEquals": {"token.actions.githubuser.content.com:sub": "x"}})
    assert "trust-oidc-any-tenant" in checks(document)
    assert dead(document) == []


def test_an_unknown_service_key_is_not_assumed_absent() -> None:
    # Keys keyless knows nothing about (ec2:, s3:, …) may be present: never hide access.
    document = allow({"AWS": "arn:aws:iam::999988887777:root"}, {"StringEquals": {"ec2:x": "y"}})
    assert dead(document) == []


def test_a_claim_aws_maps_is_not_dead() -> None:
    document = github(
        {"StringEquals": {f"{GH}:repository_owner_id": "1", f"{GH}:aud": "sts.amazonaws.com"}}
    )
    assert dead(document) == []


def test_the_path_description_says_nobody() -> None:
    document = github({"StringEquals": {f"{GH}:repository_owner": "octo-org"}})
    from keyless.trust.analysis import analyse
    from keyless.trust.describe import describe_path

    (path,) = analyse(document).paths
    assert describe_path(path).startswith(f"nobody through {GITHUB_PROVIDER}")


GITLAB_PROVIDER = "arn:aws:iam::111122223333:oidc-provider/gitlab.com"


def gitlab(sub: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": GITLAB_PROVIDER},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringLike": {"gitlab.com:sub": sub}},
            }
        ],
    }


def test_gitlab_witnesses_use_gitlab_subjects() -> None:
    # GitLab's sub names the branch itself (ref:feature), never ref:refs/heads/feature.
    assessment = assess(gitlab("project_path:group/project:*"))
    subs = [f.witness["claims"]["sub"] for f in assessment.findings if f.witness]
    assert subs
    assert all(sub.startswith("project_path:group/project:ref_type:") for sub in subs)
    assert not any("refs/heads" in sub for sub in subs)
    for finding in assessment.findings:
        if finding.witness is not None:
            assert_real_witness(gitlab("project_path:group/project:*"), finding.witness)


def test_a_witness_never_has_an_empty_suffix() -> None:
    # The missing-audience witness once read repo:O/R: (nothing after the colon).
    document = github({"StringLike": {f"{GH}:sub": "repo:octo-org/app:*"}})
    (finding,) = [f for f in assess(document).findings if f.check == "trust-oidc-missing-audience"]
    assert_real_witness(document, finding.witness)
    assert not finding.witness["claims"]["sub"].endswith(":")
