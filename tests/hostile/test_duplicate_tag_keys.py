"""A user's or role's tags with one key twice, or two keys that differ only in case
(``email`` and ``Email``): IAM keeps one tag per key, ignoring case, so such a list was
edited. It was read silently, each reader keeping its own copy: the plan named the
Identity Center user after the first ``email`` (``Email`` second) or the last (``email``
twice), and the never-broaden proof's ``aws:PrincipalTag`` took the last. The entry is now
unreadable, with its JSON pointer (exit 2, nothing written)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from tests.plan.conftest import EXPORT

ACCOUNT = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "account"

EVIL = {"Key": "Email", "Value": "evil@attacker.example"}


def export_with(
    tmp_path: Path, tags: list[dict[str, str]], entry: str, source: Path = EXPORT
) -> Path:
    target = tmp_path / "export"
    shutil.copytree(source, target)
    details = target / "authorization-details.json"
    document: dict[str, Any] = json.loads(details.read_text())
    document[entry][0]["Tags"] = tags
    details.write_text(json.dumps(document))
    return target


@pytest.mark.parametrize(
    "second", [EVIL, {"Key": "email", "Value": "evil@attacker.example"}], ids=["case", "same"]
)
def test_a_user_tag_key_twice_is_refused(tmp_path: Path, second: dict[str, str]) -> None:
    tags = [{"Key": "email", "Value": "maria.garcia@example.com"}, second]
    export = export_with(tmp_path, tags, "UserDetailList")
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(
        cli, ["plan", "--input", str(export), "--now", "2025-06-01T12:00:00Z", "--out", str(out)]
    )
    assert result.exit_code == 2, result.output
    first = result.stderr.splitlines()[0]
    assert "authorization-details.json#/UserDetailList/0: " in first
    assert f"the tag key '{second['Key']}' is listed twice" in first
    assert not out.exists()


def test_a_role_tag_key_twice_is_refused(tmp_path: Path) -> None:
    tags = [{"Key": "team", "Value": "a"}, {"Key": "TEAM", "Value": "b"}]
    export = export_with(tmp_path, tags, "RoleDetailList", ACCOUNT)
    result = CliRunner().invoke(cli, ["scan", "--input", str(export)])
    assert result.exit_code == 2, result.output
    assert "authorization-details.json#/RoleDetailList/0: " in result.stderr
    assert "the tag key 'TEAM' is listed twice" in result.stderr


def test_distinct_tag_keys_are_read(tmp_path: Path) -> None:
    tags = [{"Key": "email", "Value": "maria.garcia@example.com"}, {"Key": "team", "Value": "a"}]
    export = export_with(tmp_path, tags, "UserDetailList")
    result = CliRunner().invoke(cli, ["scan", "--input", str(export)])
    assert result.exit_code in (0, 1), result.output
