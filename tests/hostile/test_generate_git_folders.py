"""``keyless generate --out`` wrote into a repository's ``.git`` (``--out .git/keyless``:
never committed; ``--out .git/hooks --force`` replaced git's hooks whole), and ``--force``
replaced a checkout whole (``--out . --force`` from a repository's root, the plan kept
elsewhere: the repository, history and all, deleted). Both are refused (exit 2), nothing
written or removed; a folder of the checkout is written as before."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.generate.conftest import run


def _generate(plan: Path, out: Path, *options: str) -> tuple[int, str]:
    result = run("generate", str(plan), "--format", "scp", "--out", str(out), *options)
    return result.exit_code, result.stderr


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A repository's root, with a hook of its own."""
    root = tmp_path / "repo"
    (root / ".git" / "hooks").mkdir(parents=True)
    (root / ".git" / "hooks" / "pre-commit").write_text("#!/bin/sh\nmake lint\n")
    (root / "main.tf").write_text("")
    return root


@pytest.mark.parametrize("inside", [".git/keyless", ".git/hooks", ".git", ".GIT/x"])
@pytest.mark.parametrize("force", [False, True])
def test_a_folder_inside_dot_git_is_refused(
    demo_plan: Path, checkout: Path, inside: str, force: bool
) -> None:
    before = sorted(p.name for p in (checkout / ".git").rglob("*"))
    code, stderr = _generate(demo_plan, checkout / inside, *(["--force"] if force else []))
    assert code == 2, stderr
    assert "inside a git repository's .git folder" in stderr
    assert sorted(p.name for p in (checkout / ".git").rglob("*")) == before


def test_a_linked_parent_into_dot_git_is_refused(
    demo_plan: Path, checkout: Path, tmp_path: Path
) -> None:
    (tmp_path / "link").symlink_to(checkout / ".git")
    code, stderr = _generate(demo_plan, tmp_path / "link" / "keyless")
    assert code == 2, stderr
    assert not (checkout / ".git" / "keyless").exists()


def test_force_never_replaces_a_checkout(demo_plan: Path, checkout: Path) -> None:
    code, stderr = _generate(demo_plan, checkout, "--force")
    assert code == 2, stderr
    assert "would replace a git checkout whole" in stderr
    assert (checkout / ".git" / "hooks" / "pre-commit").is_file()
    assert (checkout / "main.tf").is_file()


def test_the_current_folder_of_a_checkout_is_not_replaced(
    demo_plan: Path, checkout: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(checkout)
    code, _ = _generate(demo_plan, Path("."), "--force")
    assert code == 2
    assert sorted(os.listdir(checkout)) == [".git", "main.tf"]


def test_a_folder_of_the_checkout_is_written(demo_plan: Path, checkout: Path) -> None:
    code, stderr = _generate(demo_plan, checkout / "keyless")
    assert code == 0, stderr
    assert (checkout / "keyless" / "README.md").is_file()
    code, stderr = _generate(demo_plan, checkout / "keyless", "--force")
    assert code == 0, stderr
