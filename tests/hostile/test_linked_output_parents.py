"""Where keyless writes when a path it is given involves a symbolic link: one rule for
every writer (docs/files.md). A link as the *last* component (``--output report.json``
where ``report.json`` is a link) is never written through: exit 2, the link's target
untouched. A link among the *parent* directories the user named (``--output
linkdir/report.json``, as ``/tmp`` is on macOS) is the user's own layout and is followed:
the file is written in the directory the link leads to. Inside a tree keyless walks
itself (a repository ``workflows fix`` rewrites), links are never followed for writing:
tests/workflows covers that."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "tests" / "collect" / "fixtures" / "account"
TERRAFORM = 'resource "aws_iam_user" "ci" {\n  name = "ci"\n}\n'


def _plan(tmp: Path) -> None:
    result = CliRunner().invoke(cli, ["plan", "--input", "export", "--out", "plan.json"])
    assert result.exit_code in (0, 1), result.output


#: Each writer: (its arguments around the output path, what it needs first, whether the
#: output is a folder).
WRITERS: dict[str, tuple[Callable[[str], list[str]], Callable[[Path], None] | None, bool]] = {
    "scan --output": (lambda p: ["scan", "--input", "export", "--output", p], None, False),
    "collect --out": (lambda p: ["collect", "--input", "export", "--out", p], None, False),
    "plan --out": (lambda p: ["plan", "--input", "export", "--out", p], None, False),
    "scan --record --store": (
        lambda p: ["scan", "--input", "export", "--record", "--store", p],
        None,
        False,
    ),
    "iac --output": (lambda p: ["iac", "infra", "--output", p], None, False),
    "iac --write-baseline": (lambda p: ["iac", "infra", "--write-baseline", p], None, False),
    "generate --out": (
        lambda p: ["generate", "plan.json", "--format", "scp", "--out", p],
        _plan,
        True,
    ),
}


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ACCOUNT, tmp_path / "export")
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text(TERRAFORM)
    (tmp_path / "real").mkdir()
    (tmp_path / "linkdir").symlink_to(tmp_path / "real")
    return tmp_path


@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_linked_parent_directory_is_followed(workspace: Path, writer: str) -> None:
    arguments, before, _ = WRITERS[writer]
    if before is not None:
        before(workspace)
    result = CliRunner().invoke(cli, arguments("linkdir/out"))
    assert result.exit_code in (0, 1), result.output
    assert (workspace / "real" / "out").exists()
    assert (workspace / "linkdir").is_symlink()  # the link itself is left as it was


@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_link_as_the_output_itself_is_refused(workspace: Path, writer: str) -> None:
    arguments, before, folder = WRITERS[writer]
    if before is not None:
        before(workspace)
    target = workspace / "real" / "target"
    if folder:
        target.mkdir()
    else:
        target.write_text("untouched")
    (workspace / "out").symlink_to(target)
    result = CliRunner().invoke(cli, arguments("out"))
    assert result.exit_code == 2, result.output
    assert "symbolic link" in result.stderr.splitlines()[0], result.stderr
    assert len(result.stderr.splitlines()) <= 2, result.stderr
    if folder:
        assert list(target.iterdir()) == []
    else:
        assert target.read_text() == "untouched"
