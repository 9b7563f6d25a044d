"""An ``[[ignore]]`` whose ``check`` or ``reason`` is of the wrong type (an array, a
number, a date) or blank was called missing ("'reason' is mandatory") while the file gave
one: the message now names what it is (exit 2, naming the rule)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

ACCOUNT = Path(__file__).resolve().parents[2] / "tests" / "collect" / "fixtures" / "account"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('["accepted"]', "'reason' must be a non-empty string, not an array"),
        ("7", "'reason' must be a non-empty string, not a number"),
        ('"  "', "'reason' must be a non-empty string, not blank text"),
        ("2026-01-01", "'reason' must be a non-empty string, not a date or time"),
    ],
    ids=["array", "number", "blank", "date"],
)
def test_a_reason_of_the_wrong_type_is_named_as_such(
    tmp_path: Path, value: str, message: str
) -> None:
    """It was called missing ("'reason' is mandatory") while the file gave one."""
    config = tmp_path / "ignores.toml"
    config.write_text(f'[[ignore]]\ncheck = "*"\nreason = {value}\n')

    result = CliRunner().invoke(
        cli, ["scan", "--input", str(ACCOUNT), "--config", str(config), "--format", "json"]
    )

    assert result.exit_code == 2, result.output
    assert message in result.stderr


@pytest.mark.parametrize(
    "command", [["scan", "--input", str(ACCOUNT)], ["workflows", "scan", str(ACCOUNT)]]
)
def test_an_integer_of_more_digits_than_python_converts_is_refused(
    tmp_path: Path, command: list[str]
) -> None:
    """tomllib converts with int(), which refuses more than 4,300 digits: a ValueError,
    and a traceback (exit 1), from every command that reads keyless.toml."""
    config = tmp_path / "keyless.toml"
    config.write_text("# thresholds\n[thresholds]\nkey_max_age_days = " + "9" * 5000 + "\n")

    result = CliRunner().invoke(cli, [*command, "--config", str(config)])

    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(
        f"keyless: error: {config}: not valid TOML: a number (line 3), more digits than"
        " keyless reads (4,300)"
    ), result.stderr
    assert "Traceback" not in result.output
