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
