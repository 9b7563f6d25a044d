"""A job that gives every secret (``secrets: inherit``) to a reusable workflow of another
repository hands it the repository's AWS key secrets, if it holds any, and keyless cannot
read that workflow: ``fix`` says so in a note. It said nothing, so a rewrite looked
complete while the keys could still be in use there."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.workflows import fix

from .builders import GITHUB_KEYS, only, options, repo

CALLER = """\
on: push
jobs:
  deploy:
    uses: USES
    secrets: inherit
"""


def notes(tmp_path: Path, uses: str, *others: tuple[str, str]) -> list[str]:
    files = {".github/workflows/release.yml": CALLER.replace("USES", uses), **dict(others)}
    root = repo(tmp_path, files)
    return [n for n in only(fix([root], options()), "release.yml").notes if "inherit" in n]


def test_inheriting_secrets_into_another_repository_s_workflow_is_noted(tmp_path: Path) -> None:
    (note,) = notes(tmp_path, "acme/shared/.github/workflows/deploy.yml@v1")
    assert note.startswith(
        "job 'deploy' passes every secret of this repository (`secrets: inherit`) to "
        "acme/shared/.github/workflows/deploy.yml@v1, a workflow of another repository "
        "keyless does not read"
    )
    assert "before the keys are retired" in note


def test_the_note_comes_beside_a_rewrite_of_the_other_jobs(tmp_path: Path) -> None:
    found = notes(
        tmp_path,
        "acme/shared/.github/workflows/deploy.yml@v1",
        (".github/workflows/ci.yml", GITHUB_KEYS),
    )
    assert len(found) == 1


@pytest.mark.parametrize(
    "uses",
    [
        "./.github/workflows/deploy.yml",  # read with the caller: judged as itself
        "acme/app/.github/workflows/deploy.yml@main",  # this repository (acme/app)
    ],
)
def test_a_workflow_of_this_repository_gets_no_note(tmp_path: Path, uses: str) -> None:
    callee = (
        ".github/workflows/deploy.yml",
        "on: workflow_call\njobs:\n  x:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: make\n",
    )
    assert notes(tmp_path, uses, callee) == []
