"""Finding CI files: a repository, a directory of repositories, or files given directly.

GitHub reads workflows only from ``.github/workflows/*.yml|yaml`` of a repository
(https://docs.github.com/en/actions/writing-workflows/about-workflows); GitLab reads
``.gitlab-ci.yml`` at the root plus the files it includes with ``include: local``
(https://docs.gitlab.com/ci/yaml/#includelocal), which :mod:`.gitlab` resolves.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from keyless.errors import InputError
from keyless.files import read_text
from keyless.workflows.model import Platform, WorkflowFile

GITLAB_FILE = ".gitlab-ci.yml"
_SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__", ".tox"})
_YAML_SUFFIXES = (".yml", ".yaml")


def discover(paths: Iterable[Path]) -> tuple[WorkflowFile, ...]:
    """Every CI file under ``paths``, each once, in a stable order.

    A missing path raises :class:`InputError`. A file is GitLab's if it is named
    ``.gitlab-ci.yml`` or sits outside ``.github/workflows`` and has no ``jobs:`` of
    GitHub's shape; otherwise it is a GitHub workflow.
    """
    found: dict[Path, WorkflowFile] = {}
    for path in paths:
        if not path.exists():
            raise InputError("no such file or directory", where=str(path))
        candidates = [_classify_file(path)] if path.is_file() else list(_walk(path))
        for candidate in candidates:
            found.setdefault(candidate.path.resolve(), candidate)
    return tuple(sorted(found.values(), key=lambda f: str(f.path)))


def repository_root(path: Path) -> Path:
    """The nearest directory at or above ``path`` that holds ``.git``, ``.github`` or
    ``.gitlab-ci.yml``; the file's own directory when there is none."""
    start = path if path.is_dir() else path.parent
    for directory in (start, *start.parents):
        if (directory / ".git").exists() or (directory / ".github").is_dir():
            return directory
        if (directory / GITLAB_FILE).is_file():
            return directory
    return start


def _classify_file(path: Path) -> WorkflowFile:
    if path.suffix not in _YAML_SUFFIXES:
        raise InputError("not a YAML file", where=str(path), hint="Give .yml or .yaml files.")
    root = repository_root(path)
    if path.name == GITLAB_FILE:
        return WorkflowFile(path, Platform.GITLAB, root)
    if path.parent.name == "workflows" and path.parent.parent.name == ".github":
        return WorkflowFile(path, Platform.GITHUB, root)
    return WorkflowFile(path, _guess_platform(path), root)


def _guess_platform(path: Path) -> Platform:
    # A GitHub workflow always has `jobs:` whose jobs have `runs-on:` or `uses:`; a GitLab
    # file never has a top-level `jobs:` key. Good enough for a file named explicitly.
    text = read_text(path)
    has_jobs = any(line.startswith(("jobs:", '"jobs":')) for line in text.splitlines())
    return Platform.GITHUB if has_jobs else Platform.GITLAB


def _walk(directory: Path) -> Iterator[WorkflowFile]:
    for current, dirnames, filenames in os.walk(directory):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        here = Path(current)
        if here.name == "workflows" and here.parent.name == ".github":
            root = here.parent.parent
            for name in sorted(filenames):
                if name.endswith(_YAML_SUFFIXES):
                    yield WorkflowFile(here / name, Platform.GITHUB, root)
        if GITLAB_FILE in filenames:
            yield WorkflowFile(here / GITLAB_FILE, Platform.GITLAB, here)
