"""``keyless workflows fix`` as a library call: plan edits per file, apply them to the
original text, and (only when asked) write the files back."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

from keyless.errors import InputError
from keyless.files import display_path
from keyless.workflows import github, github_fix, gitlab, gitlab_fix
from keyless.workflows.model import FileRewrite, FixOptions, FixResult, Platform
from keyless.workflows.patch import apply_edits
from keyless.workflows.scan import LoadedFile, load_all
from keyless.workflows.subjects import UNKNOWN_REPOSITORY, repository_from_git


def fix(paths: Iterable[Path], options: FixOptions) -> FixResult:
    """Rewrite every CI file under ``paths`` from static AWS keys to OIDC, in memory.

    Files without static keys come back unchanged. Raises
    :class:`keyless.errors.InputError` for bad input (missing path, malformed YAML, a
    construct that cannot be rewritten safely, no region for an inserted step).
    """
    files = [(item, _analyse(item)) for item in load_all(paths)]
    fixed_callees = _fixed_callees(files)
    repositories = {
        root: options.repository or repository_from_git(root)
        for root in {item.file.repository_root for item, _ in files}
    }
    rewrites: list[FileRewrite] = []
    for item, analysis in files:
        root = item.file.repository_root
        repository = repositories[root] or UNKNOWN_REPOSITORY
        try:
            if isinstance(analysis, github.GithubAnalysis):
                plan = github_fix.plan(
                    analysis, options, repository, fixed_callees.get(root, frozenset())
                )
            else:
                plan = gitlab_fix.plan(analysis, options, repository)
        except InputError as error:
            if error.where is None:
                error.where = str(item.file.path)
            raise
        after = apply_edits(item.document.text, plan.edits) if plan.edits else item.document.text
        rewrites.append(
            FileRewrite(item.file, item.document.text, after, tuple(plan.jobs), tuple(plan.notes))
        )
    notes = [
        f"{root}: no git remote 'origin' found; subjects use {UNKNOWN_REPOSITORY} "
        "(pass --repository ORG/REPO)"
        for root, repository in sorted(repositories.items())
        if repository is None and any(r.jobs for r in rewrites if r.file.repository_root == root)
    ]
    return FixResult(tuple(rewrites), tuple(notes))


def _analyse(item: LoadedFile) -> github.GithubAnalysis | gitlab.GitlabAnalysis:
    if item.file.platform is Platform.GITHUB:
        return github.analyse(item.document)
    return gitlab.analyse(item.document)


def _fixed_callees(
    files: Iterable[tuple[LoadedFile, github.GithubAnalysis | gitlab.GitlabAnalysis]],
) -> dict[Path, frozenset[str]]:
    found: dict[Path, set[str]] = {}
    for item, analysis in files:
        if not isinstance(analysis, github.GithubAnalysis):
            continue
        if github.is_called_workflow(item.document.root) and analysis.has_static_keys:
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
    """Write the changed files back, byte for byte, and return their paths.

    A file that cannot be written is an :class:`InputError` (the ones before it stay
    written).
    """
    written = []
    for rewrite in result.changed:
        try:
            rewrite.file.path.write_bytes(rewrite.after.encode("utf-8"))
        except OSError as error:
            raise InputError(
                f"cannot write the file: {error.strerror}", where=str(rewrite.file.path)
            ) from None
        written.append(rewrite.file.path)
    return tuple(written)
