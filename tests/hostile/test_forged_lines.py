"""Names read from an export are attacker-controlled: a newline or an escape in a user
name must stay on its line, never forge a line of its own (issue #10 item 2). Such a name
is outside IAM's grammar, so the export is refused, the name quoted in the error."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

ACCOUNT = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "account"
FORGED = "  • arn:aws:iam::123456789012:root forged"
HOSTILE = f"alice\n{FORGED}\x1b[2J"


@pytest.fixture
def export(tmp_path: Path) -> Path:
    root = tmp_path / "export"
    shutil.copytree(ACCOUNT, root)
    details = root / "authorization-details.json"
    document = json.loads(details.read_text())
    (alice,) = [u for u in document["UserDetailList"] if u["UserName"] == "alice"]
    alice["UserName"] = HOSTILE
    details.write_text(json.dumps(document))
    return root


@pytest.mark.parametrize("command", [["scan"], ["plan"], ["plan", "--explain", "alice"]])
def test_a_name_with_a_newline_is_refused_on_one_line(command: list[str], export: Path) -> None:
    # IAM names have no newline (keyless.collect.formats.names): the export is refused, and
    # the error quotes the name on its line.
    result = CliRunner().invoke(cli, [*command, "--input", str(export)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "UserName 'alice\\n  • arn:aws:iam::123456789012:root forged" in result.stderr
    for output in (result.stdout, result.stderr):
        assert not any(line.startswith(FORGED) for line in output.splitlines())
        assert "\x1b[2J" not in output
