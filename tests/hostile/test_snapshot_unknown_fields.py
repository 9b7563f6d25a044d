"""A snapshot field this keyless does not know was dropped silently: one written by a
newer keyless (adding an optional field keeps ``keyless/snapshot/v1``) or edited by hand
was read without it, whatever it said (a newer keyless's ``permissions_boundary``, a
typo'd ``notes``). ``scan --snapshot``, ``merge`` and ``trust --snapshot`` now refuse it
(exit 2), naming the field by its JSON pointer, in the envelope, an account, or any object
within one; the JSON Schema says so with ``additionalProperties: false``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keyless.cli import cli
from keyless.collect.offline.codec import fields_of
from keyless.collect.offline.snapshot_schema import snapshot_schema
from keyless.model import Account, User

from .snapshots import collected_account


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return collected_account(tmp_path_factory.mktemp("snapshot"))


def _envelope(document: dict[str, Any]) -> str:
    document["generator"] = "keyless 9.0"
    return "#/generator"


def _account(document: dict[str, Any]) -> str:
    document["accounts"][0]["permissions_boundary"] = {"arn": "arn:aws:iam::aws:policy/x"}
    return "#/accounts/0/permissions_boundary"


def _user(document: dict[str, Any]) -> str:
    document["accounts"][0]["users"][0]["quarantined"] = True
    return "#/accounts/0/users/0/quarantined"


def _key(document: dict[str, Any]) -> str:
    user = next(u for u in document["accounts"][0]["users"] if u["access_keys"])
    index = document["accounts"][0]["users"].index(user)
    user["access_keys"][0]["state"] = "Expired"
    return f"#/accounts/0/users/{index}/access_keys/0/state"


def _typo(document: dict[str, Any]) -> str:
    document["accounts"][0]["note"] = ["a hand-written note"]
    return "#/accounts/0/note"


EDITS = [_envelope, _account, _user, _key, _typo]


def _written(document: dict[str, Any], path: Path, *, streamed: bool) -> Path:
    if streamed:  # the layout keyless writes: the envelope, then one account a line
        head = {key: value for key, value in document.items() if key != "accounts"}
        lines = [json.dumps({**head, "accounts": []}, separators=(",", ":"))[:-2]]
        accounts = [json.dumps(a, separators=(",", ":")) for a in document["accounts"]]
        path.write_text(lines[0] + "\n" + ",\n".join(accounts) + "\n]}\n")
    else:
        path.write_text(json.dumps(document, indent=2))
    return path


COMMANDS = {
    "scan": lambda path: ["scan", "--snapshot", str(path)],
    "merge": lambda path: ["merge", str(path), "--out", str(path.with_name("merged.json"))],
    "trust": lambda path: ["trust", "--snapshot", str(path), "github-deploy"],
}


@pytest.mark.parametrize("edit", EDITS, ids=lambda edit: edit.__name__.strip("_"))
@pytest.mark.parametrize("streamed", [True, False], ids=["streamed", "whole"])
@pytest.mark.parametrize("command", COMMANDS)
def test_an_unknown_field_is_refused(
    snapshot: dict[str, Any],
    tmp_path: Path,
    edit: Callable[[dict[str, Any]], str],
    streamed: bool,
    command: str,
) -> None:
    document = json.loads(json.dumps(snapshot))
    pointer = edit(document)
    path = _written(document, tmp_path / "snap.json", streamed=streamed)
    result = CliRunner().invoke(cli, COMMANDS[command](path))
    assert result.exit_code == 2, result.output
    assert f"snap.json{pointer}: malformed snapshot: unknown field" in result.output
    assert "Traceback" not in result.output


def test_the_snapshot_as_written_is_read(snapshot: dict[str, Any], tmp_path: Path) -> None:
    path = _written(json.loads(json.dumps(snapshot)), tmp_path / "snap.json", streamed=True)
    for command in COMMANDS.values():
        result = CliRunner().invoke(cli, command(path))
        assert result.exit_code in (0, 1), result.output


def test_the_schema_refuses_what_the_reader_refuses(snapshot: dict[str, Any]) -> None:
    schema = snapshot_schema()
    jsonschema.validate(snapshot, schema)
    for edit in EDITS:
        document = json.loads(json.dumps(snapshot))
        edit(document)
        with pytest.raises(jsonschema.ValidationError, match="Additional properties"):
            jsonschema.validate(document, schema)


_KNOWN = {field.key for cls in (Account, User) for field in fields_of(cls)}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(min_size=1, max_size=20).filter(lambda key: key not in _KNOWN))
def test_any_unknown_user_field_is_refused(
    snapshot: dict[str, Any], tmp_path: Path, key: str
) -> None:
    document = json.loads(json.dumps(snapshot))
    document["accounts"][0]["users"][0][key] = None
    path = _written(document, tmp_path / "snap.json", streamed=True)
    result = CliRunner().invoke(cli, ["scan", "--snapshot", str(path)])
    assert result.exit_code == 2, result.output
    assert "malformed snapshot: unknown field" in result.output
