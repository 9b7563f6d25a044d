"""trust-oidc-untrusted-trigger says what a subject pin admits (issue #18, item 3): a pattern
that admits any branch or pull requests is high; a pin to named branches is low, because
whether a named branch is protected cannot be known offline."""

from __future__ import annotations

from typing import Any

from tests.trust.support import GH, assert_real_witness, assess, github

AUD = {f"{GH}:aud": "sts.amazonaws.com"}


def triggers(document: dict[str, Any]) -> list[Any]:
    found = [f for f in assess(document).findings if f.check == "trust-oidc-untrusted-trigger"]
    for finding in found:
        assert_real_witness(document, finding.witness)
    return found


def pinned(*subs: str) -> dict[str, Any]:
    return github({"StringEquals": {**AUD, f"{GH}:sub": list(subs)}})


def test_one_named_branch_is_low_with_the_caveat() -> None:
    (finding,) = triggers(pinned("repo:octo-org/app:ref:refs/heads/develop"))
    assert finding.severity.value == "low"
    assert finding.evidence["subjects"] == ["repo:octo-org/app:ref:refs/heads/develop"]
    assert "cannot be known offline" in finding.message


def test_several_named_branches_are_listed() -> None:
    (finding,) = triggers(
        pinned("repo:octo-org/app:ref:refs/heads/develop", "repo:octo-org/app:ref:refs/heads/qa")
    )
    assert finding.severity.value == "low"
    assert len(finding.evidence["subjects"]) == 2


def test_the_default_branch_alone_is_not_reported() -> None:
    assert triggers(pinned("repo:octo-org/app:ref:refs/heads/main")) == []


def test_a_branch_pattern_is_high() -> None:
    document = github(
        {"StringEquals": AUD, "StringLike": {f"{GH}:sub": "repo:octo-org/app:ref:refs/heads/*"}}
    )
    (finding,) = triggers(document)
    assert finding.severity.value == "high"
    assert finding.evidence["trigger"] == "an unprotected branch"


def test_a_named_branch_beside_a_pattern_is_high() -> None:
    document = github(
        {
            "StringEquals": AUD,
            "StringLike": {
                f"{GH}:sub": [
                    "repo:octo-org/app:ref:refs/heads/develop",
                    "repo:octo-org/app:ref:refs/heads/release-*",
                ]
            },
        }
    )
    (finding,) = triggers(document)
    assert finding.severity.value == "high"
    assert finding.witness["claims"]["sub"].startswith("repo:octo-org/app:ref:refs/heads/release-")


def test_pull_requests_stay_high() -> None:
    document = pinned("repo:octo-org/app:pull_request")
    (finding,) = triggers(document)
    assert (finding.severity.value, finding.evidence["trigger"]) == ("high", "a pull request")


def test_branches_of_every_repository_admit_no_pull_request() -> None:
    # The wildcard crosses ':' (repo:octo-org/a:pull_request:ref:refs/heads/…), but a pull
    # request's ref is refs/pull/N/merge: such a subject is one merged into a branch, whose
    # run is the branch's (its ref and code).
    document = github(
        {"StringEquals": AUD, "StringLike": {f"{GH}:sub": "repo:octo-org/*:ref:refs/heads/*"}}
    )
    (finding,) = triggers(document)
    assert finding.evidence["trigger"] == "an unprotected branch"


def test_a_repository_wildcard_admits_the_real_pull_request_subject() -> None:
    document = github({"StringEquals": AUD, "StringLike": {f"{GH}:sub": "repo:octo-org/*"}})
    found = {f.evidence["trigger"]: f for f in triggers(document)}
    assert found["a pull request"].witness["claims"]["sub"].endswith(":pull_request")
    assert found["a pull request"].witness["claims"]["sub"].count(":") == 2


def test_an_environment_named_pull_request_is_not_a_pull_request() -> None:
    document = pinned("repo:octo-org/app:environment:pull_request")
    assert triggers(document) == []


def test_gitlab_protected_ref_pin_admits_no_unprotected_branch() -> None:
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/gitlab.com"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        "gitlab.com:aud": "sts.amazonaws.com",
                        "gitlab.com:ref_protected": "true",
                    },
                    "StringLike": {
                        "gitlab.com:sub": "project_path:group/app:ref_type:branch:ref:*"
                    },
                },
            }
        ],
    }
    assert triggers(document) == []
    document["Statement"][0]["Condition"]["StringEquals"].pop("gitlab.com:ref_protected")
    (finding,) = triggers(document)
    assert finding.witness["claims"]["sub"] == "project_path:group/app:ref_type:branch:ref:feature"


JWR = f"{GH}:job_workflow_ref"
SHARED = "octo-org/shared/.github/workflows/deploy.yml@refs/heads/main"


def test_a_pinned_reusable_workflow_makes_the_organisation_wide_subject_low() -> None:
    document = github(
        {"StringEquals": {**AUD, JWR: SHARED}, "StringLike": {f"{GH}:sub": "repo:octo-org/*"}}
    )
    found = [f for f in assess(document).findings if f.check.startswith("trust-oidc-")]
    assert found
    for finding in found:
        assert_real_witness(document, finding.witness)
        assert finding.severity.value == "low"
        assert finding.message.endswith(f"only through the reusable workflow {SHARED}")


def test_a_reusable_workflow_at_any_ref_is_no_pin() -> None:
    loose = SHARED.replace("refs/heads/main", "*")
    document = github(
        {"StringEquals": AUD, "StringLike": {JWR: loose, f"{GH}:sub": "repo:octo-org/*"}}
    )
    severities = {f.severity.value for f in triggers(document)}
    assert severities == {"high"}


def test_any_environment_is_one_a_workflow_creates_unprotected() -> None:
    document = github(
        {
            "StringEquals": AUD,
            "StringLike": {
                f"{GH}:sub": [
                    "repo:octo-org/app:ref:refs/heads/main",
                    "repo:octo-org/app:environment:*",
                ]
            },
        }
    )
    (finding,) = triggers(document)
    assert finding.severity.value == "high"
    assert finding.evidence["trigger"] == "an environment a workflow creates unprotected"
    assert finding.witness["claims"]["sub"] == "repo:octo-org/app:environment:preview"


def test_named_environments_are_the_recommended_pin() -> None:
    document = pinned(
        "repo:octo-org/app:environment:production", "repo:octo-org/app:environment:staging"
    )
    assert triggers(document) == []


def test_a_repository_wildcard_reports_its_triggers_once() -> None:
    document = github({"StringEquals": AUD, "StringLike": {f"{GH}:sub": "repo:octo-org/app:*"}})
    labels = [f.evidence["trigger"] for f in triggers(document)]
    assert labels == ["a pull request", "an unprotected branch"]
