"""Finding CI files: a repository, a directory of repositories, or files given directly.

GitHub reads workflows only from ``.github/workflows/*.yml|yaml`` of a repository
(https://docs.github.com/en/actions/writing-workflows/about-workflows); GitLab reads
``.gitlab-ci.yml`` at the root plus the files it includes with ``include: local``
(https://docs.gitlab.com/ci/yaml/#includelocal), which :mod:`.gitlab` resolves.

A path that cannot be used is not a reason to stop: a FIFO or device named like a
workflow, or a symbolic link that leads outside the paths given, is recorded as unread
(:class:`keyless.engine.Unread`) and the rest is scanned. keyless never follows a link out
of the roots it was given and never writes through one.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from keyless.engine import Unread
from keyless.errors import InputError
from keyless.workflows.model import Platform, WorkflowFile

GITLAB_FILE = ".gitlab-ci.yml"
_SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__", ".tox"})
_YAML_SUFFIXES = (".yml", ".yaml")
_GUESS_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Discovery:
    """The CI files found under the given paths, what could not be used and why, and the
    roots (resolved given paths) inside which keyless may read and write."""

    files: tuple[WorkflowFile, ...]
    unread: tuple[Unread, ...]
    roots: tuple[Path, ...]


def discover(paths: Iterable[Path]) -> Discovery:
    """Every CI file under ``paths``, each once, in a stable order.

    A missing path raises :class:`InputError`. A file is GitLab's if it is named
    ``.gitlab-ci.yml`` or sits outside ``.github/workflows`` and has no ``jobs:`` of
    GitHub's shape; otherwise it is a GitHub workflow.
    """
    found: dict[Path, WorkflowFile] = {}
    unread: list[Unread] = []
    roots: list[Path] = []
    for path in paths:
        if not os.path.lexists(path):
            raise InputError("no such file or directory", where=str(path))
        root = path.resolve()
        roots.append(root)
        candidates: Iterable[tuple[Path, WorkflowFile | None]] = (
            _walk(path, root, unread) if path.is_dir() else [(path, None)]
        )
        for candidate, known in candidates:
            problem = unusable(candidate, (root,))
            if problem is not None:
                unread.append(Unread(str(candidate), problem))
                continue
            try:
                file = known or _classify_file(candidate)
            except InputError as error:
                unread.append(Unread(error.where or str(candidate), error.message))
                continue
            key = file.path.resolve()
            previous = found.get(key)
            if previous is None or (previous.path.is_symlink() and not file.path.is_symlink()):
                found[key] = file
    files = tuple(sorted(found.values(), key=lambda f: str(f.path)))
    return Discovery(files, tuple(unread), tuple(roots))


def unusable(path: Path, roots: Iterable[Path]) -> str | None:
    """Why ``path`` cannot be read as a CI file, or None: not a regular file, or a link
    whose target lies outside every root."""
    try:
        info = os.stat(path)
    except OSError as error:
        return f"cannot read it: {error.strerror}"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (a FIFO, device or socket); skipped"
    real = path.resolve()
    if not any(real == root or real.is_relative_to(root) for root in roots):
        # Not named: where a link points is the reader's business, not the log's.
        return "a symbolic link that leads outside the paths given"
    return None


def is_inside(path: Path, roots: Iterable[Path]) -> bool:
    """Whether ``path`` (resolved) lies in one of ``roots``."""
    real = path.resolve()
    return any(real == root or real.is_relative_to(root) for root in roots)


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
    # The file is regular (checked before); only its beginning is read.
    with path.open("rb") as handle:
        head = handle.read(_GUESS_BYTES).decode("utf-8", errors="replace")
    has_jobs = any(line.startswith(("jobs:", '"jobs":')) for line in head.splitlines())
    return Platform.GITHUB if has_jobs else Platform.GITLAB


def _walk(directory: Path, root: Path, unread: list[Unread]) -> Iterator[tuple[Path, WorkflowFile]]:
    for current, dirnames, filenames in os.walk(directory):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        here = Path(current)
        if here.name == "workflows" and here.parent.name == ".github":
            yield from _workflows_in(here, sorted(filenames))
        if here.name == ".github":
            yield from _odd_workflows_directory(here, dirnames, filenames, root, unread)
        if GITLAB_FILE in filenames:
            yield here / GITLAB_FILE, WorkflowFile(here / GITLAB_FILE, Platform.GITLAB, here)
        elif GITLAB_FILE in dirnames:
            unread.append(Unread(str(here / GITLAB_FILE), "a directory, not a CI file; not read"))


def _workflows_in(directory: Path, names: Iterable[str]) -> Iterator[tuple[Path, WorkflowFile]]:
    root = directory.parent.parent
    for name in names:
        if name.endswith(_YAML_SUFFIXES):
            yield directory / name, WorkflowFile(directory / name, Platform.GITHUB, root)


def _odd_workflows_directory(
    github: Path, dirnames: list[str], filenames: list[str], root: Path, unread: list[Unread]
) -> Iterator[tuple[Path, WorkflowFile]]:
    """``.github/workflows`` that the walk does not enter: a symbolic link to a directory
    (read when it stays inside the root, else recorded unread) or no directory at all (a
    FIFO, a file, a dangling link: recorded unread). Either way never silently clean."""
    workflows = github / "workflows"
    if "workflows" in filenames:
        unread.append(Unread(str(workflows), "not a directory (a file, FIFO or broken link)"))
    elif "workflows" in dirnames and workflows.is_symlink():
        dirnames.remove("workflows")
        if not is_inside(workflows, (root,)):
            unread.append(
                Unread(str(workflows), "a symbolic link that leads outside the paths given")
            )
            return
        try:
            names = sorted(entry.name for entry in os.scandir(workflows))
        except OSError as error:
            unread.append(Unread(str(workflows), f"cannot list it: {error.strerror}"))
            return
        yield from _workflows_in(workflows, names)
