"""An edited snapshot (``scan --snapshot``, ``merge``): an account ID in other digits, or
one account written twice. The first reached ARNs and reports
(``arn:aws:iam::١٢٣٤٥٦٧٨٩٠١٢:root``); the second counted the account's users and findings
twice. Both are "malformed snapshot" with the JSON pointer (exit 2)."""

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


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    directory = tmp_path_factory.mktemp("snapshot")
    shutil.copytree(ACCOUNT, directory / "export")
    path = directory / "snapshot.json"
    result = CliRunner().invoke(
        cli, ["collect", "--input", str(directory / "export"), "--out", str(path)]
    )
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def _twice(document: dict[str, Any]) -> None:
    document["accounts"].append(document["accounts"][0])


def _arabic(document: dict[str, Any]) -> None:
    document["accounts"][0]["id"] = "١٢٣٤٥٦٧٨٩٠١٢"


def _short(document: dict[str, Any]) -> None:
    document["accounts"][0]["id"] = "12345"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        pytest.param(_twice, "#/accounts/1/id: malformed snapshot: account ", id="twice"),
        pytest.param(_arabic, "#/accounts/0/id: malformed snapshot: not a 12-digit", id="arabic"),
        pytest.param(_short, "#/accounts/0/id: malformed snapshot: not a 12-digit", id="short"),
    ],
)
def test_an_edited_snapshot_is_refused(
    snapshot: dict[str, Any], tmp_path: Path, edit: Callable[[dict[str, Any]], None], message: str
) -> None:
    document = json.loads(json.dumps(snapshot))
    edit(document)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(document))
    for command in (
        ["scan", "--snapshot", str(path)],
        ["merge", str(path), "--out", str(tmp_path / "merged.json")],
    ):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 2, result.output
        assert message in result.stderr
    assert not (tmp_path / "merged.json").exists()
