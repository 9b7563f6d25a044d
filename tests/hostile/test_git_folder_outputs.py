"""No output is written inside a repository's ``.git`` folder: ``.git/config`` and
``.git/hooks/*`` are run by git, and nothing there is committed. ``plan --out
.git/config`` overwrote git's configuration (``generate --out`` was already refused)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli


@pytest.mark.parametrize(
    ("arguments", "target"),
    [
        (["plan", "--demo", "--out"], ".git/config"),
        (["scan", "--demo", "--format", "json", "--output"], ".git/hooks/pre-commit"),
        (["scan", "--demo", "--format", "sarif", "--output"], "sub/.GIT/x.sarif"),
    ],
)
def test_an_output_inside_git_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arguments: list[str], target: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / target).parent.mkdir(parents=True)
    (tmp_path / ".git" / "config").parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / ".git" / "config").write_text("[core]\n", encoding="utf-8")
    result = CliRunner().invoke(cli, [*arguments, target])
    assert result.exit_code == 2, result.output
    assert ".git folder" in result.output
    assert (tmp_path / ".git" / "config").read_text(encoding="utf-8") == "[core]\n"
    assert not (tmp_path / target).exists() or target == ".git/config"


def test_a_linked_folder_into_git_is_refused(tmp_path: Path) -> None:
    (tmp_path / ".git" / "hooks").mkdir(parents=True)
    (tmp_path / "out").symlink_to(tmp_path / ".git" / "hooks")
    result = CliRunner().invoke(cli, ["plan", "--demo", "--out", str(tmp_path / "out" / "p")])
    assert result.exit_code == 2, result.output
    assert not (tmp_path / ".git" / "hooks" / "p").exists()
