"""A file whose name is not UTF-8 (bytes such as ``b"\\xff.yml"``, which Linux allows and
git keeps): no JSON or SARIF document can hold the name Python makes of it (lone
surrogates), so the JSON and SARIF outputs failed with a traceback and the text output
counted the file as read. It is listed as unread, under a name with its bytes escaped
(``\\xff.yml``), in every format; the other files are read."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli
from keyless.files import display_path, has_undecodable_name, path_text
from keyless.render.sarif import artifact_uri
from tests.workflows.builders import GITHUB_KEYS

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="only Linux file systems take names that are not UTF-8"
)

ESCAPED = r".github/workflows/\xff.yml"


@pytest.fixture
def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ok.yml").write_text(GITHUB_KEYS)
    with open(os.fsencode(workflows) + b"/\xff.yml", "wb") as file:
        file.write(GITHUB_KEYS.encode())
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _workflows(*args: str) -> Result:
    return CliRunner().invoke(cli, ["workflows", *args], catch_exceptions=False)


def test_the_text_lists_it_as_unread(repository: Path) -> None:
    result = _workflows("scan", ".")

    assert result.exit_code == 3, result.output
    assert f"{ESCAPED}: not read: its name is not UTF-8" in result.stdout
    assert "in 1 file(s); 1 could not be read" in result.stdout


def test_the_json_lists_it_as_unread(repository: Path) -> None:
    result = _workflows("scan", ".", "--format", "json")

    assert result.exit_code == 3, result.output
    document = json.loads(result.stdout)
    assert [u["path"] for u in document["unread"]] == [ESCAPED]
    assert {f["path"] for f in document["files"]} == {".github/workflows/ok.yml"}


def test_the_sarif_says_it_was_not_read(repository: Path) -> None:
    result = _workflows("scan", ".", "--format", "sarif")

    assert result.exit_code == 3, result.output
    (run,) = json.loads(result.stdout)["runs"]
    (notification,) = run["invocations"][0]["toolExecutionNotifications"]
    assert notification["message"]["text"].startswith(f"{ESCAPED}: not read")
    assert run["invocations"][0]["executionSuccessful"] is False


@pytest.mark.parametrize("form", ["text", "json"])
def test_fix_lists_it_as_unread(repository: Path, form: str) -> None:
    result = _workflows(
        "fix", ".", "--role-arn", "arn:aws:iam::123456789012:role/deploy", "--format", form
    )

    assert result.exit_code == 3, result.output
    if form == "json":
        assert [u["path"] for u in json.loads(result.stdout)["unread"]] == [ESCAPED]
    else:
        assert f"{ESCAPED}: not read" in result.output


def test_a_name_is_shown_with_its_bytes_escaped() -> None:
    name = os.fsdecode(b"dir/\xff\xfe.yml")

    assert has_undecodable_name(name)
    assert path_text(name) == r"dir/\xff\xfe.yml"
    assert display_path(Path(name), Path("/elsewhere")) == r"dir/\xff\xfe.yml"
    assert not has_undecodable_name("dir/é.yml")
    assert path_text("dir/é.yml") == "dir/é.yml"


USER_AND_KEY = """\
resource "aws_iam_user" "u" {
  name = "bob"
}
resource "aws_iam_access_key" "k" {
  user = aws_iam_user.u.name
}
"""


@pytest.fixture
def infrastructure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "ok.tf").write_text(USER_AND_KEY)
    with open(os.fsencode(tmp_path) + b"/\xff.tf", "wb") as file:
        file.write(USER_AND_KEY.encode())
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("form", ["text", "json", "sarif"])
def test_iac_lists_it_as_unread_in_every_format(infrastructure: Path, form: str) -> None:
    result = CliRunner().invoke(cli, ["iac", ".", "--format", form], catch_exceptions=False)

    assert result.exit_code == 3, result.output
    if form == "text":
        assert r"\xff.tf: its name is not UTF-8" in result.stdout
        return
    document = json.loads(result.stdout)
    if form == "json":
        assert [u["where"] for u in document["unread"]] == [r"\xff.tf"]
        assert {f["file"] for f in document["findings"]} == {"ok.tf"}
    else:
        (run,) = document["runs"]
        notes = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
        assert any(note.startswith(r"\xff.tf: not read") for note in notes)
        uris = {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
        }
        assert uris == {"ok.tf"}


def test_a_sarif_uri_encodes_the_bytes_of_the_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    assert artifact_uri(Path(os.fsdecode(b"infra/\xff.tf"))) == "infra/%FF.tf"
