"""Small pure pieces: remote URLs, subjects, redaction, edits."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keyless.errors import InputError, quoted
from keyless.workflows import FileRewrite, FixResult, Platform, WorkflowFile, fix, write
from keyless.workflows.hardcoded import find_literals, redact_text
from keyless.workflows.model import SubjectOperator
from keyless.workflows.patch import Edit, apply_edits
from keyless.workflows.subjects import github_subjects, gitlab_subjects, parse_remote
from keyless.workflows.yamldoc import load, load_text

from .conftest import CORPUS, CORPUS_OPTIONS


@pytest.mark.parametrize(
    "url",
    [
        "git@github.com:acme/app.git",
        "https://github.com/acme/app",
        "https://github.com/acme/app.git",
        "ssh://git@github.com/acme/app.git",
        "https://token@github.com/acme/app/",
    ],
)
def test_parse_remote(url: str) -> None:
    assert parse_remote(url) == "acme/app"


def test_parse_remote_keeps_gitlab_subgroups() -> None:
    assert parse_remote("git@gitlab.com:group/sub/project.git") == "group/sub/project"


def _workflow(text: str) -> tuple[object, object]:
    root = load_text(text, Path("w.yml")).root
    return root, root["jobs"]["j"]


def test_environment_wins_over_triggers() -> None:
    root, job = _workflow("on: [pull_request]\njobs:\n  j:\n    environment: prod\n")
    subjects, pull_request = github_subjects(root, job, "o/r")
    assert [s.value for s in subjects] == ["repo:o/r:environment:prod"]
    assert pull_request


def test_wildcard_branches_become_string_like() -> None:
    root, job = _workflow("on:\n  push:\n    branches: ['release/**']\njobs:\n  j: {}\n")
    (subject,) = github_subjects(root, job, "o/r")[0]
    assert subject.value == "repo:o/r:ref:refs/heads/release/*"
    assert subject.operator is SubjectOperator.STRING_LIKE


def test_a_widened_pattern_is_named_in_the_reason() -> None:
    root, job = _workflow("on:\n  push:\n    branches: ['v[0-9]']\njobs:\n  j: {}\n")
    (subject,) = github_subjects(root, job, "o/r")[0]
    assert subject.value == "repo:o/r:ref:refs/heads/v*"
    assert subject.reason == "on: push (pattern 'v[0-9]' widened)"


def test_a_long_widened_pattern_is_cut_in_the_reason() -> None:
    # A branch filter is the file's to choose: 100,000 characters would fill every report.
    pattern = "v?" + "x" * 100_000
    root, job = _workflow(f"on:\n  push:\n    branches: ['{pattern}']\njobs:\n  j: {{}}\n")
    (subject,) = github_subjects(root, job, "o/r")[0]
    assert subject.reason == f"on: push (pattern {quoted(pattern)} widened)"
    assert len(subject.reason) < 300


def test_tags_only_push_gives_only_tag_subjects() -> None:
    root, job = _workflow("on:\n  push:\n    tags: [v1]\njobs:\n  j: {}\n")
    assert [s.value for s in github_subjects(root, job, "o/r")[0]] == ["repo:o/r:ref:refs/tags/v1"]


def test_a_dispatch_trusts_the_default_branch_only() -> None:
    # A dispatch runs on the branch or tag the dispatcher picks; its sub is
    # repo:O/R:ref:<that ref>. Trusting refs/heads/* or refs/tags/* would let anyone who can
    # push a branch or tag dispatch with the role.
    # https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows#workflow_dispatch
    root, job = _workflow("on:\n  workflow_dispatch:\njobs:\n  j: {}\n")
    (subject,) = github_subjects(root, job, "o/r", "trunk")[0]
    assert subject.value == "repo:o/r:ref:refs/heads/trunk"
    assert subject.operator is SubjectOperator.STRING_EQUALS
    assert "refused by AWS" in subject.reason


def test_a_called_workflow_trusts_the_default_branch_not_every_tag() -> None:
    # A called workflow's sub is its caller's (the job_workflow_ref claim names the called
    # file): https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-with-reusable-workflows
    root, job = _workflow("on:\n  workflow_call:\njobs:\n  j: {}\n")
    (subject,) = github_subjects(root, job, "o/r", "trunk")[0]
    assert subject.value == "repo:o/r:ref:refs/heads/trunk"
    assert subject.operator is SubjectOperator.STRING_EQUALS
    assert "the caller's triggers decide the sub" in subject.reason


def test_a_dispatch_job_with_an_environment_trusts_the_environment() -> None:
    root, job = _workflow("on: [workflow_dispatch]\njobs:\n  j:\n    environment: prod\n")
    assert [s.value for s in github_subjects(root, job, "o/r")[0]] == ["repo:o/r:environment:prod"]


def test_a_dispatch_adds_no_wildcard_to_what_the_file_names() -> None:
    text = "on:\n  push:\n    tags: ['v*']\n  workflow_dispatch:\njobs:\n  j: {}\n"
    root, job = _workflow(text)
    assert [s.value for s in github_subjects(root, job, "o/r")[0]] == [
        "repo:o/r:ref:refs/tags/v*",
        "repo:o/r:ref:refs/heads/main",
    ]


def test_gitlab_only_tags() -> None:
    job = load_text("only: [tags]\n", Path("x")).root
    (subject,) = gitlab_subjects(job, "g/p")[0]
    assert subject.value == "project_path:g/p:ref_type:tag:ref:*"


def test_key_ids_are_redacted_and_commit_shas_ignored() -> None:
    text = (
        "uses: actions/checkout@8e5e7e5ab8b370d6c329ec480221332ada57f0ab\n"
        "secret: Tq8vR2mXk7LpZ4nW9bJc3Hf6Ys1Gd5Ae0Ui8Ko3Q\n"
        "id: ASIAQ2X7RM4TZK9WDXYZ\n"
    )
    matches = list(find_literals(text))
    assert [(m.line, m.kind) for m in matches] == [
        (1, "secret access key"),
        (2, "temporary access key ID"),
    ]
    assert all("Q2X7RM4TZK9W" not in m.redacted for m in matches)


@pytest.mark.parametrize(
    "separator", ["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e"]
)
def test_a_key_is_on_the_line_an_editor_shows(separator: str) -> None:
    # Editors and GitHub end lines at LF, CRLF and CR only; str.splitlines also ends them
    # at these, which put the key one line further down than the reader is sent.
    text = f"name: a{separator}b\r\nnote: c\rid: AKIAQ2X7RM4TZK9WDXYZ\n"

    (match,) = find_literals(text)

    assert (match.line, match.column) == (2, 4)
    assert redact_text(text) == text.replace("AKIAQ2X7RM4TZK9WDXYZ", "AKIA…DXYZ")


def test_aws_documentation_example_keys_are_not_credentials() -> None:
    text = (
        "secret: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
        "id: AKIAIOSFODNN7EXAMPLE\n"
        "other_id: ASIAIOSFODNN7EXAMPLE\n"
    )
    assert list(find_literals(text)) == []


def test_malformed_yaml_names_the_line() -> None:
    with pytest.raises(InputError) as error:
        load_text("a: b\nc: [\n", Path("ci.yml"))
    assert error.value.where is not None
    assert error.value.where.startswith("ci.yml:")


@given(st.lists(st.text(alphabet="ab #:\t-", max_size=8), max_size=8))
def test_no_edits_is_identity(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert apply_edits(text, []) == text


def test_overlapping_edits_are_refused() -> None:
    with pytest.raises(ValueError, match="overlapping"):
        apply_edits("a\nb\nc\n", [Edit(0, 2), Edit(1, 3)])


def test_docs_describe_every_check_as_registered() -> None:
    from keyless.workflows.registry import CHECKS

    docs = (Path(__file__).parents[2] / "docs" / "workflows.md").read_text(encoding="utf-8")
    for check in CHECKS:
        assert f"### `{check.id}` ({check.severity.value})" in docs
        assert check.remediation in docs
        assert check.rationale.split("\n\n")[0] in docs


def test_a_byte_order_mark_survives_the_rewrite(tmp_path: Path) -> None:
    source = CORPUS / "gh-basic-keys" / "input" / ".github" / "workflows" / "deploy.yml"
    workflow = tmp_path / ".github" / "workflows" / "deploy.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_bytes(b"\xef\xbb\xbf" + source.read_bytes())
    (rewrite,) = fix([tmp_path], CORPUS_OPTIONS).files
    assert rewrite.changed
    assert rewrite.after.startswith("\ufeff")


def test_a_file_that_is_not_utf8_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "ci.yml"
    path.write_bytes(b"on: push\n\xff\n")
    with pytest.raises(InputError, match=r"not UTF-8 text \(byte 9\)") as error:
        load(path)
    assert error.value.where == str(path)


def test_a_file_that_cannot_be_written_is_an_input_error(tmp_path: Path) -> None:
    # A directory where the file should be: unwritable even for root.
    file = WorkflowFile(tmp_path, Platform.GITHUB, tmp_path)
    result = FixResult((FileRewrite(file, "before\n", "after\n"),))
    with pytest.raises(InputError, match="nothing was written") as error:
        write(result)
    assert f"{tmp_path}: it is not a regular file" in error.value.message


def test_an_unknown_event_named_at_length_is_cut_in_the_reason() -> None:
    """The catch-all branch of other events (schedule, workflow_run…) names the event the
    file wrote: a 10,000-character name is quoted in part, as every message cuts values."""
    event = "e" * 10_000
    root, job = _workflow(f"on: [{event}]\njobs:\n  j: {{}}\n")
    (subject,) = github_subjects(root, job, "o/r")[0]
    assert subject.value == "repo:o/r:ref:refs/heads/main"
    assert len(subject.reason) < 1_000


def test_a_document_is_split_into_lines_once() -> None:
    # `fix` asks for a file's lines once per job it edits: a file of 8,000 jobs was split
    # (1 MB each time) 8,000 times, ten of the 27 seconds of its rewrite.
    document = load_text("a:\n  b: 1\r\nc: [2]\n", Path("x.yml"))
    assert document.lines == ("a:\n", "  b: 1\r\n", "c: [2]\n")
    assert document.lines is document.lines
