"""The files a GitLab pipeline includes from its own repository
(https://docs.gitlab.com/ci/yaml/includes/): what ``scan`` and ``fix`` read beside
``.gitlab-ci.yml``, and the includes that cannot be read.

A file of another project, a remote URL, one of GitLab's CI/CD templates or a CI/CD
component is not in the repository: its jobs, templates and variables join the pipeline
unseen (GitLab's own templates read AWS keys too: ``Jobs/Deploy/ECS.gitlab-ci.yml`` uses
``AWS_ACCESS_KEY_ID`` from the CI/CD variables), so each is named as not read, never
passed as clean."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from keyless.engine import Unread
from keyless.errors import quoted
from keyless.workflows.gitlab_wildcards import (
    MAX_FILES,
    MAX_PATTERN,
    Listing,
    TooComplex,
    is_wildcard,
    matching,
    repository_files,
)
from keyless.workflows.yamldoc import Document, is_map, is_seq, own_items


def local_includes(
    document: Document, repository_root: Path
) -> tuple[tuple[Path, ...], tuple[Unread, ...]]:
    """The files a GitLab CI file includes from the same repository, and the includes
    that could not be found (or lead outside the repository).

    ``include: path``, ``include: [path, …]`` and ``include: {local: path}``; paths are
    relative to the repository root and may hold wildcards
    (https://docs.gitlab.com/ci/yaml/includes/#use-includelocal-with-wildcard-file-paths).
    A trigger job's ``trigger: include:`` names the configuration of a child pipeline
    (https://docs.gitlab.com/ci/pipelines/downstream_pipelines/#parent-child-pipelines),
    whose jobs run as this repository's: its files are read the same way, and one
    generated while the pipeline runs (``artifact:``) is named as not read.
    """
    root = document.root
    spec = root.get("include") if is_map(root) else None
    found: list[Path] = []
    missing: list[Unread] = []
    listing: list[Listing] = []  # the repository's files, listed once when a wildcard needs them
    _follow(_entries(spec), "include", document, repository_root, found, missing, listing)
    for name, job in own_items(root) if is_map(root) else ():
        trigger: Any = job.get("trigger") if is_map(job) else None
        child: Any = trigger.get("include") if is_map(trigger) else None
        if child is not None:
            label = f"job {quoted(str(name))} trigger include"
            _follow(_entries(child), label, document, repository_root, found, missing, listing)
    return tuple(dict.fromkeys(found)), tuple(dict.fromkeys(missing))


def _entries(spec: Any) -> list[Any]:
    return list(spec) if is_seq(spec) else [spec] if spec is not None else []


def _follow(
    entries: list[Any],
    label: str,
    document: Document,
    repository_root: Path,
    found: list[Path],
    missing: list[Unread],
    listing: list[Listing],
) -> None:
    """Add the local files ``entries`` name to ``found``, and what cannot be read to
    ``missing`` (``label``: how the file names them, ``include`` or a trigger's)."""
    base = repository_root.resolve()
    for entry in entries:
        elsewhere = _elsewhere(entry)
        if elsewhere is not None:
            missing.append(Unread(f"{document.path}: {label} {elsewhere[0]}", elsewhere[1]))
            continue
        if is_map(entry) and "artifact" in entry:
            missing.append(
                Unread(
                    f"{document.path}: {label} artifact {quoted(entry.get('artifact'))}",
                    "a child pipeline a job generates while the pipeline runs: not in the "
                    "repository",
                )
            )
            continue
        target = entry.get("local") if is_map(entry) else entry
        if not isinstance(target, str):
            continue
        if "$" in target:
            # https://docs.gitlab.com/ci/yaml/includes/#use-variables-with-include
            missing.append(
                Unread(
                    f"{document.path}: {label} {_shown(target)}",
                    "its path holds a variable GitLab expands when the pipeline is created: "
                    "which file it names is not known here",
                )
            )
            continue
        where = f"{document.path}: {label} {_shown(target)}"
        relative = target.lstrip("/")
        if is_wildcard(relative):
            matches = _wildcard_matches(relative, repository_root, listing, where, missing)
        else:
            candidate = repository_root / relative
            matches = [candidate] if os.path.lexists(candidate) else []
            if not matches:
                missing.append(Unread(where, "the included file does not exist"))
        for path in matches:
            problem = _unreadable(path, base)
            if problem is None:
                found.append(path)
            else:
                missing.append(Unread(where, problem))


def _wildcard_matches(
    pattern: str, repository_root: Path, listing: list[Listing], where: str, missing: list[Unread]
) -> list[Path]:
    """The files a wildcard include names (:mod:`.gitlab_wildcards`), what keyless could
    not match recorded in ``missing``. ``listing``: the repository's files, once listed."""
    if len(pattern) > MAX_PATTERN:
        missing.append(Unread(where, "a wildcard path longer than keyless matches; not read"))
        return []
    if not listing:
        listing.append(repository_files(repository_root))
    if listing[0].cut:
        missing.append(
            Unread(
                where,
                f"the repository holds more than {MAX_FILES:,} files: the wildcard was "
                "matched against those only",
            )
        )
    try:
        names = matching(pattern, listing[0].paths)
    except TooComplex:
        missing.append(Unread(where, "a wildcard path too intricate for keyless to match"))
        return []
    return [repository_root / name for name in names]


def _unreadable(path: Path, base: Path) -> str | None:
    """Why an included file is not read (a link out of the repository, a loop or a chain
    of links too long to follow), or None."""
    try:
        inside = path.resolve().is_relative_to(base)
    except RecursionError:  # Path.resolve follows a chain of links recursively
        return "its path is a chain of symbolic links too long to follow"
    except RuntimeError:  # Python 3.11's error for a loop of links
        return "its path is a loop of symbolic links"
    except (OSError, ValueError):  # a name too long, a NUL
        return "it cannot be read"
    return None if inside else "leads outside the repository; not read"


# include: keyword → what it names, for the reason an include of it is not read.
_ELSEWHERE = {
    "project": "a file of another project",
    "remote": "a file at a URL",
    "template": "one of GitLab's CI/CD templates",
    "component": "a CI/CD component",
}


def _elsewhere(entry: Any) -> tuple[str, str] | None:
    """(what the include names, why it is not read) for an include from outside the
    repository; None for a local one."""
    if isinstance(entry, str):
        # `include: https://…` is a remote include; any other string is a local path.
        return (quoted(entry), _why("remote")) if "://" in entry else None
    if not is_map(entry):
        return None
    for keyword in _ELSEWHERE:
        if keyword in entry:
            named = quoted(entry[keyword])
            files = entry.get("file") if keyword == "project" else None
            if files is not None:
                named += " file " + quoted(files if isinstance(files, str) else list(files))
            return f"{keyword} {named}", _why(keyword)
    return None


def _why(keyword: str) -> str:
    return (
        f"{_ELSEWHERE[keyword]}, not in the repository: its jobs, templates and variables "
        "join the pipeline unseen (they may hold or use AWS keys)"
    )


def _shown(path: str) -> str:
    """An include's path as a message shows it: as written, or quoted (escaped, cut) when
    it holds a control or invisible character a terminal would act on, or is long."""
    return path if path.isprintable() and len(path) <= 200 else quoted(path)
