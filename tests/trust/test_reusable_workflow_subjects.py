"""A GitHub custom subject that includes `job_workflow_ref` (the OIDC reference's
"Requiring a reusable workflow": `sub` `job_workflow_ref:OWNER/REPO/PATH@REF`) pins the
reusable workflow as the `job_workflow_ref` claim does: only that workflow's code at that
ref runs with the role, whichever repository calls it, so the same verdict (low).
https://docs.github.com/en/actions/reference/security/oidc#example-requiring-a-reusable-workflow

The workflow names no caller: "the workflow, ref, and other attributes describe the caller
workflow, while job_workflow_ref refers to the called workflow", and a reusable workflow in
a public repository may be called from any repository. A pin of the workflow alone is
`trust-oidc-any-tenant` (high when the workflow is pinned exactly, its witness naming the
caller's repository); with the owner pinned too (`repo:octo-org/*`), low.
https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-with-reusable-workflows
https://docs.github.com/en/actions/how-tos/reuse-automations/reuse-workflows#access-to-reusable-workflows"""

from __future__ import annotations

import re
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
        {
            "StringEquals": AUD,
            "StringLike": {f"{GH}:sub": f"repository_visibility:*:job_workflow_ref:{SHARED}"},
        },
    ],
    ids=["in-the-subject", "as-the-claim", "after-another-field"],
)
def test_a_reusable_workflow_alone_pins_no_caller(condition: dict[str, Any]) -> None:
    found = oidc_findings(github(condition))
    (finding,) = [f for f in found if f.check == "trust-oidc-any-tenant"]
    assert finding.severity.value == "high"
    assert f"through the reusable workflow {SHARED}, if its repository is public" in (
        finding.message
    )
    assert finding.evidence["workflows"] == [SHARED]
    # The caller is a stranger's repository, whatever the workflow's owner.
    owner = finding.witness["claims"]["repository"].split("/")[0]
    assert owner.lower() != "octo-org"
    assert not [f for f in found if f.check == "trust-oidc-broad-subject"]


@pytest.mark.parametrize(
    "condition",
    [
        {
            "StringEquals": AUD,
            "StringLike": {f"{GH}:sub": f"repo:octo-org/*:job_workflow_ref:{SHARED}"},
        },
        {
            "StringEquals": {**AUD, f"{GH}:job_workflow_ref": SHARED},
            "StringLike": {f"{GH}:sub": "repo:octo-org/*"},
        },
        {
            "StringEquals": {
                **AUD,
                f"{GH}:repository_owner_id": "1",
                f"{GH}:job_workflow_ref": SHARED,
            }
        },
    ],
    ids=["owner-in-the-subject", "owner-in-the-subject-workflow-claim", "owner-id-claim"],
)
def test_a_reusable_workflow_with_the_owner_pinned_is_low(condition: dict[str, Any]) -> None:
    found = oidc_findings(github(condition))
    assert not [f for f in found if f.check == "trust-oidc-any-tenant"]
    broad = [f for f in found if f.check == "trust-oidc-broad-subject"]
    assert [f.severity.value for f in broad] == ["low"]
    assert broad[0].message.endswith(f"only through the reusable workflow {SHARED}")


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
    found = [f for f in oidc_findings(document) if f.check == "trust-oidc-any-tenant"]
    assert [f.severity.value for f in found] == ["critical"]
    assert "through" not in found[0].message


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
    triggered = [f for f in found if f.check == "trust-oidc-untrusted-trigger"]
    assert sorted(f.evidence["trigger"] for f in triggered) == [
        "a pull request",
        "an unprotected branch",
    ]
    assert {f.severity.value for f in triggered} == {"low"}


def test_a_subject_that_shows_a_protected_ref_is_no_trigger() -> None:
    value = f"job_workflow_ref:{SHARED}:ref:refs/heads/main"
    document = github({"StringEquals": {**AUD, f"{GH}:sub": value}})
    found = oidc_findings(document)
    assert [f for f in found if f.check == "trust-oidc-untrusted-trigger"] == []


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": AUD, "StringLike": {f"{GH}:sub": "job_workflow_ref:*"}},
        {"StringEquals": AUD, "StringLike": {f"{GH}:sub": "repo:octo-org/app:job_workflow_ref:*"}},
    ],
    ids=["any-workflow", "any-workflow-of-a-repository"],
)
def test_a_witness_names_a_workflow_as_github_writes_it(condition: dict[str, Any]) -> None:
    # Not the shortest reference the grammar admits (`a/a/.github/workflows/.yml@refs/a`).
    found = oidc_findings(github(condition))
    assert found
    for finding in found:
        workflow = finding.witness["claims"]["sub"].split("job_workflow_ref:")[1].split(":")[0]
        assert workflow.endswith(".yml@refs/heads/main"), finding.witness
        assert "/.github/workflows/" in workflow


def test_a_witness_s_workflow_claim_is_readable() -> None:
    document = github(
        {
            "StringEquals": AUD,
            "StringLike": {f"{GH}:job_workflow_ref": "*", f"{GH}:sub": "repo:octo-org/app:*"},
        }
    )
    found = oidc_findings(document)
    assert found
    for finding in found:
        workflow = finding.witness["claims"]["job_workflow_ref"]
        assert re.fullmatch(r"[^/]+/[^/]+/\.github/workflows/[^/]+\.yml@refs/heads/main", workflow)
