"""A credential report's flag columns (``password_enabled``, ``mfa_active``,
``access_key_N_active``) hold TRUE or FALSE, as AWS writes them
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html); only
the root user's ``password_enabled`` is ``not_supported``. An empty or placeholder flag
(``N/A``, ``no_information``) was read as false: ci-deploy's active key 1, its ``active``
field blanked, was dropped from every key check (``key-not-rotated`` silent on a key years
old) and alice's password from every password check. It is refused (exit 2, line and
column). The root row's ``password_enabled`` is read in any case, as every other flag:
``FALSE`` was a password."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.collect.offline.export import load_export

ACCOUNT = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "account"
REPORT = "credential-report.csv"
COLUMN = {"password_enabled": 3, "mfa_active": 7, "access_key_1_active": 8}


def _export(tmp_path: Path, user: str, column: str, value: str) -> Path:
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    lines = (export / REPORT).read_text().splitlines()
    for number, line in enumerate(lines):
        fields = line.split(",")
        if fields[0] == user:
            fields[COLUMN[column]] = value
            lines[number] = ",".join(fields)
    (export / REPORT).write_text("\n".join(lines) + "\n")
    return export


@pytest.mark.parametrize("value", ["", "N/A", "no_information", "not_supported"])
@pytest.mark.parametrize(
    ("user", "column"),
    [
        ("ci-deploy", "access_key_1_active"),
        ("alice", "password_enabled"),
        ("alice", "mfa_active"),
        ("<root_account>", "mfa_active"),
    ],
)
def test_a_flag_aws_never_leaves_blank_is_refused(
    tmp_path: Path, user: str, column: str, value: str
) -> None:
    export = _export(tmp_path, user, column, value)
    result = CliRunner().invoke(cli, ["scan", "--input", str(export)])
    assert result.exit_code == 2, result.output
    assert f"column {column} is {value!r}, expected true or false" in result.output
    assert f"{REPORT}: line " in result.output


def test_the_key_blanked_was_a_finding(tmp_path: Path) -> None:
    # The key the rows above blank is one key-not-rotated reports when it reads "true".
    export = _export(tmp_path, "ci-deploy", "access_key_1_active", "true")
    result = CliRunner().invoke(cli, ["scan", "--input", str(export), "--format", "json"])
    findings = json.loads(result.stdout)["findings"]
    assert any(
        f["check"] == "key-not-rotated" and "access key 1 of ci-deploy" in f["message"]
        for f in findings
    )


@pytest.mark.parametrize(
    ("value", "enabled"), [("FALSE", False), ("False", False), ("not_supported", True)]
)
def test_the_root_password_flag_is_read_in_any_case(
    tmp_path: Path, value: str, enabled: bool
) -> None:
    export = _export(tmp_path, "<root_account>", "password_enabled", value)
    root = load_export(export).accounts[0].root
    assert root is not None
    assert root.password_enabled is enabled


@pytest.mark.parametrize("user", ["alice", "<root_account>"])
@pytest.mark.parametrize("rotated", ["N/A", "no_information", ""])
def test_an_active_key_without_a_date_is_refused(tmp_path: Path, user: str, rotated: str) -> None:
    """AWS dates every key it lists (``access_key_N_last_rotated`` is N/A only when there is
    no such key): an active key of unknown age was passed over by ``key-not-rotated``."""
    export = _export(tmp_path, user, "access_key_1_active", "true")
    lines = (export / REPORT).read_text().splitlines()
    for number, line in enumerate(lines):
        fields = line.split(",")
        if fields[0] == user:
            fields[9] = rotated  # access_key_1_last_rotated
            lines[number] = ",".join(fields)
    (export / REPORT).write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(cli, ["scan", "--input", str(export)])
    assert result.exit_code == 2, result.output
    assert f"column access_key_1_last_rotated is {rotated!r} for an active key" in result.output
