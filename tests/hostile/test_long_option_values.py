"""A usage error quotes the value given (click's "Invalid value for '--format': 'x…'"),
whole: a value of 100,000 characters (a script's variable holding a file's content) was a
100,000-character line on the terminal. The line now keeps the start of the message and
its end, cut in between (exit 2, one line and the --help pointer)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from keyless.cli import cli


@pytest.mark.parametrize(
    ("arguments", "end"),
    [
        (
            ["scan", "--format", "x" * 100_000],
            "is not one of 'text', 'json', 'sarif', 'html', 'markdown'.",
        ),
        (["history", "--limit", "9" * 100_000], "is not a valid integer."),
    ],
    ids=["choice", "integer"],
)
def test_a_long_value_in_a_usage_error_is_shown_in_part(arguments: list[str], end: str) -> None:
    result = CliRunner().invoke(cli, arguments, prog_name="keyless")
    assert result.exit_code == 2, result.output[:300]
    first, second = result.stderr.splitlines()
    assert first.startswith(f"keyless: error: Invalid value for '{arguments[1]}': ")
    assert first.endswith(end)
    assert "…" in first
    assert len(first) < 700
    assert second == f"See 'keyless {arguments[0]} --help'."


def test_a_short_value_is_shown_whole() -> None:
    result = CliRunner().invoke(cli, ["scan", "--format", "pdf"], prog_name="keyless")
    assert result.stderr.startswith("keyless: error: Invalid value for '--format': 'pdf' is not")
    assert "…" not in result.stderr
