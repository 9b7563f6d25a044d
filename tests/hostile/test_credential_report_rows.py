"""An edited credential report in an export: AWS writes exactly one row per IAM user and
one ``<root_account>`` row. A second row for a user (by ARN, or by name, which IAM keeps
unique ignoring case) silently replaced the first one's keys: refused (exit 2) naming the
report's line. A row for a user ``authorization-details.json`` does not hold is a user
deleted since the report was generated: see test_report_rows_of_deleted_users.py."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

ACCOUNT = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "account"
REPORT = "credential-report.csv"


def _second_row(lines: list[str]) -> list[str]:
    return [*lines, lines[2]]


def _second_root(lines: list[str]) -> list[str]:
    return [*lines, lines[1]]


def _same_name_other_case(lines: list[str]) -> list[str]:
    name, arn, rest = lines[2].split(",", 2)
    return [*lines, f"{name.upper()},{arn.replace(name, name.upper())},{rest}"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        pytest.param(_second_row, "line 5: a second row for the user", id="same-arn"),
        pytest.param(_second_root, "line 5: a second row for the user '<root_account>'", id="root"),
        pytest.param(_same_name_other_case, "line 5: a second row for the user", id="name-case"),
    ],
)
def test_a_row_aws_would_not_write_is_refused(
    tmp_path: Path, edit: Callable[[list[str]], list[str]], message: str
) -> None:
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    lines = (export / REPORT).read_text().splitlines()
    assert len(lines) == 4  # the header, <root_account>, two users
    (export / REPORT).write_text("\n".join(edit(lines)) + "\n")
    for command in (
        ["scan", "--input", str(export)],
        ["collect", "--input", str(export), "--out", str(tmp_path / "s.json")],
    ):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 2, result.output
        first = result.stderr.split("\n")[0]
        assert first.startswith(f"keyless: error: {export / REPORT}: {message}"), result.stderr
    assert not (tmp_path / "s.json").exists()


def test_the_export_as_aws_writes_it_is_read(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["scan", "--input", str(ACCOUNT)])
    assert result.exit_code in (0, 1), result.output
