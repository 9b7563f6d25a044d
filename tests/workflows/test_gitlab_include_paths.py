"""GitLab ``include: local`` paths resolved as GitLab resolves them: ``*`` and ``**`` are
the only wildcards, matched against the repository's files without entering linked
directories (https://docs.gitlab.com/ci/yaml/includes/#use-includelocal-with-wildcard-file-paths);
an included file behind a link keyless cannot follow is unread, never a traceback."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.workflows import scan

from .builders import repo

#: A job with an IAM user's keys, in an included file.
KEYS_JOB = """\
deploy:
  variables:
    AWS_ACCESS_KEY_ID: $KEY_ID
    AWS_SECRET_ACCESS_KEY: $SECRET
  script:
    - aws s3 ls
"""


def _read(root: Path) -> list[str]:
    """The included files the scan read, relative to ``root``."""
    return sorted(f.path.relative_to(root).as_posix() for f in scan([root]).files)


@pytest.mark.parametrize(
    ("pattern", "read"),
    [
        ("ci/*.yml", [".gitlab-ci.yml", "ci/a.yml"]),
        ("ci/**/*.yml", [".gitlab-ci.yml", "ci/a.yml", "ci/sub/b.yml"]),
        ("ci/**.yml", [".gitlab-ci.yml", "ci/a.yml", "ci/sub/b.yml"]),
    ],
)
def test_wildcards_match_as_gitlab_matches_them(
    tmp_path: Path, pattern: str, read: list[str]
) -> None:
    root = repo(
        tmp_path,
        {
            ".gitlab-ci.yml": f"include: '{pattern}'\n",
            "ci/a.yml": KEYS_JOB,
            "ci/sub/b.yml": "x: 1\n",
        },
    )
    assert _read(root) == read


def test_brackets_are_no_wildcard(tmp_path: Path) -> None:
    # GitLab escapes every character but `*`: `ci/[ab].yml` names that file, not ci/a.yml.
    root = repo(tmp_path, {".gitlab-ci.yml": "include: 'ci/[ab].yml'\n", "ci/a.yml": KEYS_JOB})
    result = scan([root])
    assert not result.findings
    [unread] = result.unread
    assert unread.reason == "the included file does not exist"


def test_links_back_up_the_tree_are_not_followed(tmp_path: Path) -> None:
    # `d/a -> ..` and `d/b -> ..`: glob followed them into every d/a/d/b/… path, a hang.
    # A linked directory is one entry of the Git tree: nothing under it is matched.
    root = repo(tmp_path, {".gitlab-ci.yml": "include: '**/*.yml'\n", "d/t.yml": KEYS_JOB})
    for name in ("a", "b"):
        os.symlink("..", root / "d" / name)
    read: list[list[str]] = []
    # In a thread that may be left behind: the old walk never ended.
    worker = threading.Thread(target=lambda: read.append(_read(root)), daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert read == [[".gitlab-ci.yml", "d/t.yml"]]


@pytest.mark.parametrize(
    ("links", "reason"),
    [
        (3_000, "its path is a chain of symbolic links too long to follow"),
        (0, "its path is a loop of symbolic links"),
    ],
    ids=["chain", "loop"],
)
def test_an_include_behind_links_that_cannot_be_followed_is_unread(
    tmp_path: Path, links: int, reason: str
) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": "include: ci/link.yml\n" + KEYS_JOB})
    folder = root / "ci"
    folder.mkdir()
    if links:
        (folder / "target.yml").write_text(KEYS_JOB)
        (folder / f"l{links}").symlink_to("target.yml")
        for i in range(links - 1, 0, -1):
            (folder / f"l{i}").symlink_to(f"l{i + 1}")
        (folder / "link.yml").symlink_to("l1")
    else:
        (folder / "link.yml").symlink_to("other.yml")
        (folder / "other.yml").symlink_to("link.yml")
    result = CliRunner().invoke(cli, ["workflows", "scan", "--format", "json", str(root)])
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    assert reason in result.output
