"""Names from an estate or a file reach a terminal (or an Actions log, which renders ANSI
colours) escaped: a snapshot's source and organization ID, a CloudFormation logical ID. A line
break, an ANSI escape or a bidirectional override is shown as ``\\n``, ``\\x1b``,
``\\u202e``; rich markup in an alias is shown as typed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli

ROOT = Path(__file__).resolve().parents[2]
ORG = ROOT / "tests" / "collect" / "fixtures" / "org"
HOSTILE = "acme\n\x1b[2J[bold red]x\u202e"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def raw(text: str) -> bool:
    return "\x1b" in text or "\u202e" in text


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("snapshot")
    shutil.copytree(ORG, folder / "export")
    path = folder / "snapshot.json"
    result = run("collect", "--input", folder / "export", "--out", path, "-q")
    assert result.exit_code in (0, 3), result.output
    document = json.loads(path.read_text())
    # An alias outside AWS's grammar is now refused where it is read: the snapshot's
    # source (free text, the report's first line) carries the hostile text instead.
    document["source"] = HOSTILE
    path.write_text(json.dumps(document))
    return path


def test_scan_text_shows_a_source_escaped(snapshot: Path) -> None:
    result = run("scan", "--snapshot", snapshot, "--allow-partial")
    assert result.exit_code in (0, 1), result.output
    assert not raw(result.stdout)
    assert "acme\\n\\x1b[2J[bold red]x\\u202e" in result.stdout


def test_plan_markdown_has_no_control_character_from_a_source(snapshot: Path) -> None:
    result = run("plan", "--snapshot", snapshot, "--format", "markdown", "-q", "--allow-partial")
    assert result.exit_code in (0, 1), result.output
    assert not raw(result.stdout)


@pytest.mark.parametrize("output_format", ["text", "github"])
def test_iac_shows_a_logical_id_escaped(tmp_path: Path, output_format: str) -> None:
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "U\x1b[31mX\u202e": {"Type": "AWS::IAM::User", "Properties": {"UserName": "u"}}
        },
    }
    path = tmp_path / "template.json"
    path.write_text(json.dumps(template))
    result = run("iac", path, "--format", output_format)
    assert result.exit_code == 1, result.output
    assert not raw(result.stdout)
    assert "U\\x1b[31mX\\u202e" in result.stdout


@pytest.mark.parametrize("command", [("scan", "--demo"), ("workflows", "scan", ".")])
def test_an_unknown_check_id_is_named_on_one_line(command: tuple[str, ...]) -> None:
    result = run(*command, "--checks", "a\nkeyless: forged\x1b[31m")
    assert result.exit_code == 2, result.output
    assert "'a\\nkeyless: forged\\x1b[31m'" in result.stderr.split("\n")[0]
    assert "\nkeyless: forged" not in result.stderr


def test_scan_refuses_an_organization_id_aws_never_gives(snapshot: Path, tmp_path: Path) -> None:
    """The report's first line is made of the snapshot's source and organization ID: both
    were printed raw, so a snapshot could forge a line or recolour the terminal. An
    organization ID outside AWS's grammar (``o-`` and 10 to 32 lower-case letters or
    digits) is now refused, named escaped."""
    document = json.loads(snapshot.read_text())
    document["organization"]["id"] = HOSTILE
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(document))

    result = run("scan", "--snapshot", edited, "--allow-partial")

    assert result.exit_code == 2, result.output
    assert not raw(result.output)
    assert "#/organization/id: malformed snapshot: OrganizationId 'acme\\n" in result.stderr
