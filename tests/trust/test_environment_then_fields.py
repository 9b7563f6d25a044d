"""A GitHub custom template may put other claims after the context (`include_claim_keys`
`["repo", "context", "job_workflow_ref"]`: `repo:O/R:environment:E:job_workflow_ref:…`, the
OIDC reference's own example). A pattern over the environment there admits one a workflow
creates unprotected, as `repo:O/R:environment:*` does; an environment named exactly keeps
its protection rules wherever the fields after it go.
https://docs.github.com/en/actions/reference/security/oidc#example-requiring-a-reusable-workflow-and-other-claims
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.trust.support import GH, assert_real_witness, assess, github

AUD = {f"{GH}:aud": "sts.amazonaws.com"}
CREATED = "an environment a workflow creates unprotected"
SHARED = "octo-org/automation/.github/workflows/oidc.yml@refs/heads/main"


def triggers(value: str) -> list[Any]:
    document = github({"StringEquals": AUD, "StringLike": {f"{GH}:sub": value}})
    found = [f for f in assess(document).findings if f.check == "trust-oidc-untrusted-trigger"]
    for finding in found:
        assert_real_witness(document, finding.witness)
    return found


def test_any_environment_before_other_fields_is_one_a_workflow_creates() -> None:
    (finding,) = triggers("repo:octo-org/app:environment:*:job_workflow_ref:*")
    assert finding.severity.value == "high"
    assert finding.evidence["trigger"] == CREATED
    assert finding.witness["claims"]["sub"].startswith(
        "repo:octo-org/app:environment:preview:job_workflow_ref:"
    )


def test_through_a_pinned_reusable_workflow_it_is_low() -> None:
    (finding,) = triggers(f"repo:octo-org/app:environment:*:job_workflow_ref:{SHARED}")
    assert finding.severity.value == "low"
    assert finding.message.endswith(f"only through the reusable workflow {SHARED}")


@pytest.mark.parametrize(
    "value",
    [
        "repo:octo-org/app:environment:prod:*",
        "repo:octo-org/app:environment:prod:job_workflow_ref:*",
        "repo:octo-org@1/app@2:environment:prod:*",
        "repo:octo-org/app:environment:*:ref:refs/heads/main",  # the protected branch's run
    ],
)
def test_a_named_environment_or_a_ref_is_not_reported(value: str) -> None:
    assert triggers(value) == []


def test_an_environment_named_for_every_repository_is_not_named() -> None:
    """Protection rules are each repository's: `*:environment:dev` admits another
    repository's `dev`, which a workflow there creates unprotected."""
    (finding,) = triggers("repo:octo-org/*:environment:dev:job_workflow_ref:*")
    assert finding.evidence["trigger"] == CREATED
