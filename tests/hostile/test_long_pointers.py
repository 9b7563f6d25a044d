"""A plan whose policy has a key of 30,000 characters. The problem's JSON pointer holds
the key, and `generate` and `plan --check` printed it whole on the problem's line (the
message after it quoted the key in part, as every message does). Now the pointer is shown
in part too (300 characters and `…`): one problem stays one readable line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli
from tests.generate.conftest import edited

KEY = "K" * 30_000
#: The path, 300 characters of pointer, and a message quoting the key in part.
LONGEST_LINE = 1_000


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def plan(demo_plan: Path, tmp_path: Path) -> Path:
    def add_key(document: Any) -> None:
        document["identity_center"]["permission_sets"][0]["inline_policy"] = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
            KEY: 1,
        }

    return edited(demo_plan, tmp_path / "plan.json", add_key)


def _problem_line(result: Result) -> str:
    assert result.exit_code == 2, result.output
    (line,) = (line for line in result.stderr.splitlines() if "#/identity_center/" in line)
    return line


def test_generate_shows_the_pointer_in_part(plan: Path, tmp_path: Path) -> None:
    line = _problem_line(run("generate", plan, "--format", "terraform", "--out", tmp_path / "o"))
    assert len(line) < LONGEST_LINE
    assert f"#/identity_center/permission_sets/0/inline_policy/{'K' * 100}" in line
    assert "…: not a valid policy: unknown top-level element" in line


def test_plan_check_shows_the_pointer_in_part(plan: Path) -> None:
    line = _problem_line(run("plan", "--demo", "--check", plan))
    assert len(line) < LONGEST_LINE
    assert "…: not a valid policy: unknown top-level element" in line
