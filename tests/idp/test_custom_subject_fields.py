"""The runs of GitHub's triggers include the custom subjects that show the trigger without
the context or the ref (`event_name`, `ref_type`, `head_ref`, `base_ref`: each trigger's
`shown` runs, asked apart), and exclude those whose other fields show another run."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keyless.idp.grammars import GITHUB, GITHUB_SERVER
from keyless.idp.sub_shapes import field_as_value
from keyless.idp.subject_grammar import Trigger, field_outside
from keyless.patterns.language import Language


def trigger(label: str) -> Trigger:
    return next(t for t in GITHUB.triggers if t.label == label)


def runs(label: str) -> Language:
    """The subjects of a trigger's runs: its templates' and those its fields show."""
    shown = trigger(label).shown
    assert shown is not None
    return GITHUB.runs_language(trigger(label)) | GITHUB.runs_language(shown)


@pytest.mark.parametrize(
    ("subject", "outside"),
    [
        ("repo:o/r:event_name:push", False),
        ("event_name:push:repo:o/r", False),
        ("repo:o/r:event_name:deployment_status", False),
        ("repo:o/r:event_name:deployment:ref_type:branch", False),
        ("repo:o/r:event_name:pus", True),  # ends inside a value
        ("repo:o/r:event_name:pushed", True),  # runs past one
        ("repo:o/r:event_name:deploymen:ref_type:branch", True),
        ("repo:o/r:event_name:schedule", True),
        ("event_name:schedule:repo:o/r", True),
        ("repo:o/r:xevent_name:schedule", False),  # another claim's key
        ("repo:o/r", False),
        # An empty value is none of them (GitHub's `…:base_ref::…`).
        ("repo:o/r:event_name::ref_type:branch", True),
        ("repo:o/r:event_name:", True),
    ],
)
def test_a_field_outside_its_values(subject: str, *, outside: bool) -> None:
    language = field_outside("event_name", ("push", "deployment", "deployment_status"))
    assert language.contains(subject) is outside


def _outside(subject: str, key: str, values: tuple[str, ...]) -> bool:
    """The oracle: a `key` field whose value (characters other than `:`, maybe none) is
    none of `values`, read with a regular expression."""
    fields = re.finditer(rf"(?:^|(?<=:)){re.escape(key)}:([^:]*)(?=:|$)", subject)
    return any(match.group(1) not in values for match in fields)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="kab:", max_size=12))
def test_a_field_outside_its_values_agrees_with_a_regular_expression(subject: str) -> None:
    values = ("a", "ab", "bab")
    assert field_outside("k", values).contains(subject) is _outside(subject, "k", values)


@pytest.mark.parametrize(
    ("label", "subject", "member"),
    [
        ("a pull request", "repo:o/r:head_ref:feature", True),
        ("a pull request", "repo:o/r:base_ref:main", True),
        ("a pull request", "repo:o/r:ref_type:branch", True),
        ("a pull request", "repo:o/r:event_name:pull_request_review", True),
        ("a pull request", "repo:o/r:ref:refs/pull/7/merge", True),
        ("a pull request", "repo:o/r:pull_request", True),
        ("a pull request", "repo:o/r:head_ref:feature:ref:refs/heads/main", False),
        ("a pull request", "repo:o/r:event_name:pull_request_target:head_ref:x", False),
        ("a pull request", "repo:o/r:ref_type:branch:event_name:push", False),
        ("a pull request", "repo:o/r:ref_type:tag:head_ref:x", False),
        ("an unprotected branch", "repo:o/r:event_name:push", True),
        ("an unprotected branch", "repo:o/r:event_name:workflow_dispatch", True),
        ("an unprotected branch", "repo:o/r:event_name:merge_group", True),
        # GitHub.com runs the default branch's workflow on pull_request_target.
        ("an unprotected branch", "repo:o/r:event_name:pull_request_target", False),
        ("an unprotected branch", "repo:o/r:event_name:schedule", False),
        ("an unprotected branch", "repo:o/r:ref_type:branch", True),
        ("an unprotected branch", "repo:o/r:ref:refs/heads/feature", True),
        ("an unprotected branch", "repo:o/r:ref:refs/heads/main:event_name:push", False),
        ("an unprotected branch", "repo:o/r:event_name:pull_request", False),
        ("an unprotected branch", "repo:o/r:event_name:push:ref:refs/tags/v1", False),
        ("an unprotected branch", "repo:o/r:event_name:push:ref_type:tag", False),
        ("an unprotected tag", "repo:o/r:ref_type:tag", True),
        ("an unprotected tag", "repo:o/r:event_name:release", True),
        ("an unprotected tag", "repo:o/r:event_name:push", True),
        ("an unprotected tag", "repo:o/r:event_name:release:ref_type:branch", False),
        ("an unprotected tag", "repo:o/r:event_name:schedule:ref_type:tag", False),
    ],
)
def test_the_runs_of_each_trigger(label: str, subject: str, *, member: bool) -> None:
    assert runs(label).contains(subject) is member


@pytest.mark.parametrize(
    "subject",
    [
        "repo:o/r:event_name:push",
        "repo:o/r:ref_type:branch",
        "repo:o/r:ref_type:tag",
        "repo:o/r:head_ref:feature",
    ],
)
def test_a_shown_run_is_no_subject_of_the_templates(subject: str) -> None:
    # They name no branch or tag: asked apart, after the templates admit no run.
    for each in GITHUB.triggers[:3]:
        assert not GITHUB.runs_language(each).contains(subject)


@pytest.mark.parametrize(
    "subject",
    ["repo:o/r:ref:refs/heads/develop:event_name:push", "repo:o/r:ref:refs/tags/v1:ref_type:tag"],
)
def test_a_subject_with_its_ref_is_judged_by_the_templates_alone(subject: str) -> None:
    for each in GITHUB.triggers[:3]:
        assert each.shown is not None
        assert not GITHUB.runs_language(each.shown).contains(subject)


@pytest.mark.parametrize(
    ("values", "admits"),
    [
        (["repo:o/r:ref:refs/heads/main"], False),
        (["repo:o/r:environment:prod", "repo:o/r:pull_request"], False),
        (["repo:o/r:event_name:push"], True),
        (["REPO:O/R:EVENT_NAME:PUSH"], True),  # an …IgnoreCase operator's
        (["repo:o/r:ref:refs/heads/main", "repo:o/r:*"], True),
        (["repo:o/r:ref:refs/heads/?ain"], True),
        (["repo:o/${aws:username}"], True),
    ],
)
def test_values_that_may_admit_a_shown_run(values: list[str], *, admits: bool) -> None:
    shown = trigger("an unprotected branch").shown
    assert shown is not None
    assert shown.may_admit(values) is admits


def test_a_server_before_3_20_runs_the_base_branch_on_pull_request_target() -> None:
    # GitHub Enterprise Server before 3.20: "PR base branch", which a pull request chooses.
    branch = next(t for t in GITHUB_SERVER.triggers if t.label == "an unprotected branch")
    assert branch.shown is not None
    assert GITHUB_SERVER.runs_language(branch.shown).contains(
        "repo:o/r:event_name:pull_request_target"
    )
    assert not branch.refutes("repo:o/r:ref:refs/heads/x:event_name:pull_request_target")
    assert trigger("an unprotected branch").refutes(
        "repo:o/r:ref:refs/heads/x:event_name:pull_request_target"
    )


@pytest.mark.parametrize(
    ("label", "subject", "refuted"),
    [
        ("a pull request", "repo:o/r:event_name:pull_request_target:pull_request", True),
        ("a pull request", "repo:o/r:event_name:push:base_ref:main:pull_request", True),
        ("a pull request", "repo:o/r:ref_type:tag:pull_request", True),
        ("a pull request", "repo:o/r:event_name:pull_request_review:pull_request", False),
        ("a pull request", "repo:o/r:pull_request", False),
        # A pull request's run has both branches: an empty one is another run's.
        ("a pull request", "repo:o/r:base_ref::pull_request", True),
        ("a pull request", "head_ref::repo:o/r:pull_request", True),
        ("a pull request", "repo:o/r:pull_request:head_ref:", True),
        ("a pull request", "repo:o/r:base_ref::event_name:pull_request", True),
        # The context alone, not the value of the field before it.
        ("a pull request", "repo:o/r:actor:pull_request", True),
        ("a pull request", "repo:o/r:workflow:pull_request:ref:refs/pull/1/merge", True),
        ("a pull request", "repo:o/r:head_ref:actor:pull_request", False),
        ("a pull request", "repo:o/r:actor:pull_request:pull_request", False),
        ("a pull request", "repo:o/r:base_ref:main:head_ref:x:pull_request", False),
        ("an unprotected branch", "repo:o/r:ref:refs/heads/x:event_name:schedule", True),
        ("an unprotected branch", "repo:o/r:event_name:workflow_run:ref:refs/heads/x", True),
        ("an unprotected branch", "repo:o/r:ref:refs/heads/x:event_name:push", False),
        # A pull request merged into x: its run has x's ref, and x's code.
        ("an unprotected branch", "repo:o/r:ref:refs/heads/x:pull_request", False),
        ("an unprotected tag", "repo:o/r:pull_request:ref:refs/tags/v1", True),
        ("an unprotected tag", "repo:o/r:ref:refs/tags/v1:event_name:schedule", True),
        ("an unprotected tag", "repo:o/r:ref:refs/tags/v1:event_name:release", False),
        (
            "an environment a workflow creates unprotected",
            "repo:o/r:event_name:schedule:environment:preview",
            True,
        ),
        (
            "an environment a workflow creates unprotected",
            "repo:o/r:event_name:pull_request:environment:preview",
            False,
        ),
    ],
)
def test_a_field_of_another_run_refutes_a_subject(
    label: str, subject: str, *, refuted: bool
) -> None:
    # Checked on a witness, not built into the runs' automata (checked_fields).
    assert trigger(label).refutes(subject) is refuted
    assert trigger(label).other_runs().contains(subject) is refuted


def test_an_event_name_is_one_github_documents() -> None:
    # https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows
    well_formed = GITHUB.well_formed_language()
    for event in ("push", "pull_request_target", "schedule", "image_version", "merge_group"):
        assert well_formed.contains(f"repo:o/r:event_name:{event}"), event
    # workflow_call is none: a called workflow's event is its caller's.
    for other in ("a", "pushh", "workflow_call", "Push"):
        assert not well_formed.contains(f"repo:o/r:event_name:{other}"), other


@pytest.mark.parametrize(
    ("subject", "member"),
    [
        # base_ref and head_ref are set only for pull_request and pull_request_target: a
        # template including them writes them empty for any other run.
        ("repo:o/r:event_name:push:base_ref::ref:refs/heads/main", True),
        ("repo:o/r:head_ref:", True),
        ("head_ref::repo:o/r:ref:refs/heads/main", True),
        ("repo:o/r:base_ref::head_ref::ref:refs/heads/main", True),
        # No other claim is empty, nor a field without a key.
        ("repo:o/r:actor::ref:refs/heads/main", False),
        ("repo:o/r::ref:refs/heads/main", False),
        ("repo:o/r:workflow_ref::ref:refs/heads/main", False),
        ("repo:o/r:ref:", False),
        ("repo:o/r:base_ref::ref:refs/heads/main:ref:refs/heads/x", False),
    ],
)
def test_an_empty_pull_request_branch_is_a_field_github_writes(
    subject: str, *, member: bool
) -> None:
    assert GITHUB.well_formed_language().contains(subject) is member
    # The coarse grammar (a superset, proving most questions empty) admits every member.
    coarse = GITHUB.well_formed_language().coarsened
    assert coarse is not None
    assert coarse.contains(subject) or not member


@pytest.mark.parametrize(
    ("subject", "member"),
    [
        ("repo:o/r:workflow_ref:o/r/.github/workflows/ci.yml@refs/heads/main", True),
        ("job_workflow_ref:o/w/.github/workflows/deploy.yml@refs/tags/v1", True),
        # A reusable workflow called by its commit SHA.
        ("job_workflow_ref:o/w/.github/workflows/deploy.yml@0123abcd", True),
        # A workflow GitHub writes itself (CodeQL's default setup).
        ("repo:o/r:workflow_ref:o/r/dynamic/github-code-scanning/codeql@refs/heads/main", True),
        # GitHub writes the full ref, never the branch's short name.
        ("job_workflow_ref:o/w/.github/workflows/deploy.yml@main", False),
        ("repo:o/r:workflow_ref:o/r/.github/workflows/ci.yml@main", False),
        # Workflows live in .github/workflows, nowhere else.
        ("job_workflow_ref:o/w/deploy.yml@refs/heads/main", False),
        ("job_workflow_ref:o/w/workflows/deploy.yml@refs/heads/main", False),
        # Only a called workflow is called by a SHA; the caller runs at its ref.
        ("repo:o/r:workflow_ref:o/r/.github/workflows/ci.yml@0123abcd", False),
    ],
)
def test_a_workflow_s_ref_is_its_path_in_github_workflows_at_a_full_ref(
    subject: str, *, member: bool
) -> None:
    # https://docs.github.com/en/actions/reference/security/oidc
    assert GITHUB.well_formed_language().contains(subject) is member


def test_the_dynamic_event_is_a_branch_s_run() -> None:
    # Copilot's coding agent and CodeQL's default setup run with the event `dynamic` on
    # branches a writer chooses (the agent's copilot/… branch): not a dead value.
    for grammar in (GITHUB, GITHUB_SERVER):
        assert grammar.well_formed_language().contains("repo:o/r:event_name:dynamic")
    assert runs("an unprotected branch").contains("repo:o/r:event_name:dynamic")
    assert not runs("a pull request").contains("repo:o/r:event_name:dynamic")
    assert (
        trigger("an unprotected branch").refutes(
            "repo:o/r:ref:refs/heads/copilot/fix-1:event_name:dynamic"
        )
        is False
    )


def _as_value(subject: str, name: str) -> bool:
    """The oracle: ``name`` is one of the subject's parts, and the parts are no sequence of
    KEY:VALUE pairs (keys non-empty) with ``name`` standing alone once among them."""
    parts = subject.split(":")
    if name not in parts:
        return False
    for i, part in enumerate(parts):
        if part != name or i % 2 or len(parts) % 2 == 0:
            continue
        keys = [j for j in range(len(parts)) if j != i and (j < i) == (j % 2 == 0)]
        if all(parts[j] for j in keys):
            return False
    return True


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="pk:", max_size=10))
def test_a_field_as_a_value_agrees_with_the_parts_parity(subject: str) -> None:
    assert field_as_value("p").contains(subject) is _as_value(subject, "p")
