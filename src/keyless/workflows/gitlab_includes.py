"""The files a GitLab pipeline includes from its own repository
(https://docs.gitlab.com/ci/yaml/includes/): what ``scan`` and ``fix`` read beside
``.gitlab-ci.yml``, and the includes that cannot be read.

A file of another project, a remote URL, one of GitLab's CI/CD templates or a CI/CD
component is not in the repository: its jobs, templates and variables join the pipeline
unseen (GitLab's own templates read AWS keys too: ``Jobs/Deploy/ECS.gitlab-ci.yml`` uses
``AWS_ACCESS_KEY_ID`` from the CI/CD variables), so each is named as not read, never
passed as clean."""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Any

from keyless.engine import Unread
from keyless.errors import quoted
from keyless.workflows.yamldoc import Document, is_map, is_seq


def local_includes(
    document: Document, repository_root: Path
) -> tuple[tuple[Path, ...], tuple[Unread, ...]]:
    """The files a GitLab CI file includes from the same repository, and the includes
    that could not be found (or lead outside the repository).

    ``include: path``, ``include: [path, …]`` and ``include: {local: path}``; paths are
    relative to the repository root and may hold wildcards
    (https://docs.gitlab.com/ci/yaml/includes/#use-includelocal-with-wildcard-file-paths).
    """
    root = document.root
    spec = root.get("include") if is_map(root) else None
    entries: Any = spec if is_seq(spec) else [spec] if spec is not None else []
    found: list[Path] = []
    missing: list[Unread] = []
    base = repository_root.resolve()
    for entry in entries:
        elsewhere = _elsewhere(entry)
        if elsewhere is not None:
            missing.append(Unread(f"{document.path}: include {elsewhere[0]}", elsewhere[1]))
            continue
        target = entry.get("local") if is_map(entry) else entry
        if not isinstance(target, str):
            continue
        if "$" in target:
            # https://docs.gitlab.com/ci/yaml/includes/#use-variables-with-include
            missing.append(
                Unread(
                    f"{document.path}: include {target}",
                    "its path holds a variable GitLab expands when the pipeline is created: "
                    "which file it names is not known here",
                )
            )
            continue
        pattern = str(repository_root / target.lstrip("/"))
        matches = sorted(Path(p) for p in glob.glob(pattern, recursive=True))
        inside = [p for p in matches if p.resolve().is_relative_to(base)]
        where = f"{document.path}: include {target}"
        if len(inside) < len(matches):
            missing.append(Unread(where, "leads outside the repository; not read"))
        if not matches and not any(c in target for c in "*?["):
            missing.append(Unread(where, "the included file does not exist"))
        found.extend(inside)
    return tuple(found), tuple(missing)


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
