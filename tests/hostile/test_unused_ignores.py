"""A ``keyless.toml`` ``[[ignore]]`` that matches nothing: a regular expression written
where a glob is read (``resource = ".*"``), a user renamed since. It hid nothing and
nothing said so: the person who wrote it believed the finding accepted. Now every scan
that applies ignores (``scan``, ``workflows scan``, ``iac``) names each rule that
accepted no finding: a notice line in text, ``unused_ignores`` in JSON. Never an error,
and the exit code does not change: a configuration shared by repositories need not match
in all of them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli
from tests.workflows.builders import GITHUB_CONFIGURE_KEYS

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "docs" / "schemas"

#: Rule #1 matches nothing (a regex where fnmatch is used); rule #2 hides findings.
CONFIG = """\
[[ignore]]
check = "*"
resource = "arn:aws:iam::.*:user/ci-.*"
reason = "CI users are being migrated"

[[ignore]]
check = "*"
reason = "everything accepted"
"""

NOTICE = (
    "notice: keyless.toml [[ignore]] #1 (check '*', resource 'arn:aws:iam::.*:user/ci-.*')"
    " matched no finding"
)

UNUSED = {
    "file": "keyless.toml",
    "rule": 1,
    "check": "*",
    "resource": "arn:aws:iam::.*:user/ci-.*",
    "account": "*",
    "reason": "CI users are being migrated",
}

WORKFLOW = GITHUB_CONFIGURE_KEYS

TEMPLATE = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {"Deployer": {"Type": "AWS::IAM::User"}},
}


@pytest.fixture
def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "deploy.yml").write_text(WORKFLOW)
    (tmp_path / "template.json").write_text(json.dumps(TEMPLATE))
    (tmp_path / "keyless.toml").write_text(CONFIG)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


COMMANDS = {
    "scan": ("scan", "--demo", "--config", "keyless.toml"),
    "workflows-scan": ("workflows", "scan", ".", "--config", "keyless.toml"),
    "iac": ("iac", "template.json", "--config", "keyless.toml"),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_the_text_names_an_ignore_that_matched_nothing(repository: Path, command: str) -> None:
    result = _run(*COMMANDS[command])
    assert result.exit_code == 0, result.output
    assert NOTICE in result.stdout.splitlines()
    assert "[[ignore]] #2" not in "".join(
        line for line in result.stdout.splitlines() if line.startswith("notice:")
    )


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_the_json_lists_it_under_its_schema(repository: Path, command: str) -> None:
    result = _run(*COMMANDS[command], "--format", "json")
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    assert document["unused_ignores"] == [UNUSED]
    schema = json.loads((SCHEMAS / f"{command}-v1.schema.json").read_text())
    jsonschema.validate(document, schema)


def test_an_ignore_that_matches_is_not_named(repository: Path) -> None:
    (repository / "keyless.toml").write_text(CONFIG.split("\n\n")[1])
    result = _run(*COMMANDS["scan"], "--format", "json")
    assert json.loads(result.stdout)["unused_ignores"] == []
    assert "notice:" not in _run(*COMMANDS["scan"]).stdout


def test_an_ignore_of_a_check_the_scan_did_not_run_is_not_named(repository: Path) -> None:
    # keyless.toml is shared: an estate check's ignore means nothing to a workflows scan,
    # nor one of a check `--checks` left out to the scan it limits.
    (repository / "keyless.toml").write_text(
        '[[ignore]]\ncheck = "key-unused"\nresource = "nobody"\nreason = "shared"\n'
    )
    workflows = _run(*COMMANDS["workflows-scan"], "--format", "json")
    assert json.loads(workflows.stdout)["unused_ignores"] == []
    limited = _run(*COMMANDS["scan"], "--checks", "key-not-rotated", "--format", "json")
    assert json.loads(limited.stdout)["unused_ignores"] == []
    whole = _run(*COMMANDS["scan"], "--format", "json")
    assert [i["check"] for i in json.loads(whole.stdout)["unused_ignores"]] == ["key-unused"]


def test_sarif_says_it_as_a_notification(repository: Path) -> None:
    result = _run(*COMMANDS["scan"], "--format", "sarif")
    assert result.exit_code == 0, result.output
    notifications = json.loads(result.stdout)["runs"][0]["invocations"][0][
        "toolExecutionNotifications"
    ]
    assert {"level": "note", "message": {"text": NOTICE}} in notifications


def test_markdown_lists_it(repository: Path) -> None:
    result = _run(*COMMANDS["scan"], "--format", "markdown")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    at = lines.index("### Ignores that matched nothing")
    assert lines[at + 2] == (
        "- notice: `keyless.toml` \\[\\[ignore\\]\\] \\#1 (check '\\*', resource"
        " `'arn:aws:iam::.*:user/ci-.*')` matched no finding"
    )


def test_html_lists_it(repository: Path) -> None:
    result = _run(*COMMANDS["scan"], "--format", "html")
    assert result.exit_code == 0, result.output
    assert '<section id="unused-ignores">' in result.stdout
    assert "[[ignore]] #1 (check &#39;*&#39;" in result.stdout
