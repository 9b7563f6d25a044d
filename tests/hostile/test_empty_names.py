"""An export entry with an empty name, ARN or tag key (``"UserName": ""``): AWS names
every user, group, role, policy and tag with at least one character, so the file was
edited. It was read: a user named ``""`` was planned (its OIDC role named ``github``) and
``keyless plan`` wrote a plan its own schema refuses, which ``keyless generate`` then
rejected. The entry is now unreadable, with its JSON pointer (exit 2, nothing written)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from tests.plan.conftest import EXPORT


def _edited(tmp_path: Path, change: Any) -> Path:
    target = tmp_path / "export"
    shutil.copytree(EXPORT, target)
    details = target / "authorization-details.json"
    document = json.loads(details.read_text())
    change(document)
    details.write_text(json.dumps(document))
    return target


def _user_name(document: dict[str, Any]) -> None:
    document["UserDetailList"][4]["UserName"] = ""


def _user_arn(document: dict[str, Any]) -> None:
    document["UserDetailList"][4]["Arn"] = ""


def _tag_key(document: dict[str, Any]) -> None:
    document["UserDetailList"][0]["Tags"].append({"Key": "", "Value": "x"})


def _group_name(document: dict[str, Any]) -> None:
    document["GroupDetailList"][0]["GroupName"] = ""


@pytest.mark.parametrize(
    ("change", "pointer", "said"),
    [
        (_user_name, "/UserDetailList/4", "UserName is empty"),
        (_user_arn, "/UserDetailList/4", "Arn"),
        (_tag_key, "/UserDetailList/0", "Key is empty"),
        (_group_name, "/GroupDetailList/0", "GroupName is empty"),
    ],
    ids=["user-name", "user-arn", "tag-key", "group-name"],
)
def test_an_empty_name_is_refused_and_no_plan_is_written(
    tmp_path: Path, change: Any, pointer: str, said: str
) -> None:
    export = _edited(tmp_path, change)
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(
        cli, ["plan", "--input", str(export), "--now", "2025-06-01T12:00:00Z", "--out", str(out)]
    )
    assert result.exit_code == 2, result.output
    first = result.stderr.splitlines()[0]
    assert f"authorization-details.json#{pointer}: " in first
    assert said in first
    assert not out.exists()
