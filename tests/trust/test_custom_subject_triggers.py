"""A GitHub custom subject (`include_claim_keys`) may show the trigger without the context
or the ref: the event (`event_name`), the ref's type (`ref_type`) or a pull request's
branches (`head_ref`, `base_ref`). Each is judged as the run it names: `event_name:push`
or `ref_type:branch` with the repository pinned and no branch is any branch's run (as
`ref:refs/heads/*` is), `head_ref`/`base_ref` a pull request's; they were "No trust
findings". https://docs.github.com/en/actions/reference/security/oidc
https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.trust.support import GH, assert_real_witness, assess, github

AUD = {f"{GH}:aud": "sts.amazonaws.com"}
PULL_REQUEST, BRANCH, TAG = "a pull request", "an unprotected branch", "an unprotected tag"


def triggers(condition: dict[str, Any]) -> dict[str, Any]:
    """The untrusted-trigger findings by trigger, each witness replayed and well formed."""
    document = github(condition)
    found = [f for f in assess(document).findings if f.check == "trust-oidc-untrusted-trigger"]
    for finding in found:
        assert_real_witness(document, finding.witness)
    return {f.evidence["trigger"]: f for f in found}


@pytest.mark.parametrize(
    ("sub", "expected"),
    [
        ("repo:octo-org/app:event_name:push", {BRANCH}),
        ("repo:octo-org/app:event_name:workflow_dispatch", {BRANCH}),
        ("event_name:push:repo:octo-org/app", {BRANCH}),
        # A pull request's run has ref_type branch too.
        ("repo:octo-org/app:ref_type:branch", {PULL_REQUEST, BRANCH}),
        ("repo:octo-org/app:head_ref:feature", {PULL_REQUEST}),
        ("repo:octo-org/app:base_ref:main", {PULL_REQUEST}),
        ("repo:octo-org/app:ref:refs/pull/1/merge", {PULL_REQUEST}),
        ("repo:octo-org/app:ref_type:tag", {TAG}),
        ("repo:octo-org/app:event_name:release", {TAG}),
    ],
)
def test_a_field_that_shows_the_trigger_is_judged_as_that_run(sub: str, expected: set[str]) -> None:
    found = triggers({"StringEquals": {**AUD, f"{GH}:sub": sub}})
    assert set(found) == expected
    for finding in found.values():
        assert finding.severity.value == "high"
        assert finding.witness["claims"]["sub"] == sub


def test_a_wildcard_event_admits_pull_requests_and_any_branch() -> None:
    found = triggers({"StringLike": {**AUD, f"{GH}:sub": "repo:octo-org/*:event_name:*"}})
    assert {PULL_REQUEST, BRANCH} <= set(found)


@pytest.mark.parametrize(
    "sub",
    [
        # The branch is pinned: the default branch's runs.
        "repo:octo-org/app:ref:refs/heads/main:event_name:push",
        "repo:octo-org/app:event_name:push:ref:refs/heads/main",
        "repo:octo-org/app:ref:refs/heads/main:ref_type:branch",
        # A schedule runs the default branch's workflow.
        "repo:octo-org/app:event_name:schedule",
        "repo:octo-org/app:ref_type:branch:event_name:schedule",
        # pull_request_target into main: the base branch's workflow, under its ref.
        "repo:octo-org/app:head_ref:feature:ref:refs/heads/main",
    ],
)
def test_a_pinned_or_default_branch_run_is_not_reported(sub: str) -> None:
    assert triggers({"StringEquals": {**AUD, f"{GH}:sub": sub}}) == {}


def test_a_named_branch_with_its_event_stays_a_named_branch() -> None:
    sub = "repo:octo-org/app:ref:refs/heads/develop:event_name:push"
    found = triggers({"StringEquals": {**AUD, f"{GH}:sub": sub}})
    assert set(found) == {"a named branch"}
    assert found["a named branch"].severity.value == "low"


def test_the_ref_claim_pinned_to_the_default_branch_admits_no_push_of_another() -> None:
    condition = {
        "StringEquals": {
            **AUD,
            f"{GH}:sub": "repo:octo-org/app:event_name:push",
            f"{GH}:ref": "refs/heads/main",
        }
    }
    assert triggers(condition) == {}


def test_the_ref_claim_over_tags_makes_a_push_a_tags() -> None:
    condition = {
        "StringEquals": {**AUD, f"{GH}:sub": "repo:octo-org/app:event_name:push"},
        "StringLike": {f"{GH}:ref": "refs/tags/v*"},
    }
    found = triggers(condition)
    assert set(found) == {TAG}
    assert found[TAG].witness["claims"]["ref"].startswith("refs/tags/v")


def test_a_push_on_a_branch_the_ref_claim_names_is_a_named_branch() -> None:
    condition = {
        "StringEquals": {
            **AUD,
            f"{GH}:sub": "repo:octo-org/app:event_name:push",
            f"{GH}:ref": "refs/heads/develop",
        }
    }
    found = triggers(condition)
    assert set(found) == {"a named branch"}
    assert found["a named branch"].evidence["subjects"] == ["refs/heads/develop"]


def test_a_field_compared_without_case_shows_the_trigger_too() -> None:
    sub = "REPO:octo-org/app:EVENT_NAME:PUSH"
    found = triggers({"StringEquals": AUD, "StringEqualsIgnoreCase": {f"{GH}:sub": sub}})
    assert set(found) == {BRANCH}


# A custom template's event_name field decides the run's context and ref: a
# pull_request_target run (GitHub.com: "Default branch") never shows `pull_request`, a
# schedule or workflow_run runs the default branch's workflow (whatever it is named), so a
# wildcard after either admits no untrusted run. The first is a public policy's shape:
# `repo:O/R:event_name:pull_request_target:base_ref:main:*`.
# https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows
@pytest.mark.parametrize(
    ("sub", "operator"),
    [
        ("repo:octo-org/app:event_name:pull_request_target:base_ref:main:*", "StringLike"),
        ("repo:octo-org/app:event_name:pull_request_target:*", "StringLike"),
        ("repo:octo-org/app:event_name:schedule:*", "StringLike"),
        ("repo:octo-org/app:*:event_name:workflow_run", "StringLike"),
        ("repo:octo-org/app:ref:refs/heads/*:event_name:pull_request_target", "StringLike"),
        # A schedule's ref is the default branch's, named exactly or not.
        ("repo:octo-org/app:ref:refs/heads/develop:event_name:schedule", "StringEquals"),
        ("repo:octo-org/app:event_name:pull_request_target:pull_request", "StringEquals"),
    ],
)
def test_an_event_of_the_default_branch_admits_no_untrusted_run(sub: str, operator: str) -> None:
    found = triggers({"StringEquals": AUD, operator: {f"{GH}:sub": sub}})
    assert found == {}


@pytest.mark.parametrize(
    ("sub", "expected"),
    [
        ("repo:octo-org/app:event_name:pull_request:*", {PULL_REQUEST}),
        ("repo:octo-org/app:event_name:push:*", {BRANCH}),
        # Any event: a pull request's, a push's.
        ("repo:octo-org/app:event_name:*", {PULL_REQUEST, BRANCH}),
    ],
)
def test_an_event_of_an_untrusted_run_is_still_reported(sub: str, expected: set[str]) -> None:
    found = triggers({"StringEquals": AUD, "StringLike": {f"{GH}:sub": sub}})
    assert set(found) == expected
    for finding in found.values():
        assert ":event_name:pull_request_target" not in finding.witness["claims"]["sub"]


def test_an_event_github_never_sends_is_a_dead_condition() -> None:
    document = github({"StringEquals": {**AUD, f"{GH}:sub": "repo:octo-org/app:event_name:pushh"}})
    assert "trust-dead-condition" in {f.check for f in assess(document).findings}


def test_witnesses_name_events_github_sends() -> None:
    document = github(
        {"StringEquals": AUD, "StringLike": {f"{GH}:sub": "repo:octo-org/*:event_name:*"}}
    )
    found = assess(document).findings
    assert {f.check for f in found} >= {"trust-oidc-broad-subject", "trust-oidc-untrusted-trigger"}
    for finding in found:
        assert_real_witness(document, finding.witness)
        (event,) = re.findall(r":event_name:([^:]*)", finding.witness["claims"]["sub"])
        assert event in DOCUMENTED_EVENTS, event


# The events of https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows
DOCUMENTED_EVENTS = {
    "branch_protection_rule",
    "check_run",
    "check_suite",
    "create",
    "delete",
    "deployment",
    "deployment_status",
    "discussion",
    "discussion_comment",
    "fork",
    "gollum",
    "image_version",
    "issue_comment",
    "issues",
    "label",
    "merge_group",
    "milestone",
    "page_build",
    "project",
    "project_card",
    "project_column",
    "public",
    "pull_request",
    "pull_request_review",
    "pull_request_review_comment",
    "pull_request_target",
    "push",
    "registry_package",
    "release",
    "repository_dispatch",
    "schedule",
    "status",
    "watch",
    "workflow_dispatch",
    "workflow_run",
}


@pytest.mark.parametrize(
    ("sub", "expected"),
    [
        ("repo:octo-org/app:*:pull_request", {PULL_REQUEST, BRANCH}),
        ("repo:octo-org/app:ref:refs/heads/*:pull_request", {BRANCH}),
        ("repo:octo-org/app:ref:refs/heads/main:pull_request", set()),
        ("repo:octo-org/app:pull_request:ref:refs/tags/*", set()),
    ],
)
def test_the_pull_request_context_beside_a_ref_is_a_merged_pull_request_s(
    sub: str, expected: set[str]
) -> None:
    # A pull request's run has the pull_request context and the ref refs/pull/N/merge, but
    # once merged (`closed`) the ref of the branch it was merged into: a branch's ref beside
    # that context is a pull request merged into that branch, whose code now holds it (the
    # branch's run: none for a default branch's reviewed code); a tag's is no run at all.
    # https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows#pull_request
    found = triggers({"StringEquals": AUD, "StringLike": {f"{GH}:sub": sub}})
    assert set(found) == expected
    if BRANCH in found:
        assert found[BRANCH].witness["claims"]["sub"].endswith(":pull_request")


@pytest.mark.parametrize(
    "sub",
    [
        "repo:octo-org/*:base_ref::pull_request",
        "repo:octo-org/app:head_ref::*",
        "repo:octo-org/app:base_ref::event_name:pull_request*",
    ],
)
def test_an_empty_pull_request_branch_is_no_pull_request_s_run(sub: str) -> None:
    # GitHub writes base_ref and head_ref empty for a run of neither pull request event: a
    # pull request's run has both branches (the empty value passed as a pull request's).
    found = triggers({"StringEquals": AUD, "StringLike": {f"{GH}:sub": sub}})
    assert PULL_REQUEST not in found


@pytest.mark.parametrize("key", ["actor", "head_ref", "workflow"])
def test_a_pull_request_s_witness_shows_the_context_not_a_value_named_so(key: str) -> None:
    # `…:actor:pull_request` is the actor named pull_request's subject, any run's: a
    # pull request's witness shows the context as a field of its own.
    found = triggers(
        {"StringEquals": AUD, "StringLike": {f"{GH}:sub": f"repo:octo-org/app:{key}:*"}}
    )
    sub = found[PULL_REQUEST].witness["claims"]["sub"]
    assert sub.startswith(f"repo:octo-org/app:{key}:")
    assert sub.endswith(":pull_request")
    assert sub != f"repo:octo-org/app:{key}:pull_request"
