"""GitHub's `ref` claim (an AWS condition key since 2026) says which ref a run is on, as its
subject does: a pull request's run has `ref` `refs/pull/N/merge` (once merged, the branch it
was merged into, whose code now holds it), a branch's the branch, a tag's the tag. A policy
pinning the `ref` claim to the default branch admits no pull request's unreviewed code,
feature branch's or new environment's run, whatever its `sub` pattern.
https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows#pull_request
https://docs.github.com/en/actions/reference/security/oidc"""

from __future__ import annotations

from typing import Any

import pytest

from tests.trust.support import GH, assert_real_witness, assess, github

AUD = {f"{GH}:aud": "sts.amazonaws.com"}


def triggers(sub: str, ref: str) -> list[Any]:
    document = github({"StringEquals": AUD, "StringLike": {f"{GH}:sub": sub, f"{GH}:ref": ref}})
    found = [f for f in assess(document).findings if f.check == "trust-oidc-untrusted-trigger"]
    for finding in found:
        assert_real_witness(document, finding.witness)
    return found


@pytest.mark.parametrize("sub", ["repo:octo-org/app:*", "repo:octo-org/app:environment:*"])
def test_the_default_branch_as_the_ref_claim_admits_no_trigger(sub: str) -> None:
    assert triggers(sub, "refs/heads/main") == []


def test_branches_as_the_ref_claim_admit_a_branch_and_a_pull_request_merged_into_one() -> None:
    # A merged pull request's run (`closed`) has the ref of the branch it was merged into.
    found = {f.evidence["trigger"]: f for f in triggers("repo:octo-org/app:*", "refs/heads/*")}
    assert set(found) == {"an unprotected branch", "a pull request"}
    for finding in found.values():
        ref = finding.witness["claims"]["ref"]
        assert ref.startswith("refs/heads/")
        assert ref not in ("refs/heads/main", "refs/heads/master")
    assert found["a pull request"].witness["claims"]["sub"] == "repo:octo-org/app:pull_request"


@pytest.mark.parametrize("ref", ["refs/heads/*", "refs/heads/release/*"])
def test_a_pull_request_pin_with_branches_as_the_ref_claim_admits_a_merged_one(ref: str) -> None:
    # `closed` after a merge into an unprotected branch: its unreviewed code, with the role.
    document = github(
        {
            "StringEquals": {**AUD, f"{GH}:sub": "repo:octo-org/app:pull_request"},
            "StringLike": {f"{GH}:ref": ["refs/heads/main", ref]},
        }
    )
    found = [f for f in assess(document).findings if f.check == "trust-oidc-untrusted-trigger"]
    (finding,) = found
    assert_real_witness(document, finding.witness)
    assert finding.evidence["trigger"] == "a pull request"
    assert finding.witness["claims"]["ref"] != "refs/heads/main"


def test_a_pull_request_pin_with_the_default_branch_as_the_ref_claim_is_reviewed_code() -> None:
    # A pull request merged into main runs main's code: reviewed, no finding.
    assert triggers("repo:octo-org/app:pull_request", "refs/heads/main") == []


def test_pull_requests_as_the_ref_claim_admit_a_pull_request_only() -> None:
    (finding,) = triggers("repo:octo-org/app:*", "refs/pull/*")
    assert finding.evidence["trigger"] == "a pull request"
    assert finding.witness["claims"]["sub"] == "repo:octo-org/app:pull_request"


def test_a_branch_the_ref_claim_names_is_a_named_branch() -> None:
    # Only develop's runs: whether develop is protected is unknown offline (low), and a
    # job on develop naming a new environment runs develop's code (the branch's verdict).
    (finding,) = triggers("repo:octo-org/app:*", "refs/heads/develop")
    assert finding.severity.value == "low"
    assert finding.evidence["subjects"] == ["refs/heads/develop"]
    assert finding.witness["claims"]["sub"] == "repo:octo-org/app:ref:refs/heads/develop"


def test_a_tag_the_ref_claim_names_is_a_release_already_cut() -> None:
    assert triggers("repo:octo-org/app:*", "refs/tags/v1.0.0") == []


def test_a_witness_shows_the_ref_of_the_ref_claim_in_its_sub_too() -> None:
    (finding,) = [
        f
        for f in triggers("repo:octo-org/app:*", "refs/heads/release/*")
        if f.evidence["trigger"] == "an unprotected branch"
    ]
    claims = finding.witness["claims"]
    assert claims["ref"].startswith("refs/heads/release/")
    assert claims["ref"] != "refs/heads/release/"  # no ref git allows
    assert claims["sub"] == f"repo:octo-org/app:ref:{claims['ref']}"


def test_a_subject_without_trigger_on_a_named_branch_is_a_named_branch() -> None:
    document = github(
        {
            "StringEquals": {
                **AUD,
                f"{GH}:sub": "repo:octo-org/app",
                f"{GH}:ref": ["refs/heads/develop", "refs/heads/main"],
            }
        }
    )
    found = [f for f in assess(document).findings if f.check == "trust-oidc-untrusted-trigger"]
    (finding,) = found
    assert_real_witness(document, finding.witness)
    assert finding.severity.value == "low"
    assert finding.evidence["subjects"] == ["refs/heads/develop"]
