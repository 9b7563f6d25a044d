"""A job gated by its ``if:`` on the event or the ref
(``github.event_name == 'push' && github.ref == 'refs/heads/main'``) never runs for a pull
request in a workflow run on ``push`` and ``pull_request``: its token never says
``pull_request``, and fix must not say it does ("runs for pull requests")."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.workflows import fix
from keyless.workflows.github_job_events import narrowed_triggers

from .builders import GITHUB_KEYS, job, only, options, repo


def _rewrite(
    tmp_path: Path, condition: str, on: str = "[push, pull_request]"
) -> tuple[bool, list[str]]:
    text = GITHUB_KEYS.replace("on: push", f"on: {on}").replace(
        "    runs-on:", f"    if: {condition}\n    runs-on:"
    )
    found = job(
        only(fix([repo(tmp_path, {".github/workflows/ci.yml": text})], options()), "ci.yml"),
        "deploy",
    )
    return found.pull_request, [s.value for s in found.subjects]


@pytest.mark.parametrize(
    "condition",
    [
        "github.event_name == 'push'",
        "github.event_name != 'pull_request'",
        "${{ github.event_name == 'push' }}",
        "always() && github.event_name == 'push' && needs.build.result == 'success'",
        "GitHub.Event_Name == 'PUSH'",
    ],
)
def test_a_job_only_pushes_run_gets_no_pull_request_subject(tmp_path: Path, condition: str) -> None:
    pull_request, subjects = _rewrite(tmp_path, condition)
    assert pull_request is False
    assert "repo:acme/app:pull_request" not in subjects
    assert "repo:acme/app:ref:refs/heads/*" in subjects


def test_a_ref_condition_narrows_the_pushes_to_that_branch(tmp_path: Path) -> None:
    pull_request, subjects = _rewrite(
        tmp_path, "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    )
    assert (pull_request, subjects) == (False, ["repo:acme/app:ref:refs/heads/main"])


def test_a_tag_condition_narrows_the_pushes_to_that_tag(tmp_path: Path) -> None:
    pull_request, subjects = _rewrite(tmp_path, "github.ref == 'refs/tags/v1'")
    assert (pull_request, subjects) == (False, ["repo:acme/app:ref:refs/tags/v1"])


@pytest.mark.parametrize(
    "condition",
    [
        "github.event_name == 'push' || github.event_name == 'pull_request'",
        "!(github.event_name == 'pull_request')",
        "!(github.actor == 'bot' && github.event_name == 'push')",
        "contains(github.ref, 'main') && github.event_name == 'push'",
        "github.head_ref == 'main'",
    ],
)
def test_a_condition_it_cannot_read_narrows_nothing(tmp_path: Path, condition: str) -> None:
    pull_request, subjects = _rewrite(tmp_path, condition)
    assert pull_request is True
    assert "repo:acme/app:pull_request" in subjects


def test_a_called_workflows_condition_reads_the_callers_event() -> None:
    triggers = {"workflow_call": None}
    assert narrowed_triggers(triggers, "github.event_name == 'push'") is triggers


def test_a_string_holding_a_status_call_does_not_shift_the_reading() -> None:
    triggers = {"push": None, "pull_request": None}
    condition = "github.actor != 'always()' && github.event_name == 'push'"
    assert narrowed_triggers(triggers, condition) == {"push": None}


def test_a_tag_only_workflow_is_not_told_to_trust_the_default_branch(tmp_path: Path) -> None:
    # Its runs carry `ref:refs/tags/…` only: trusting `ref:refs/heads/main` would never
    # let it assume the role, and the note said it would.
    text = GITHUB_KEYS.replace("on: push", "on:\n  push:\n    tags: ['v*']")
    found = job(
        only(fix([repo(tmp_path, {".github/workflows/ci.yml": text})], options()), "ci.yml"),
        "deploy",
    )
    assert found.recommended == ()
    assert [w.subject.value for w in found.withheld] == ["repo:acme/app:ref:refs/tags/v*"]
    assert any("give it an environment" in note for note in found.trust_notes)


def test_a_tag_and_dispatch_workflow_is_still_told_the_default_branch(tmp_path: Path) -> None:
    text = GITHUB_KEYS.replace("on: push", "on:\n  push:\n    tags: ['v*']\n  workflow_dispatch:")
    found = job(
        only(fix([repo(tmp_path, {".github/workflows/ci.yml": text})], options()), "ci.yml"),
        "deploy",
    )
    assert [s.value for s in found.recommended] == ["repo:acme/app:ref:refs/heads/main"]
