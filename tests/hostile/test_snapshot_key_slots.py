"""A user has two access key slots, one key in each, as the credential report numbers
them (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html: two
access keys per user). An edited snapshot giving a slot twice, or a third key, was read
as it was: three active keys counted, findings naming "slot 1, 1" and two keys called
"access key 1". It is refused by ``scan --snapshot`` and ``merge`` ("malformed snapshot",
the key's JSON pointer, exit 2), for the root user's keys too."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli

from .snapshots import collected_account


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return collected_account(tmp_path_factory.mktemp("snapshot"))


def _ci_deploy(document: dict[str, Any]) -> list[dict[str, Any]]:
    [user] = [u for u in document["accounts"][0]["users"] if u["name"] == "ci-deploy"]
    keys: list[dict[str, Any]] = user["access_keys"]
    assert [key["slot"] for key in keys] == [1, 2]
    return keys


def _same_slot(document: dict[str, Any]) -> None:
    _ci_deploy(document)[1]["slot"] = 1


def _third_key(document: dict[str, Any]) -> None:
    keys = _ci_deploy(document)
    keys.append(dict(keys[1]))


def _root_same_slot(document: dict[str, Any]) -> None:
    keys = document["accounts"][0]["root"]["access_keys"]
    keys.append(dict(keys[0]))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        pytest.param(
            _same_slot,
            "/users/1/access_keys/1/slot: malformed snapshot: access key slot 1 of user"
            " 'ci-deploy' is listed twice",
            id="same-slot",
        ),
        pytest.param(
            _third_key,
            "/users/1/access_keys/2/slot: malformed snapshot: access key slot 2 of user"
            " 'ci-deploy' is listed twice",
            id="third-key",
        ),
        pytest.param(
            _root_same_slot,
            "/root/access_keys/1/slot: malformed snapshot: access key slot 1 of the root user"
            " is listed twice",
            id="root",
        ),
    ],
)
@pytest.mark.parametrize("command", ["scan", "merge"])
def test_a_key_slot_given_twice_is_refused(
    snapshot: dict[str, Any],
    tmp_path: Path,
    edit: Callable[[dict[str, Any]], None],
    message: str,
    command: str,
) -> None:
    document = json.loads(json.dumps(snapshot))
    edit(document)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(document))
    arguments = (
        ["scan", "--snapshot", str(path)]
        if command == "scan"
        else ["merge", str(path), "--out", str(tmp_path / "merged.json")]
    )
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 2, result.output
    assert f"edited.json#/accounts/0{message}" in result.output
    assert not (tmp_path / "merged.json").exists()
