"""`keyless --help`: the command list comes from `keyless.cli.SUMMARIES`, so listing the
commands imports none of them; each summary is the command's own first sentence."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from keyless.cli import COMMANDS, SUMMARIES, LazyGroup, cli

_HELP = """
import sys
from click.testing import CliRunner
from keyless.cli import cli

result = CliRunner().invoke(cli, ["--help"], catch_exceptions=False)
assert result.exit_code == 0, result.output
print(" ".join(sorted(m for m in sys.modules if m.startswith("keyless."))))
"""


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_summary_is_the_command_s_own_first_sentence(name: str) -> None:
    command = LazyGroup._load(name)
    assert isinstance(command, click.Command)
    assert SUMMARIES[name] == command.get_short_help_str(limit=10_000)


def test_help_lists_every_command_as_click_would() -> None:
    shown = CliRunner().invoke(cli, ["--help"], terminal_width=80)
    assert shown.exit_code == 0
    # What click's own listing (which imports each command) prints, row for row.
    context = click.Context(cli, terminal_width=80)
    formatter = context.make_formatter()
    rows = [(name, LazyGroup._load(name).get_short_help_str(80 - 6 - 9)) for name in COMMANDS]  # type: ignore[union-attr]
    with formatter.section("Commands"):
        formatter.write_dl(rows)
    assert formatter.getvalue() in shown.output


def test_help_imports_no_command_module() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", _HELP], capture_output=True, text=True, check=True
    )
    modules = set(completed.stdout.split())
    assert "keyless.cli" in modules  # the test sees what --help loads
    assert not {m for m in modules if m.startswith("keyless.cli.")}
    assert not {m for m in modules if m.startswith(("keyless.checks", "keyless.engine"))}
