"""A CI file with a character Python's ``str.splitlines`` takes for a line end (U+2028,
U+2029, NEL) before a hard-coded key: the finding names the line an editor and GitHub show
(they end lines at LF, CRLF and CR only), not one further down."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

KEY = "AKIAQ2X7RM4TZK9WDXYZ"
WORKFLOW = (
    "on: push\n"
    'name: "deploys {separator} to production"\n'
    "jobs:\n"
    "  deploy:\n"
    "    runs-on: ubuntu-latest\n"
    "    env:\n"
    f"      AWS_ACCESS_KEY_ID: {KEY}\n"
    "    steps:\n"
    "      - run: aws s3 ls\n"
)
JENKINSFILE = (
    "pipeline {{\n"
    "  // deploys {separator} to production\n"
    "  environment {{\n"
    f'    AWS_ACCESS_KEY_ID = "{KEY}"\n'
    "  }}\n"
    "}}\n"
)


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
@pytest.mark.parametrize(
    ("name", "template", "line"),
    [(".github/workflows/deploy.yml", WORKFLOW, 7), ("Jenkinsfile", JENKINSFILE, 4)],
)
def test_the_key_is_reported_on_the_line_an_editor_shows(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    separator: str,
    name: str,
    template: str,
    line: int,
) -> None:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(template.format(separator=separator), encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(cli, ["workflows", "scan", ".", "--format", "json"])

    document = json.loads(result.stdout)
    (finding,) = [f for f in document["findings"] if f["check"] == "workflow-hardcoded-aws-key"]
    assert finding["line"] == line
