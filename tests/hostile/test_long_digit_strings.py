"""Strings of ASCII digits too long to be numbers. Python's ``int()`` refuses text of
more than 4,300 digits (ValueError, CVE-2020-10735): a recorded scan number
(``diff @999…``), a CloudFormation ``Fn::Select`` index and a plan's key of digits
each reached it, and so did an integer in a CI workflow's YAML; each ended in a
traceback. Now a scan number that long names no scan (exit 2), the index selects nothing
(the value is unknown), the key is reported as what it is (exit 2), and the workflow is
malformed YAML, by line (exit 2, or unread among others: exit 3)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli
from tests.generate.conftest import edited

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "tests" / "collect" / "fixtures" / "account"
DIGITS = "9" * 5000


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("store")
    shutil.copytree(ACCOUNT, folder / "export")
    path = folder / "history.sqlite3"
    result = run("scan", "--input", folder / "export", "--record", "--store", path, "--quiet")
    assert result.exit_code in (0, 1), result.output
    return path


@pytest.mark.parametrize("number", ["1" + "0" * 19, DIGITS])
def test_a_scan_number_too_long_names_no_scan(store: Path, number: str) -> None:
    result = run("diff", f"@{number}", "@latest", "--store", store)
    assert_no_traceback(result)
    assert result.exit_code == 2, result.output
    assert "no recorded scan" in result.stderr


def test_a_cloudformation_index_too_long_selects_nothing(tmp_path: Path) -> None:
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "U": {
                "Type": "AWS::IAM::User",
                "Properties": {"UserName": {"Fn::Select": [DIGITS, ["a", "b"]]}},
            }
        },
    }
    path = tmp_path / "template.json"
    path.write_text(json.dumps(template))
    result = run("iac", path)
    assert_no_traceback(result)
    assert result.exit_code == 1, result.output
    assert "iac-iam-user" in result.stdout


def test_a_plan_key_of_digits_is_reported(demo_plan: Path, tmp_path: Path) -> None:
    def add_key(document: Any) -> None:
        document["identity_center"]["permission_sets"][0]["inline_policy"] = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
            DIGITS: 1,
        }

    plan = edited(demo_plan, tmp_path / "plan.json", add_key)
    result = run("generate", plan, "--format", "terraform", "--out", tmp_path / "out")
    assert_no_traceback(result)
    assert result.exit_code == 2, result.output
    assert "unknown top-level element" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_plan_key_of_digits_is_reported_by_plan_check(demo_plan: Path, tmp_path: Path) -> None:
    def add_key(document: Any) -> None:
        document["identity_center"]["permission_sets"][0]["inline_policy"] = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
            DIGITS: 1,
        }

    plan = edited(demo_plan, tmp_path / "plan.json", add_key)
    result = run("plan", "--demo", "--check", plan)
    assert_no_traceback(result)
    assert result.exit_code == 2, result.output
    assert "unknown top-level element" in result.output


WORKFLOW = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    timeout-minutes: {}\n"


@pytest.mark.parametrize("command", [["workflows", "scan"], ["plan", "--demo", "--workflows"]])
def test_a_workflow_integer_too_long_is_malformed_yaml(tmp_path: Path, command: list[str]) -> None:
    # The YAML loader converted it with int() and ended in a traceback (exit 1).
    workflow = tmp_path / "repo" / ".github" / "workflows" / "ci.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(WORKFLOW.format(DIGITS))
    result = run(*command, tmp_path / "repo")
    assert_no_traceback(result)
    assert result.exit_code in (2, 3), result.output
    assert (
        "ci.yml:5: not read: malformed YAML: an integer of 5,000 characters" in (result.output)
        or "ci.yml:5: malformed YAML: an integer of 5,000 characters" in result.output
    )


def test_a_workflow_integer_of_many_digits_within_the_limit_is_read(tmp_path: Path) -> None:
    workflow = tmp_path / ".github" / "workflows" / "ci.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(WORKFLOW.format("9" * 4000))
    result = run("workflows", "scan", tmp_path)
    assert result.exit_code == 0, result.output
