"""A JSON file of 4 MiB or more has its duplicate-key pass run in a forked child while orjson
parses it (keyless.forked). Hostile large files get the answer the in-process pass gives
(the same refusal, by the same pointer), and no child is left behind: a malformed one left
its child running, then a zombie holding a pipe, one per file (an organization export reads
hundreds)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless import duplicate_keys
from keyless.cli import cli
from keyless.errors import InputError

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks on Linux")

EXPORT = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "account"
PAD = b" " * duplicate_keys.FORKED_PASS  # whitespace is valid before any JSON value


def _children() -> set[str]:
    """This process's child processes, zombies included (Linux)."""
    return {
        pid
        for task in Path("/proc/self/task").iterdir()
        for pid in (task / "children").read_text().split()
    }


def _outcome(data: bytes) -> str:
    try:
        duplicate_keys.parse_json(data, "the export", "x.json")
    except InputError as error:
        return error.describe()
    return "read"


CASES = [
    pytest.param(b'{"a": "\\ud800"}', "no low surrogate", id="lone-surrogate"),
    pytest.param(b'{"\\ud800": 1, "\\ud800": 2}', "no low surrogate", id="lone-surrogate-keys"),
    pytest.param(b'{"a": ' + b"1" * 5000 + b"}", "malformed JSON", id="huge-integer"),
    pytest.param(b'{"a": 1e400}', "malformed JSON", id="huge-float"),
    pytest.param(b'{"a": NaN}', "malformed JSON", id="nan"),
    pytest.param(b'{"a": "\xff"}', "not UTF-8 text", id="invalid-utf8"),
    pytest.param(b"[" * 1030 + b"]" * 1030, "depth limit exceeded", id="past-orjson-depth"),
    pytest.param(b"[" * 1010 + b"]" * 1010, "nested too deeply", id="past-python-depth"),
    pytest.param(
        b'{"\\ud83d\\ude00": 1, "\\ud83d\\ude00": 2}', "x.json#/\U0001f600: a key", id="pair"
    ),
    pytest.param(b"[" * 900 + b'{"a":1,"a":2}' + b"]" * 900, "/0/0/0", id="deep-duplicate"),
    pytest.param(b'{"a/~b": 1, "a/~b": 2}', "x.json#/a~1~0b: a key", id="escaped-pointer"),
    pytest.param(b'{"ok": [1, 2, {"b": null}]}', "read", id="clean"),
]


@pytest.mark.parametrize(("payload", "said"), CASES)
def test_a_large_file_is_answered_as_a_small_one(
    payload: bytes, said: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = PAD + payload
    before = _children()
    forked = _outcome(data)
    assert _children() <= before, "a child was left behind"
    monkeypatch.setattr(duplicate_keys, "FORKED_PASS", 1 << 40)
    assert forked == _outcome(data)
    assert said in forked


def test_a_large_file_with_a_bom_and_a_duplicate_is_refused_by_pointer() -> None:
    data = b"\xef\xbb\xbf" + PAD + b'{"a": 1, "b": {"c": 1, "c": 2}}'
    assert _outcome(data).startswith("x.json#/b/c: a key appears twice")


def test_scan_refuses_a_large_export_with_a_key_twice_deep_inside(tmp_path: Path) -> None:
    export = tmp_path / "export"
    shutil.copytree(EXPORT, export)
    details = export / "authorization-details.json"
    document = json.loads(details.read_text())
    document["Padding"] = ["x" * 1000] * 5000  # past FORKED_PASS
    text = json.dumps(document)
    # The last user's name, twice: deep in the file, after megabytes of padding.
    text = text.replace('"UserName": "ci-deploy"', '"UserName": "ci-deploy", "UserName": "x"')
    details.write_text(text)
    assert details.stat().st_size >= duplicate_keys.FORKED_PASS
    result = CliRunner().invoke(cli, ["scan", "--input", str(export)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "authorization-details.json#/UserDetailList/1/UserName: a key appears twice" in (
        result.stderr
    )
