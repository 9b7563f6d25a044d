"""Files of a Terraform module's directory that Terraform never loads (``IsIgnoredFile``:
a name starting with ``.``, or ``#…#``, or ending with ``~``; and a directory named
``x.tf``) were read as configuration: a ``.main.tf`` copy made ``main.tf``'s user "declared
twice ... Terraform refuses it" (it does not) and left it unjudged; a ``.cdk.tf.json`` was
judged as deployed; an editor's lock ``.#main.tf`` (a dangling symbolic link, there while
the file is open in Emacs) and a folder ``x.tf/`` made every run exit 3. They are now left
out as Terraform leaves them: a note when walked, unread (exit 3) when named, their
literal access keys still found."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from keyless.cli import cli

USER = 'resource "aws_iam_user" "a" {\n  name = "x"\n}\n'


def iac(*paths: Path) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["iac", *map(str, paths), "--format", "json"])
    return result.exit_code, json.loads(result.stdout)


def module(tmp_path: Path) -> Path:
    (tmp_path / "main.tf").write_text(USER)
    return tmp_path


def test_a_hidden_copy_is_not_a_second_declaration(tmp_path: Path) -> None:
    (module(tmp_path) / ".main.tf").write_text(USER)
    code, report = iac(tmp_path)
    assert code == 1, report
    assert [f["address"] for f in report["findings"]] == ["aws_iam_user.a"]
    assert report["unread"] == []
    assert any(".main.tf: not read: Terraform ignores" in note for note in report["notes"])


def test_a_hidden_json_configuration_is_not_judged(tmp_path: Path) -> None:
    (module(tmp_path) / ".cdk.tf.json").write_text(
        json.dumps({"resource": {"aws_iam_user": {"b": {"name": "y"}}}})
    )
    code, report = iac(tmp_path)
    assert code == 1
    assert [f["address"] for f in report["findings"]] == ["aws_iam_user.a"]


def test_an_editor_lock_and_a_folder_named_like_a_file_are_skipped(tmp_path: Path) -> None:
    (module(tmp_path) / ".#main.tf").symlink_to("alice@host.4242:1700000000")
    (tmp_path / "old.tf").mkdir()
    (tmp_path / "#main.tf#").write_text(USER)
    (tmp_path / "main.tf~").write_text(USER)
    code, report = iac(tmp_path)
    assert code == 1, report
    assert report["complete"] is True
    assert [f["address"] for f in report["findings"]] == ["aws_iam_user.a"]


def test_a_hidden_file_named_on_the_command_line_is_unread(tmp_path: Path) -> None:
    (module(tmp_path) / ".main.tf").write_text(USER)
    code, report = iac(tmp_path / ".main.tf")
    assert code == 3
    assert [u["reason"] for u in report["unread"]] == [
        "not read: Terraform ignores a file whose name starts with '.' (or '#', or ends with "
        "'~'), so nothing in it is deployed"
    ]


def test_a_literal_key_in_a_hidden_file_is_still_found(tmp_path: Path) -> None:
    (module(tmp_path) / ".keys.tf").write_text('locals {\n  k = "AKIA2E0A8F3B244C9986"\n}\n')
    code, report = iac(tmp_path)
    assert code == 1
    assert {f["check"] for f in report["findings"]} == {"iac-iam-user", "iac-hardcoded-aws-key"}
