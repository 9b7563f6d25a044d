"""``keyless iac --format github`` on files whose names hold an ANSI escape or a
bidirectional override. The Actions log renders both; the finding's message was escaped
but the ``file=`` property and the "not read" annotation (the file name and the parser's
message) were written raw, so a file name could recolour or reorder the log. Now every
property and every line of every annotation is written as escapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

HOSTILE = "x\x1b[31mred\u202egnp"
RAW = ("\x1b", "\u202e", "\x00")


@pytest.fixture
def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    user = {"Resources": {"Deployer": {"Type": "AWS::IAM::User"}}}
    (tmp_path / f"{HOSTILE}.json").write_text(json.dumps(user))
    (tmp_path / f"{HOSTILE}.yaml").write_text("Resources: [\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_annotations_escape_file_names(repository: Path) -> None:
    result = CliRunner().invoke(cli, ["iac", ".", "--format", "github"])
    assert result.exit_code == 3, result.output
    assert not [c for c in RAW if c in result.stdout]
    found, unread = result.stdout.splitlines()
    assert found.startswith("::error file=x\\x1b[31mred\\u202egnp.json,line=1,")
    assert unread.startswith("::error title=keyless%3A not read::x\\x1b[31mred\\u202egnp.yaml: ")
