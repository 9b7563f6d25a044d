"""``keyless workflows fix`` as a library call: plan edits per file, apply them to the
original text, and (only when asked) write the files back."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from keyless.errors import InputError
from keyless.workflows import github, github_fix, gitlab, gitlab_fix
from keyless.workflows.model import FileRewrite, FixOptions, FixResult, Platform
from keyless.workflows.patch import apply_edits
from keyless.workflows.report import display_path
from keyless.workflows.scan import LoadedFile, load_all
from keyless.workflows.subjects import UNKNOWN_REPOSITORY, repository_from_git
from keyless.workflows.yamldoc import is_map


def fix(paths: Iterable[Path], options: FixOptions) -> FixResult:
    """Rewrite every CI file under ``paths`` from static AWS keys to OIDC, in memory.

    Files without static keys come back unchanged. Raises
    :class:`keyless.errors.InputError` for bad input (missing path, malformed YAML, a
    construct that cannot be rewritten safely, no region for an inserted step).
    """
    files = load_all(paths)
    fixed_callees = _fixed_callees(files)
    rewrites: list[FileRewrite] = []
    notes: list[str] = []
    unknown: set[Path] = set()
    for item in files:
        repository = options.repository or repository_from_git(item.file.repository_root)
        if repository is None:
            repository = UNKNOWN_REPOSITORY
            unknown.add(item.file.repository_root)
        try:
            if item.file.platform is Platform.GITHUB:
                plan = github_fix.plan(
                    github.analyse(item.document),
                    options,
                    repository,
                    fixed_callees.get(item.file.repository_root, frozenset()),
                )
            else:
                plan = gitlab_fix.plan(gitlab.analyse(item.document), options, repository)
        except InputError as error:
            if error.where is None:
                error.where = str(item.file.path)
            raise
        after = apply_edits(item.document.text, plan.edits) if plan.edits else item.document.text
        rewrites.append(
            FileRewrite(item.file, item.document.text, after, tuple(plan.jobs), tuple(plan.notes))
        )
    notes += [
        f"{root}: no git remote 'origin' found; subjects use {UNKNOWN_REPOSITORY} "
        "(pass --repository ORG/REPO)"
        for root in sorted(unknown)
        if any(r.jobs for r in rewrites if r.file.repository_root == root)
    ]
    return FixResult(tuple(rewrites), tuple(notes))


def _fixed_callees(files: Iterable[LoadedFile]) -> dict[Path, frozenset[str]]:
    found: dict[Path, set[str]] = {}
    for item in files:
        if item.file.platform is not Platform.GITHUB:
            continue
        root = item.document.root
        on: Any = root.get("on") if is_map(root) else None
        called = (is_map(on) and "workflow_call" in on) or on == "workflow_call"
        if called and github.analyse(item.document).has_static_keys:
            relative = item.file.path.resolve().relative_to(item.file.repository_root.resolve())
            found.setdefault(item.file.repository_root, set()).add(relative.as_posix())
    return {root: frozenset(paths) for root, paths in found.items()}


def unified_diff(result: FixResult) -> str:
    """One unified diff of every changed file (``a/`` and ``b/`` prefixes, like git)."""
    chunks: list[str] = []
    for rewrite in result.changed:
        name = display_path(rewrite.file.path)
        chunks.extend(
            difflib.unified_diff(
                rewrite.before.splitlines(keepends=True),
                rewrite.after.splitlines(keepends=True),
                fromfile=f"a/{name}" if not name.startswith("/") else name,
                tofile=f"b/{name}" if not name.startswith("/") else name,
            )
        )
    return "".join(chunks)


def write(result: FixResult) -> tuple[Path, ...]:
    """Write the changed files back, byte for byte, and return their paths."""
    written = []
    for rewrite in result.changed:
        rewrite.file.path.write_bytes(rewrite.after.encode("utf-8"))
        written.append(rewrite.file.path)
    return tuple(written)
