"""Finding CI files: a repository, a directory of repositories, or files given directly.

GitHub reads workflows only from ``.github/workflows/*.yml|yaml`` of a repository
(https://docs.github.com/en/actions/writing-workflows/about-workflows); GitLab reads
``.gitlab-ci.yml`` at the root plus the files it includes with ``include: local``
(https://docs.gitlab.com/ci/yaml/#includelocal), which :mod:`.gitlab` resolves.

The other platforms read their pipeline from one well-known place, which is where keyless
looks: CircleCI ``.circleci/config.yml``
(https://circleci.com/docs/configuration-reference/; a setup configuration's
continuations are followed by :func:`keyless.workflows.circleci.continuations`), Bitbucket
``bitbucket-pipelines.yml``, Buildkite ``.buildkite/pipeline.yml`` (and the other
``.buildkite/**/*.yml`` files a pipeline uploads, and ``buildkite/pipeline.yml``:
https://buildkite.com/docs/agent/v3/cli-pipeline; and its repository hooks,
``.buildkite/hooks/pre-command`` and the like), Azure ``azure-pipelines.yml`` and the
``.azure-pipelines/`` directory of pipelines and templates, Travis
``.travis.yml``, AWS CodeBuild ``buildspec.yml``, Jenkins ``Jenkinsfile`` and Drone
``.drone.yml``. GitHub action metadata files (``action.yml``) are found by
:mod:`.action_files`. A file named on the command line is classified by its name and place
first and by its content only when those say nothing; a file no rule recognises is
recorded as unread, never scanned as some platform it is not.

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
from keyless.files import has_undecodable_name
from keyless.workflows.action_files import (
    ACTION_FILES,
    actions_in,
    is_action_text,
    linked_actions,
)
from keyless.workflows.buildkite import is_hook as is_buildkite_hook
from keyless.workflows.model import Platform, WorkflowFile
from keyless.workflows.platform_guess import file_head, guess_platform

GITLAB_FILE = ".gitlab-ci.yml"
_SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__", ".tox"})
_YAML_SUFFIXES = (".yml", ".yaml")
#: Files each platform reads from any directory of a repository, by exact name.
WELL_KNOWN_FILES: dict[str, Platform] = {
    "bitbucket-pipelines.yml": Platform.BITBUCKET,
    "azure-pipelines.yml": Platform.AZURE,
    "azure-pipelines.yaml": Platform.AZURE,
    ".travis.yml": Platform.TRAVIS,
    "buildspec.yml": Platform.CODEBUILD,
    "buildspec.yaml": Platform.CODEBUILD,
    "Jenkinsfile": Platform.JENKINS,
    ".drone.yml": Platform.DRONE,
    ".drone.yaml": Platform.DRONE,
    "buildkite.yml": Platform.BUILDKITE,
    "buildkite.yaml": Platform.BUILDKITE,
}
#: Directories whose YAML files belong to a platform: CircleCI reads ``config.yml`` (and,
#: in a setup configuration, its continuations: :func:`keyless.workflows.circleci.continuations`);
#: ``.buildkite`` and ``.azure-pipelines`` hold pipelines and templates at any depth.
_PLATFORM_DIRECTORIES: dict[str, tuple[Platform, tuple[str, ...] | None]] = {
    ".circleci": (Platform.CIRCLECI, ("config.yml",)),
    ".buildkite": (Platform.BUILDKITE, None),
    ".azure-pipelines": (Platform.AZURE, None),
}
#: The platform directories whose subdirectories belong to them too.
_NESTED_DIRECTORIES = frozenset({".buildkite", ".azure-pipelines"})
#: How far above a file its platform directory may be (``.buildkite/a/b/c/x.yml``).
_NESTING_LIMIT = 8
#: Buildkite's agent also uploads ``buildkite/pipeline.yml`` (a directory without the dot:
#: https://buildkite.com/docs/agent/v3/cli-pipeline); only that file of such a directory.
_BUILDKITE_PLAIN = ("buildkite", ("pipeline.yml", "pipeline.yaml"))
#: GitLab reads at most 150 included files per pipeline, nested ones counted (MAX_INCLUDES,
#: https://gitlab.com/gitlab-org/gitlab/-/merge_requests/111726): no more are read when
#: classifying a file, and each once (a cycle ends).
GITLAB_MAX_INCLUDES = 150


@dataclass(frozen=True, slots=True)
class Discovery:
    """The CI files found under the given paths, what could not be used and why, and the
    roots (resolved given paths) inside which keyless may read and write."""

    files: tuple[WorkflowFile, ...]
    unread: tuple[Unread, ...]
    roots: tuple[Path, ...]


def discover(paths: Iterable[Path]) -> Discovery:
    """Every CI file under ``paths``, each once, in a stable order.

    A missing path raises :class:`InputError`. A file given directly is classified by
    its name and place (:func:`platform_by_place`), else by its content
    (:func:`.platform_guess.guess_platform`); a file neither recognises is recorded as unread.
    """
    found: dict[Path, WorkflowFile] = {}
    unread: list[Unread] = []
    roots: list[Path] = []
    for path in paths:
        if not os.path.lexists(path):
            if os.fspath(path) == "-":  # standard input elsewhere: say it is not read here
                raise InputError(
                    "does not read standard input (-): give a file or a directory", where="-"
                )
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
    whose target lies outside every root, or a name that is not UTF-8."""
    if has_undecodable_name(path):
        # Read, its findings could not name it: JSON and SARIF hold UTF-8 only.
        return "its name is not UTF-8, so no report could name it; rename it to read it"
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
    ``.gitlab-ci.yml``; the file's own directory when there is none (the directory
    above its platform directory for a file in ``.circleci``, ``.buildkite``,
    ``.azure-pipelines`` or ``buildkite``)."""
    start = path if path.is_dir() else path.parent
    for directory in (start, *start.parents):
        if (directory / ".git").exists() or (directory / ".github").is_dir():
            return directory
        if (directory / GITLAB_FILE).is_file():
            return directory
    owner = platform_directory(start / "x")
    if owner is not None:
        return owner.parent
    return start.parent if start.name == _BUILDKITE_PLAIN[0] else start


def platform_directory(path: Path) -> Path | None:
    """The platform directory (``.circleci``, ``.buildkite``, ``.azure-pipelines``) ``path``
    lies in: its parent, or for the directories read at any depth an ancestor up to
    :data:`_NESTING_LIMIT` levels up (the nearest). Lexical: links are judged elsewhere."""
    parent = path.parent
    if parent.name in _PLATFORM_DIRECTORIES:
        return parent
    for ancestor in list(parent.parents)[: _NESTING_LIMIT - 1]:
        if ancestor.name in _NESTED_DIRECTORIES:
            return ancestor
    return None


def platform_by_place(path: Path) -> Platform | None:
    """The platform a file belongs to by its name and directory alone, or None."""
    name, parent = path.name, path.parent
    if name == GITLAB_FILE:
        return Platform.GITLAB
    if name.endswith(_YAML_SUFFIXES):
        if parent.name == "workflows" and parent.parent.name == ".github":
            return Platform.GITHUB
        directory = platform_directory(path)
        if directory is not None:
            return _PLATFORM_DIRECTORIES[directory.name][0]
        if parent.name == _BUILDKITE_PLAIN[0] and name in _BUILDKITE_PLAIN[1]:
            return Platform.BUILDKITE
        if name.startswith("buildspec"):  # buildspec-prod.yml: any name can be configured
            return Platform.CODEBUILD
    if name == "Jenkinsfile" or name.startswith("Jenkinsfile.") or name.endswith(".jenkinsfile"):
        return Platform.JENKINS
    if is_buildkite_hook(path):
        return Platform.BUILDKITE
    return WELL_KNOWN_FILES.get(name)


def _classify_file(path: Path) -> WorkflowFile:
    root = repository_root(path)
    platform = platform_by_place(path)
    if platform is not None:
        return WorkflowFile(path, platform, root)
    if path.suffix not in _YAML_SUFFIXES:
        raise InputError(
            "not a YAML file nor a Jenkinsfile", where=str(path), hint="Give CI files."
        )
    if is_gitlab_include(path, root):
        return WorkflowFile(path, Platform.GITLAB, root)
    from keyless.workflows.azure_templates import is_azure_template

    if is_azure_template(path, root):
        return WorkflowFile(path, Platform.AZURE, root)
    head = file_head(path)
    if path.name in ACTION_FILES and is_action_text(head):
        return WorkflowFile(path, Platform.GITHUB, root, action=True)
    guessed = guess_platform(head)
    if guessed is None:
        raise InputError(
            "not recognised as a CI file of a platform keyless reads (GitHub Actions, "
            "GitLab CI, CircleCI, Bitbucket, Buildkite, Azure Pipelines, Travis CI, "
            "CodeBuild, Drone); not read",
            where=str(path),
        )
    return WorkflowFile(path, guessed, root)


def is_gitlab_include(path: Path, root: Path) -> bool:
    """Whether the repository's ``.gitlab-ci.yml`` includes ``path`` with ``include:
    local``, itself or through included files that include it in turn (nested includes,
    https://docs.gitlab.com/ci/yaml/includes/), each file read once (a cycle ends) and no
    more than :data:`GITLAB_MAX_INCLUDES` of them. A file that cannot be read says nothing
    here; scanning it reports why."""
    from keyless.workflows.gitlab_includes import local_includes
    from keyless.workflows.yamldoc import load

    real = path.resolve()
    queue = [root / GITLAB_FILE]
    seen: set[Path] = set()
    while queue and len(seen) <= GITLAB_MAX_INCLUDES:
        current = queue.pop(0)
        if not os.path.lexists(current) or unusable(current, (root,)):
            continue  # unusable stats it first: a loop or long chain of links is refused
        key = current.resolve()
        if key in seen:
            continue
        seen.add(key)
        try:
            includes, _ = local_includes(load(current, gitlab_header=True), root)
        except InputError:
            continue
        if any(include.resolve() == real for include in includes):
            return True
        queue.extend(includes)
    return False


def _walk(directory: Path, root: Path, unread: list[Unread]) -> Iterator[tuple[Path, WorkflowFile]]:
    for current, dirnames, filenames in os.walk(directory):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        here = Path(current)
        files, directories = frozenset(filenames), frozenset(dirnames)
        if here.name == "workflows" and here.parent.name == ".github":
            yield from _workflows_in(here, sorted(filenames))
        if here.name == ".github":
            yield from _odd_workflows_directory(here, dirnames, filenames, root, unread)
        if ".github" in dirnames and (here / ".github").is_symlink():
            yield from _linked_github_directory(here / ".github", root, unread)
        yield from actions_in(here, filenames, Path(directory))
        yield from linked_actions(here, dirnames, root, unread)
        if here.name in _PLATFORM_DIRECTORIES and not here.is_symlink():
            yield from _platform_directory(here, sorted(filenames))
            if here.name in _NESTED_DIRECTORIES:
                _unfollowed_links(here, dirnames, unread)
        elif (owner := _nested_owner(here, Path(directory))) is not None:
            yield from _nested_platform_directory(here, owner, sorted(filenames), dirnames, unread)
        if here.name == _BUILDKITE_PLAIN[0]:
            for name in _BUILDKITE_PLAIN[1]:
                if name in files:
                    path = here / name
                    yield path, WorkflowFile(path, Platform.BUILDKITE, here.parent)
        for name in sorted(d for d in dirnames if d in _PLATFORM_DIRECTORIES):
            yield from _linked_platform_directory(here / name, dirnames, root, unread)
        if GITLAB_FILE in filenames:
            yield here / GITLAB_FILE, WorkflowFile(here / GITLAB_FILE, Platform.GITLAB, here)
        elif GITLAB_FILE in dirnames:
            unread.append(Unread(str(here / GITLAB_FILE), "a directory, not a CI file; not read"))
        for name, platform in WELL_KNOWN_FILES.items():
            if name in files:
                yield here / name, WorkflowFile(here / name, platform, here)
            elif name in directories:
                unread.append(Unread(str(here / name), "a directory, not a CI file; not read"))


def _platform_directory(
    directory: Path, names: Iterable[str]
) -> Iterator[tuple[Path, WorkflowFile]]:
    """The pipeline files of ``.circleci`` (``config.yml`` only) or ``.buildkite``."""
    platform, only = _PLATFORM_DIRECTORIES[directory.name]
    for name in names:
        if (name in only) if only is not None else name.endswith(_YAML_SUFFIXES):
            path = directory / name
            yield path, WorkflowFile(path, platform, directory.parent)


def _nested_owner(here: Path, start: Path) -> Path | None:
    """The ``.buildkite`` / ``.azure-pipelines`` directory above ``here`` within the walk
    from ``start`` (a directory above the path given says nothing), or None."""
    for directory in (here, *here.parents):
        if directory.name in _NESTED_DIRECTORIES:
            return directory
        if directory == start or len(directory.parts) <= len(start.parts):
            return None
    return None


def _nested_platform_directory(
    here: Path, owner: Path, names: Iterable[str], dirnames: list[str], unread: list[Unread]
) -> Iterator[tuple[Path, WorkflowFile]]:
    """The YAML files of a subdirectory of ``.buildkite`` / ``.azure-pipelines`` (templates,
    pipelines per service). A linked subdirectory is not entered: it is named unread."""
    platform = _PLATFORM_DIRECTORIES[owner.name][0]
    for name in names:
        if name.endswith(_YAML_SUFFIXES) or is_buildkite_hook(here / name):
            yield here / name, WorkflowFile(here / name, platform, owner.parent)
    _unfollowed_links(here, dirnames, unread)


def _unfollowed_links(here: Path, dirnames: list[str], unread: list[Unread]) -> None:
    """A linked subdirectory of a directory of CI files is not entered (the walk never
    follows links): named unread, never silently skipped."""
    for name in [d for d in dirnames if (here / d).is_symlink()]:
        dirnames.remove(name)
        unread.append(
            Unread(str(here / name), "a symbolic link to a directory of CI files; not followed")
        )


def _linked_platform_directory(
    directory: Path, dirnames: list[str], root: Path, unread: list[Unread]
) -> Iterator[tuple[Path, WorkflowFile]]:
    """``.circleci`` / ``.buildkite`` as a symbolic link, which the walk does not enter:
    read when it stays inside the root, else recorded unread."""
    if not directory.is_symlink():
        return
    dirnames.remove(directory.name)
    names = _listed_inside(directory, root, unread)
    if names is not None:
        yield from _platform_directory(directory, names)


def _listed_inside(directory: Path, root: Path, unread: list[Unread]) -> list[str] | None:
    """The names in ``directory`` (a symbolic link the walk did not enter), or None with
    the reason recorded unread: it leads outside the root, or cannot be listed."""
    if not is_inside(directory, (root,)):
        unread.append(Unread(str(directory), "a symbolic link that leads outside the paths given"))
        return None
    try:
        return sorted(entry.name for entry in os.scandir(directory))
    except OSError as error:
        unread.append(Unread(str(directory), f"cannot list it: {error.strerror}"))
        return None


def _workflows_in(directory: Path, names: Iterable[str]) -> Iterator[tuple[Path, WorkflowFile]]:
    root = directory.parent.parent
    for name in names:
        if name.endswith(_YAML_SUFFIXES):
            yield directory / name, WorkflowFile(directory / name, Platform.GITHUB, root)


def _linked_github_directory(
    github: Path, root: Path, unread: list[Unread]
) -> Iterator[tuple[Path, WorkflowFile]]:
    """``.github`` as a symbolic link to a directory, which the walk does not enter: its
    ``workflows`` read when the link stays inside the root (as a linked
    ``.github/workflows`` is), else recorded unread; never silently clean."""
    if not is_inside(github, (root,)):
        unread.append(Unread(str(github), "a symbolic link that leads outside the paths given"))
        return
    workflows = github / "workflows"
    if not os.path.lexists(workflows):
        return
    if not workflows.is_dir():
        unread.append(Unread(str(workflows), "not a directory (a file, FIFO or broken link)"))
        return
    names = _listed_inside(workflows, root, unread)
    if names is not None:
        yield from _workflows_in(workflows, names)


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
