"""An Identity Center account assignment in a snapshot (``organization.identity_center``)
held any string as its ``account_id``: an edited snapshot's ``١٢٣٤٥٦٧٨٩٠١٢``, ``12345``
or ``123456789012\\n`` was scanned and merged as an assignment, where every other account ID
of a snapshot is refused. AWS returns 12 ASCII digits
(https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_AccountAssignment.html),
so anything else is a malformed snapshot with its JSON pointer (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli

SET = "arn:aws:sso:::permissionSet/ssoins-frwlxabrn7uquuna/ps-1234567890abcdef"


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("snapshot") / "snapshot.json"
    result = CliRunner().invoke(cli, ["collect", "--demo", "--out", str(path)])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(path.read_text())
    assert document["organization"]["identity_center"]["assignments"] == []
    return document


def _with_assignment(snapshot: dict[str, Any], path: Path, account_id: str) -> Path:
    document = json.loads(json.dumps(snapshot))
    document["organization"]["identity_center"]["assignments"] = [
        {
            "account_id": account_id,
            "permission_set_arn": SET,
            "principal_type": "USER",
            "principal_id": "u-1",
            "principal_name": "alice@example.com",
        }
    ]
    path.write_text(json.dumps(document))
    return path


def test_an_assignment_to_a_twelve_digit_account_is_read(
    snapshot: dict[str, Any], tmp_path: Path
) -> None:
    path = _with_assignment(snapshot, tmp_path / "edited.json", "372342215631")
    result = CliRunner().invoke(cli, ["scan", "--snapshot", str(path)])
    assert result.exit_code in (0, 1), result.output


@pytest.mark.parametrize(
    "account_id", ["١٢٣٤٥٦٧٨٩٠١٢", "12345", "372342215631\n", "37234221563x", ""]
)
def test_an_assignment_to_no_account_id_is_refused(
    snapshot: dict[str, Any], tmp_path: Path, account_id: str
) -> None:
    path = _with_assignment(snapshot, tmp_path / "edited.json", account_id)
    merged = tmp_path / "merged.json"
    for command in (
        ["scan", "--snapshot", str(path)],
        ["merge", str(path), "--out", str(merged)],
    ):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 2, result.output
        assert "#/organization/identity_center/assignments/0/account_id" in result.stderr
        assert "AccountId" in result.stderr
    assert not merged.exists()
