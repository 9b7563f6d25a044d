"""Authorization details that list a user, group, role or managed policy twice (pages
concatenated twice, an entry edited in): AWS lists each once, and IAM keeps user, group
and role names unique ignoring case. Each entry was counted and judged, so the scan said
4 users for 2; now refused (exit 2) naming the entity, as a second credential report row
for a user is."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli

ACCOUNT = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "account"
DETAILS = "authorization-details.json"
Document = dict[str, Any]


def _pages_twice(document: Document) -> Any:
    return [document, document]


def _user_other_case(document: Document) -> Any:
    user = dict(document["UserDetailList"][0])
    user["UserName"] = user["UserName"].upper()
    user["Arn"] = user["Arn"].replace(document["UserDetailList"][0]["UserName"], user["UserName"])
    document["UserDetailList"].append(user)
    return document


def _role_twice(document: Document) -> Any:
    document["RoleDetailList"].append(document["RoleDetailList"][0])
    return document


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        pytest.param(_pages_twice, "the user 'alice' is listed twice", id="pages-twice"),
        pytest.param(_user_other_case, "the user 'ALICE' is listed twice", id="name-case"),
        pytest.param(_role_twice, "the role 'github-deploy' is listed twice", id="role"),
    ],
)
def test_an_entity_listed_twice_is_refused(
    tmp_path: Path, edit: Callable[[Document], Any], message: str
) -> None:
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    document = json.loads((export / DETAILS).read_text())
    (export / DETAILS).write_text(json.dumps(edit(document)))

    result = CliRunner().invoke(cli, ["scan", "--input", str(export)])

    assert result.exit_code == 2, result.output
    assert f"{export / DETAILS}: {message}" in result.stderr
    assert "Traceback" not in result.output
