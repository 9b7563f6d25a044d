"""A repository whose ``.github/workflows`` is not a plain directory: a FIFO, a file, a
dangling link, a link out of the paths given, a link inside them; ``.gitlab-ci.yml`` that
is a directory. What is not read is named (exit 2 when nothing could be read, else 3);
before, each was "0 finding(s) in 0 file(s)", exit 0: silently clean."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli
from tests.workflows.builders import GITHUB_KEYS


def scan(*paths: Path) -> Result:
    return CliRunner().invoke(cli, ["workflows", "scan", *map(str, paths)], catch_exceptions=False)


def _repository(tmp_path: Path) -> Path:
    repository = tmp_path / "repo"
    (repository / ".github").mkdir(parents=True)
    return repository


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _file(path: Path) -> None:
    path.write_text(GITHUB_KEYS)


def _dangling(path: Path) -> None:
    path.symlink_to("nowhere")


@pytest.mark.parametrize(
    ("make", "phrase"),
    [
        pytest.param(_fifo, "not a directory", id="fifo"),
        pytest.param(_file, "not a directory", id="file"),
        pytest.param(_dangling, "not a directory", id="dangling-link"),
    ],
)
def test_a_workflows_entry_that_is_no_directory_is_named(
    tmp_path: Path, make: Callable[[Path], None], phrase: str
) -> None:
    repository = _repository(tmp_path)
    make(repository / ".github" / "workflows")
    result = scan(repository)
    assert result.exit_code == 2, result.output
    assert f"{repository / '.github' / 'workflows'}: {phrase}" in result.stderr


def test_a_workflows_link_out_of_the_paths_given_is_named(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "ci.yml").write_text(GITHUB_KEYS)
    repository = _repository(tmp_path)
    (repository / ".github" / "workflows").symlink_to(outside)
    result = scan(repository)
    assert result.exit_code == 2, result.output
    assert "a symbolic link that leads outside the paths given" in result.stderr


def test_a_workflows_link_inside_the_repository_is_scanned(tmp_path: Path) -> None:
    repository = _repository(tmp_path)
    (repository / "ci").mkdir()
    (repository / "ci" / "deploy.yml").write_text(GITHUB_KEYS)
    (repository / ".github" / "workflows").symlink_to("../ci")
    result = scan(repository)
    assert result.exit_code == 1, result.output
    assert "workflow-static-aws-keys-env" in result.output


def test_an_unread_workflows_directory_beside_a_read_file_is_exit_3(tmp_path: Path) -> None:
    repository = _repository(tmp_path)
    os.mkfifo(repository / ".github" / "workflows")
    (repository / ".gitlab-ci.yml").write_text("deploy:\n  script: [aws s3 ls]\n")
    result = scan(repository)
    assert result.exit_code == 3, result.output
    assert "not a directory" in result.output + result.stderr


def test_a_gitlab_file_that_is_a_directory_is_named(tmp_path: Path) -> None:
    repository = tmp_path / "repo"
    (repository / ".gitlab-ci.yml").mkdir(parents=True)
    result = scan(repository)
    assert result.exit_code == 2, result.output
    assert "a directory, not a CI file" in result.stderr
