"""``plan --workflows acme/app=`` (a script's ``acme/app=$CHECKOUT`` with the variable
unset) or ``--workflows ''`` read the working directory, as ``Path("")`` is: every
repository under it was scanned and its jobs' subjects given to acme/app's role. An empty
path is refused (exit 2) before anything is read."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.errors import InputError
from keyless.plan.pipelines import parse_workflow_option
from tests.plan.conftest import EXPORT, REPOS


@pytest.mark.parametrize("text", ["acme/app=", ""])
def test_an_empty_path_is_refused(text: str) -> None:
    with pytest.raises(InputError, match="is empty"):
        parse_workflow_option(text)


def test_an_empty_path_does_not_read_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPOS)  # checkouts whose workflows use keys
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(
        cli,
        ["plan", "--input", str(EXPORT), "--link", "ci-deploy=acme/app",
         "--workflows", "acme/app=", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "--workflows takes [ORG/REPO=]PATH, and the path of 'acme/app=' is empty" in (
        result.stderr
    )
    assert not out.exists()


def test_a_path_is_still_read(tmp_path: Path) -> None:
    assert parse_workflow_option(f"acme/app={tmp_path}").path == tmp_path
    assert parse_workflow_option(".").path == Path(".")


@pytest.mark.parametrize("repository", ["../..", "acme/..", "acme/app.git"])
def test_a_repository_outside_the_grammar_is_refused_as_workflows(repository: str) -> None:
    """``--workflows ../..=PATH`` was refused later by the rewrite it runs, as a
    ``--repository`` that `keyless plan` has not; ``acme/app.git`` (which --link refuses)
    named a repository no token carries. Both are refused naming --workflows."""
    with pytest.raises(InputError, match=r"--workflows: .* is not ORG/REPO"):
        parse_workflow_option(f"{repository}=.")


def test_a_gitlab_project_is_a_repository() -> None:
    assert parse_workflow_option("group/sub/project=.").repository == "group/sub/project"
