"""The files a GitLab pipeline includes from its own repository
(https://docs.gitlab.com/ci/yaml/includes/): what ``scan`` and ``fix`` read beside
``.gitlab-ci.yml``, and the includes that cannot be read."""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Any

from keyless.engine import Unread
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
        target = entry.get("local") if is_map(entry) else entry
        if not isinstance(target, str) or "://" in target:
            continue
        if is_map(entry) and ("project" in entry or "template" in entry or "remote" in entry):
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
