"""An access key's ID in a snapshot is what ``ListAccessKeys`` returned: 16 to 128 letters
and digits (``[\\w]+``,
https://docs.aws.amazon.com/IAM/latest/APIReference/API_AccessKeyMetadata.html), or null
when the credential report was the source. An edited snapshot's ``key_id`` (an escape
sequence, another user's text, an empty string) was read as it was: it reached the
findings' evidence and the plan, whose keys ``keyless retire`` deletes by ID. It is
refused by ``scan --snapshot`` and ``merge`` ("malformed snapshot", its pointer, exit 2)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli

from .snapshots import collected_account


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return collected_account(tmp_path_factory.mktemp("snapshot"))


def _with_key_id(snapshot: dict[str, Any], tmp_path: Path, key_id: object) -> Path:
    document = json.loads(json.dumps(snapshot))
    [user] = [u for u in document["accounts"][0]["users"] if u["name"] == "ci-deploy"]
    user["access_keys"][0]["key_id"] = key_id
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize(
    "key_id",
    ["AKIA\u001b[2J0000000000", "", "AKIA123", "AKIA 0000000000000000", "A" * 129, 12345],
)
@pytest.mark.parametrize("command", ["scan", "merge"])
def test_a_key_id_aws_never_returns_is_refused(
    snapshot: dict[str, Any], tmp_path: Path, key_id: object, command: str
) -> None:
    path = _with_key_id(snapshot, tmp_path, key_id)
    arguments = (
        ["scan", "--snapshot", str(path)]
        if command == "scan"
        else ["merge", str(path), "--out", str(tmp_path / "merged.json")]
    )
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 2, result.output
    assert "edited.json#/accounts/0/users/1/access_keys/0/key_id: malformed snapshot" in (
        result.output
    )
    assert "\u001b" not in result.output


@pytest.mark.parametrize("key_id", ["AKIAIOSFODNN7EXAMPLE", None])
def test_a_key_id_as_aws_returns_it_is_read(
    snapshot: dict[str, Any], tmp_path: Path, key_id: str | None
) -> None:
    path = _with_key_id(snapshot, tmp_path, key_id)
    result = CliRunner().invoke(cli, ["scan", "--snapshot", str(path)])
    assert result.exit_code == 1, result.output
