"""Links in ``.github/workflows`` that do not resolve (a loop, a chain longer than Python
follows) beside a readable workflow: reported as not read (exit 3) in every format, the
report naming them as given, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

from .builders import GITHUB_KEYS, repo


def _link(folder: Path, links: int) -> None:
    """``bad.yml``: a loop of two links (``links`` 0) or a chain of ``links`` links."""
    if not links:
        (folder / "bad.yml").symlink_to("other.yml")
        (folder / "other.yml").symlink_to("bad.yml")
        return
    (folder / "target.txt").write_text(GITHUB_KEYS)
    (folder / f"l{links}").symlink_to("target.txt")
    for i in range(links - 1, 0, -1):
        (folder / f"l{i}").symlink_to(f"l{i + 1}")
    (folder / "bad.yml").symlink_to("l1")


@pytest.mark.parametrize("links", [0, 3_000], ids=["loop", "chain"])
@pytest.mark.parametrize("output", ["text", "json", "sarif"])
def test_a_link_that_does_not_resolve_is_unread(tmp_path: Path, links: int, output: str) -> None:
    root = repo(tmp_path, {".github/workflows/deploy.yml": GITHUB_KEYS})
    _link(root / ".github" / "workflows", links)
    result = CliRunner().invoke(cli, ["workflows", "scan", "--format", output, str(root)])
    assert result.exit_code == 3, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "bad.yml" in result.output


def test_a_linked_github_folder_outside_the_paths_given_is_unread(tmp_path: Path) -> None:
    outside = tmp_path / "shared"
    (outside / "workflows").mkdir(parents=True)
    (outside / "workflows" / "deploy.yml").write_text(GITHUB_KEYS)
    root = repo(tmp_path / "app", {".gitlab-ci.yml": "test:\n  script:\n    - make test\n"})
    (root / ".github").symlink_to(outside)
    result = CliRunner().invoke(cli, ["workflows", "scan", str(root)])
    assert result.exit_code == 3, result.output
    assert ".github: not read: a symbolic link that leads outside the paths given" in result.output


def test_a_linked_github_folder_inside_the_repository_is_read(tmp_path: Path) -> None:
    root = repo(tmp_path, {"config/github/workflows/deploy.yml": GITHUB_KEYS})
    (root / ".github").symlink_to("config/github")
    result = CliRunner().invoke(cli, ["workflows", "scan", str(root)])
    assert result.exit_code == 1, result.output
    assert ".github/workflows/deploy.yml" in result.output
    assert "workflow-static-aws-keys-env" in result.output


def test_a_file_named_beside_a_gitlab_ci_file_behind_a_long_chain(tmp_path: Path) -> None:
    # Naming ci/x.yml asks whether .gitlab-ci.yml includes it: that file, a chain of
    # 3,000 links, says nothing (Path.resolve ran out of stack: a traceback).
    job = "job:\n  variables:\n    AWS_ACCESS_KEY_ID: $A\n    AWS_SECRET_ACCESS_KEY: $B\n"
    root = repo(tmp_path, {"ci/x.yml": job + "  script:\n    - aws s3 ls\n"})
    (root / ".git").mkdir()  # the repository's root, where .gitlab-ci.yml is looked for
    (root / "c").mkdir()
    _link(root / "c", 3_000)
    (root / ".gitlab-ci.yml").symlink_to("c/bad.yml")
    result = CliRunner().invoke(cli, ["workflows", "scan", str(root / "ci" / "x.yml")])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 1, result.output
    assert "gitlab-static-aws-keys" in result.output
