"""A GitHub custom subject that includes `job_workflow_ref` (the OIDC reference's
"Requiring a reusable workflow": `sub` `job_workflow_ref:OWNER/REPO/PATH@REF`) pins the
reusable workflow as the `job_workflow_ref` claim does: only that workflow's code at that
ref runs with the role, whichever repository calls it, so the same verdict (low).
https://docs.github.com/en/actions/reference/security/oidc#example-requiring-a-reusable-workflow"""

from __future__ import annotations

from typing import Any

import pytest

from tests.trust.support import GH, assert_real_witness, assess, github

AUD = {f"{GH}:aud": "sts.amazonaws.com"}
SHARED = "octo-org/automation/.github/workflows/deploy.yml@refs/heads/main"


def oidc_findings(document: dict[str, Any]) -> list[Any]:
    found = [f for f in assess(document).findings if f.check.startswith("trust-oidc-")]
    for finding in found:
        assert_real_witness(document, finding.witness)
    return found


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {**AUD, f"{GH}:sub": f"job_workflow_ref:{SHARED}"}},
        {"StringEquals": {**AUD, f"{GH}:job_workflow_ref": SHARED}},
    ],
    ids=["in-the-subject", "as-the-claim"],
)
def test_a_reusable_workflow_pinned_in_the_subject_is_the_claim_pinned(
    condition: dict[str, Any],
) -> None:
    broad = [f for f in oidc_findings(github(condition)) if f.check == "trust-oidc-broad-subject"]
    (finding,) = broad
    assert finding.severity.value == "low"
    assert finding.message.endswith(f"only through the reusable workflow {SHARED}")
    assert finding.evidence["workflows"] == [SHARED]


def test_a_template_of_repository_context_and_workflow_is_low_for_every_run() -> None:
    document = github(
        {
            "StringEquals": AUD,
            "StringLike": {f"{GH}:sub": f"repo:octo-org/*:job_workflow_ref:{SHARED}"},
        }
    )
    found = oidc_findings(document)
    assert {f.check for f in found} == {"trust-oidc-broad-subject", "trust-oidc-untrusted-trigger"}
    assert {f.severity.value for f in found} == {"low"}


@pytest.mark.parametrize(
    "subjects",
    [
        [f"job_workflow_ref:{SHARED}", "repo:octo-org/*"],  # one value not through it
        [f"job_workflow_ref:{SHARED}*"],  # a ref that is a prefix: other branches
        [f"job_workflow_ref:{SHARED.replace('refs/heads/main', '*')}"],
    ],
)
def test_a_subject_that_admits_other_workflows_is_no_pin(subjects: list[str]) -> None:
    document = github({"StringEquals": AUD, "StringLike": {f"{GH}:sub": subjects}})
    broad = [f for f in oidc_findings(document) if f.check == "trust-oidc-broad-subject"]
    assert [f.severity.value for f in broad] == ["high"]
    assert "only through" not in broad[0].message


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {**AUD, f"{GH}:sub": f"job_workflow_ref:{SHARED}"}},
        {"StringEquals": {**AUD, f"{GH}:job_workflow_ref": SHARED}},
        {
            "StringEquals": AUD,
            "StringLike": {f"{GH}:sub": f"repository_owner_id:1:job_workflow_ref:{SHARED}"},
        },
    ],
    ids=["in-the-subject", "as-the-claim", "among-fields-that-show-no-trigger"],
)
def test_a_subject_that_shows_no_trigger_is_minted_by_every_trigger(
    condition: dict[str, Any],
) -> None:
    # The ref and event are the caller's, and the subject shows neither: a pull request's
    # or a feature branch's run that calls the workflow mints the same subject, as it does
    # the claim (the workflow's code runs: low).
    # https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-with-reusable-workflows
    found = oidc_findings(github(condition))
    triggers = sorted(
        f.evidence["trigger"] for f in found if f.check == "trust-oidc-untrusted-trigger"
    )
    assert triggers == ["a pull request", "an unprotected branch"]
    assert {f.severity.value for f in found} == {"low"}


def test_a_subject_that_shows_a_protected_ref_is_no_trigger() -> None:
    value = f"job_workflow_ref:{SHARED}:ref:refs/heads/main"
    document = github({"StringEquals": {**AUD, f"{GH}:sub": value}})
    found = oidc_findings(document)
    assert [f for f in found if f.check == "trust-oidc-untrusted-trigger"] == []
