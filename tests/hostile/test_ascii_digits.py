"""Numbers are ASCII digits. Python's ``str.isdigit()`` is true for ``²`` (and ``int()``
then fails on it) and ``int()`` reads Arabic-Indic and fullwidth digits; a scan number,
an option's count, a CloudFormation index or a user name in another script is refused as
what it is (exit 2, or reported in the file), never read as a number nor a traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "tests" / "collect" / "fixtures" / "account"
SUPERSCRIPT_TWO = "\u00b2"
ARABIC_ONE = "\u0661"
FULLWIDTH_THREE = "\uff13"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_refused(result: Result, phrase: str) -> None:
    assert result.exit_code == 2, result.output
    assert phrase in result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("store")
    shutil.copytree(ACCOUNT, folder / "export")
    path = folder / "history.sqlite3"
    result = run("scan", "--input", folder / "export", "--record", "--store", path, "--quiet")
    assert result.exit_code in (0, 1), result.output
    return path


@pytest.mark.parametrize("digit", [SUPERSCRIPT_TWO, ARABIC_ONE, FULLWIDTH_THREE])
def test_a_recorded_scan_number_is_ascii(store: Path, digit: str) -> None:
    assert run("diff", "@1", "@latest", "--store", store).exit_code in (0, 1)
    assert_refused(run("diff", f"@{digit}", "@latest", "--store", store), "no recorded scan")


@pytest.mark.parametrize(
    "args",
    [
        ("history", "--limit", FULLWIDTH_THREE),
        ("history", "--limit", ARABIC_ONE),
        ("scan", "--org", "--max-workers", ARABIC_ONE),
        ("scan", "--demo", "--workers", FULLWIDTH_THREE),
        ("retire", "--user", "alice", "--max-actions", ARABIC_ONE),
        ("retire", "--user", "alice", "--min-idle-days", FULLWIDTH_THREE + "0"),
    ],
)
def test_a_count_option_is_ascii(args: tuple[str, ...]) -> None:
    assert_refused(run(*args), "ASCII digits")


def test_a_count_option_without_a_maximum_is_capped() -> None:
    assert_refused(run("history", "--limit", "9" * 30), "--limit")


def test_a_cloudformation_index_outside_ascii_is_no_number(tmp_path: Path) -> None:
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "U": {
                "Type": "AWS::IAM::User",
                "Properties": {"UserName": {"Fn::Select": [SUPERSCRIPT_TWO, ["a", "b"]]}},
            }
        },
    }
    path = tmp_path / "template.json"
    path.write_text(json.dumps(template))
    result = run("iac", path)
    assert result.exit_code == 1, result.output
    assert "iac-iam-user" in result.stdout
    assert "Traceback" not in result.output


def test_a_link_user_name_is_ascii() -> None:
    link = f"ci-deploy{ARABIC_ONE}=acme/app"
    assert_refused(run("plan", "--demo", "--link", link), "not an IAM user name")
