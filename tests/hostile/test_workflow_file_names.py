"""A repository's file names reach the terminal: ``keyless workflows`` prints them escaped
(``\\x1b``), as it prints values read from the files, so a file named with a terminal
escape sequence cannot recolour, retitle or rewrite what the report shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

from .test_workflow_inputs import KEYS_WORKFLOW, ROLE

ESCAPE = "\x1b]0;owned\x07\x1b[2J"


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / f"cd{ESCAPE}.yml").write_text(KEYS_WORKFLOW, encoding="utf-8")
    (tmp_path / ".gitlab-ci.yml").write_text(
        f"include:\n  - local: 'ci/{ESCAPE}.yml'\n", encoding="utf-8"
    )
    return tmp_path


@pytest.mark.parametrize(
    "arguments",
    [["workflows", "scan"], ["workflows", "fix", "--role-arn", ROLE]],
    ids=["scan", "fix"],
)
def test_file_names_are_printed_escaped(repository: Path, arguments: list[str]) -> None:
    result = CliRunner().invoke(cli, [*arguments, str(repository)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "\x1b" not in result.output
    assert "\x07" not in result.output
    assert "\\x1b" in result.output
