"""``-`` given where a command reads no standard input (``diff - NEW``, ``iac -``,
``workflows scan -``, ``workflows fix -``): each said "-: does not exist" or "-: no such
file or directory", sending the user looking for a file, where the path options say "does
not read standard input (-)". They say so too now (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli


@pytest.mark.parametrize(
    ("arguments", "wanted"),
    [
        (["diff", "-", "other.json"], "a file"),
        (["iac", "-"], "a file or a directory"),
        (["workflows", "scan", "-"], "a file or a directory"),
        (["workflows", "fix", "-", "--role-arn", "arn:aws:iam::123456789012:role/ci"],
         "a file or a directory"),
    ],
    ids=["diff", "iac", "workflows-scan", "workflows-fix"],
)  # fmt: skip
def test_dash_where_standard_input_is_not_read_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arguments: list[str], wanted: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "other.json").write_text('{"schema": "keyless/scan/v1"}')

    result = CliRunner().invoke(cli, arguments, input="{}")

    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(
        f"keyless: error: -: does not read standard input (-): give {wanted}\n"
    )


def test_a_file_named_dash_is_read_by_its_path(tmp_path: Path) -> None:
    """``./-`` names the file: it is read, not refused."""
    (tmp_path / "-").write_text("{}")

    result = CliRunner().invoke(cli, ["diff", str(tmp_path / "-"), str(tmp_path / "-")])

    assert result.exit_code == 2, result.output
    assert "standard input" not in result.stderr
    assert "not a keyless scan document or snapshot" in result.stderr
