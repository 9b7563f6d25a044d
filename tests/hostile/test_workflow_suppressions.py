"""``keyless workflows scan`` with a ``keyless.toml`` whose ``[[ignore]]`` hides findings.
Only SARIF showed them: the text said "0 finding(s) in 1 file(s)" and the JSON had no
trace of them, so an ignore of every check (``check = "*"``) made a workflow that passes
its keys read as clean. Suppressed findings are counted in every format, with the rule
and the reason."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli
from tests.workflows.builders import GITHUB_CONFIGURE_KEYS

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "docs" / "schemas" / "workflows-scan-v1.schema.json"

WORKFLOW = GITHUB_CONFIGURE_KEYS

CONFIG = """\
[[ignore]]
check = "*"
reason = "accepted until the migration"
"""


@pytest.fixture
def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "deploy.yml").write_text(WORKFLOW)
    (tmp_path / "keyless.toml").write_text(CONFIG)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def scan(*args: str) -> Result:
    return CliRunner().invoke(cli, ["workflows", "scan", ".", "--config", "keyless.toml", *args])


def test_the_text_counts_suppressed_findings(repository: Path) -> None:
    result = scan()
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[-1] == "0 finding(s) in 1 file(s); 1 suppressed"
    assert lines[0] == "1 finding(s) suppressed by the configuration:"
    assert lines[1] == (
        "  .github/workflows/deploy.yml:8:11: workflow-static-aws-keys:"
        " accepted until the migration (keyless.toml [[ignore]] #1)"
    )


def test_the_json_lists_suppressed_findings(repository: Path) -> None:
    result = scan("--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    jsonschema.validate(document, json.loads(SCHEMA.read_text()))
    assert document["findings"] == []
    (entry,) = document["suppressed"]
    assert entry["check"] == "workflow-static-aws-keys"
    assert entry["reason"] == "accepted until the migration"
    assert entry["ignore"] == {
        "file": "keyless.toml",
        "rule": 1,
        "check": "*",
        "resource": "*",
        "account": "*",
    }


def test_a_scan_without_ignores_has_none(repository: Path) -> None:
    (repository / "keyless.toml").write_text("")
    result = scan("--format", "json")
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    jsonschema.validate(document, json.loads(SCHEMA.read_text()))
    assert document["suppressed"] == []
    assert len(document["findings"]) == 1
