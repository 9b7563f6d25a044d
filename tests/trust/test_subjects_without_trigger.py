"""A GitHub custom subject whose template leaves the trigger out (`include_claim_keys`
`["repo"]`, GitHub's "Granting access to a specific repository": "all the workflows in a
specific repository, across all branches/tags and environments"; or `repository_owner`,
`repository_owner_id`, `repository_id` alone) is minted by every run, a pull request's and a
feature branch's too: `trust-oidc-untrusted-trigger`, medium, since only such a template
mints it (the default subject always shows the trigger). The witness's `ref` claim says
which run it is.
https://docs.github.com/en/actions/reference/security/oidc#example-granting-access-to-a-specific-repository"""

from __future__ import annotations

from typing import Any

import pytest

from tests.trust.support import GH, assert_real_witness, assess, github

AUD = {f"{GH}:aud": "sts.amazonaws.com"}


def triggers(condition: dict[str, Any]) -> list[Any]:
    document = github(condition)
    found = [f for f in assess(document).findings if f.check == "trust-oidc-untrusted-trigger"]
    for finding in found:
        assert_real_witness(document, finding.witness)
    return found


@pytest.mark.parametrize(
    "sub",
    [
        "repo:octo-org/app",
        "repo:octo-org@1/app@2",
        "repository_owner:octo-org",
        "repository_owner_id:123",
        "repository_id:456",
        "repository_owner:octo-org:repository_visibility:private",
    ],
)
def test_a_subject_that_shows_no_trigger_is_every_runs(sub: str) -> None:
    found = triggers({"StringEquals": {**AUD, f"{GH}:sub": sub}})
    by_trigger = {f.evidence["trigger"]: f for f in found}
    assert sorted(by_trigger) == ["a pull request", "an unprotected branch"]
    for finding in found:
        assert finding.severity.value == "medium"
        assert "if a custom subject template leaves the trigger out" in finding.message
        assert finding.witness["claims"]["sub"] == sub
    assert by_trigger["a pull request"].witness["claims"]["ref"].startswith("refs/pull/")
    assert by_trigger["an unprotected branch"].witness["claims"]["ref"] == "refs/heads/feature"


@pytest.mark.parametrize(
    "sub",
    [
        "repo:octo-org/app",
        "job_workflow_ref:octo-org/shared/.github/workflows/deploy.yml@refs/heads/main",
    ],
)
def test_the_ref_claim_pinned_to_the_default_branch_admits_no_other_run(sub: str) -> None:
    condition = {"StringEquals": {**AUD, f"{GH}:sub": sub, f"{GH}:ref": "refs/heads/main"}}
    assert triggers(condition) == []


@pytest.mark.parametrize(
    "sub",
    [
        "repo:octo-org/app:ref:refs/heads/main",
        "repo:octo-org/app:environment:production",
        "repo:octo-org/app:workflow_ref:octo-org/app/.github/workflows/d.yml@refs/heads/main",
    ],
)
def test_a_subject_that_shows_its_trigger_is_judged_by_it(sub: str) -> None:
    assert triggers({"StringEquals": {**AUD, f"{GH}:sub": sub}}) == []


def test_a_silent_subject_of_another_repository_is_judged_as_that_repository() -> None:
    # The triggers are asked of the repository the policy names (app); acme-mobile's
    # repositories are another owner's, reported as such, not as app's triggers (as
    # `repo:acme-mobile/*:ref:refs/heads/feature` is not).
    subs = ["repo:octo-org/app:ref:refs/heads/main", "repo:acme-mobile/*"]
    document = github({"StringEquals": AUD, "StringLike": {f"{GH}:sub": subs}})
    checks = {f.check for f in assess(document).findings}
    assert "trust-oidc-untrusted-trigger" not in checks
    assert checks & {"trust-oidc-any-tenant", "trust-oidc-broad-subject"}
