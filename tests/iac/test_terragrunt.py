"""Terragrunt's configuration (``terragrunt.hcl``): the module it deploys and the inputs it
gives, which keyless does not read. Before, such files were skipped without a word: a
repository of Terragrunt stacks reported "0 finding(s) in 0 file(s)" as if clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.read import TERRAGRUNT_REASON, read_paths
from keyless.iac.scan import scan

STACK = 'terraform {\n  source = "../../modules/role"\n}\ninputs = {\n  principal = "*"\n}\n'


@pytest.mark.parametrize("name", ["terragrunt.hcl", "terragrunt.hcl.json", "terragrunt.stack.hcl"])
def test_a_terragrunt_file_is_noted_as_not_read(tmp_path: Path, name: str) -> None:
    (tmp_path / "live" / "prod").mkdir(parents=True)
    path = tmp_path / "live" / "prod" / name
    path.write_text(STACK)
    result = scan([tmp_path])
    assert result.notes == (f"{path}: {TERRAGRUNT_REASON}",)
    assert result.unread == ()


def test_a_terragrunt_file_named_is_noted_too(tmp_path: Path) -> None:
    path = tmp_path / "terragrunt.hcl"
    path.write_text(STACK)
    assert read_paths([path]).notes == (f"{path}: {TERRAGRUNT_REASON}",)


def test_a_terragrunt_file_counts_as_a_file_found(tmp_path: Path) -> None:
    (tmp_path / "terragrunt.hcl").write_text(STACK)
    told: list[tuple[int, int]] = []
    read_paths([tmp_path], progress=lambda done, total: told.append((done, total)))
    assert told[-1] == (1, 1)


def test_the_text_summary_line_counts_the_notes(tmp_path: Path) -> None:
    """The last line is what a CI log shows: "0 finding(s) in 0 file(s)" read as clean."""
    from click.testing import CliRunner

    from keyless.cli import cli

    (tmp_path / "terragrunt.hcl").write_text(STACK)
    outcome = CliRunner().invoke(cli, ["iac", str(tmp_path)])
    assert outcome.exit_code == 0, outcome.output
    assert outcome.output.splitlines()[-1].startswith("0 finding(s) in 0 file(s), 1 note(s) above;")
