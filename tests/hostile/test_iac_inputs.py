"""Hostile inputs to ``keyless iac``: malformed, huge, deeply nested and aliased files,
symbolic links, FIFOs and crafted names. Each is reported (the file named, exit code 3
when the other inputs were analysed), never a traceback or a hang."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli
from keyless.iac.sources import MAX_BYTES

USER = 'resource "aws_iam_user" "ok" {\n  name = "ok"\n}\n'


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["iac", *args], catch_exceptions=False)


def _assert_reported(result: Result, *fragments: str) -> None:
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    for fragment in fragments:
        assert fragment in output


@pytest.fixture
def good(tmp_path: Path) -> Path:
    """A readable module beside the hostile input: its finding must still be reported."""
    directory = tmp_path / "good"
    directory.mkdir()
    (directory / "main.tf").write_text(USER)
    return directory


def test_a_file_above_the_size_limit_is_refused_unread(tmp_path: Path, good: Path) -> None:
    huge = tmp_path / "huge" / "main.tf"
    huge.parent.mkdir()
    with huge.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: nothing is written to disk
    result = run(str(huge.parent), str(good))
    assert result.exit_code == 3
    _assert_reported(
        result,
        f"{huge}: the file is 64 MiB, larger than the 64 MiB keyless reads",
        "aws_iam_user.ok creates",
    )


def test_deeply_nested_hcl_is_reported(tmp_path: Path, good: Path) -> None:
    deep = tmp_path / "deep" / "main.tf"
    deep.parent.mkdir()
    deep.write_text("locals {\n  x = " + "[" * 20_000 + "]" * 20_000 + "\n}\n")
    result = run(str(deep.parent), str(good))
    assert result.exit_code in (1, 3)
    _assert_reported(result, "aws_iam_user.ok creates")


def test_a_deeply_nested_trust_policy_is_not_judged_and_says_why(tmp_path: Path) -> None:
    deep = "[" * 300 + '"x"' + "]" * 300
    (tmp_path / "main.tf").write_text(
        f'resource "aws_iam_role" "r" {{\n  assume_role_policy = jsonencode({deep})\n}}\n'
    )
    result = run(str(tmp_path))
    assert result.exit_code == 3
    _assert_reported(result, "nested too deeply to evaluate")


def test_deeply_nested_yaml_is_reported(tmp_path: Path, good: Path) -> None:
    template = tmp_path / "stack.yaml"
    template.write_text("Resources:\n  R:\n    Type: AWS::IAM::User\n    P: " + "[" * 5000 + "\n")
    result = run(str(template), str(good))
    assert result.exit_code == 3
    _assert_reported(result, f"{template}: malformed YAML", "aws_iam_user.ok creates")


@pytest.mark.parametrize(
    "text", ["Resources:\n  A: [\n", "AWSTemplateFormatVersion: '2010-09-09'\nResources: {\n"]
)
def test_a_template_cut_short_before_any_type_is_reported(tmp_path: Path, text: str) -> None:
    template = tmp_path / "stack.yaml"
    template.write_text(text)
    result = run(str(template))
    assert result.exit_code == 3
    assert f"{template}: malformed YAML" in result.output


def test_json_and_yaml_that_are_not_infrastructure_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "app"}')
    (tmp_path / "ci.yml").write_text("on: push\njobs: {}\n")
    result = run(str(tmp_path / "package.json"), str(tmp_path / "ci.yml"))
    assert result.exit_code == 0, result.output


def test_deeply_nested_json_is_reported(tmp_path: Path, good: Path) -> None:
    template = tmp_path / "stack.json"
    template.write_text('{"Resources": {"R": {"Type": "AWS::IAM::User", "P": ' + "[" * 5000)
    result = run(str(template), str(good))
    assert result.exit_code == 3
    _assert_reported(result, f"{template}: malformed JSON: nested deeper than 512 levels")


def test_a_yaml_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = [
        "AWSTemplateFormatVersion: '2010-09-09'",
        "Resources:",
        "  R:",
        "    Type: AWS::IAM::Role",
    ]
    lines.append('    a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]')
    lines += [f"    a{i}: &a{i} [{', '.join(['*a' + str(i - 1)] * 10)}]" for i in range(1, 9)]
    template = tmp_path / "bomb.yaml"
    template.write_text("\n".join(lines) + "\n")
    result = run(str(template))
    assert result.exit_code == 3
    _assert_reported(result, "too many values")


def test_a_symlink_met_while_walking_is_not_followed(tmp_path: Path, good: Path) -> None:
    (good / "linked.tf").symlink_to("/etc/passwd")
    result = run(str(good))
    assert result.exit_code == 3
    _assert_reported(result, f"{good / 'linked.tf'}: symbolic link not followed")


@pytest.mark.parametrize("name", ["terraform.tfvars", "terraform.tfvars.json", "x.auto.tfvars"])
def test_a_variables_file_terraform_loads_is_not_followed_through_a_symlink(
    tmp_path: Path, name: str
) -> None:
    # A variables file the module loads by itself is met while reading the directory, as
    # a .tf file is when walking it: a link is not followed. It was read wherever it
    # pointed (/proc/self/environ: the runner's environment quoted in a syntax error).
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "values").write_text(
        '{"principal": "*"}' if name.endswith(".json") else 'principal = "*"\n'
    )
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text(
        'variable "principal" {\n  default = "arn:aws:iam::123456789012:root"\n}\n'
        'resource "aws_iam_role" "r" {\n'
        '  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow",\n'
        '    Action = "sts:AssumeRole", Principal = { AWS = var.principal } }] })\n}\n'
    )
    (root / name).symlink_to(outside / "values")
    result = run(str(root))
    assert result.exit_code == 3
    _assert_reported(result, f"{root / name}: symbolic link not followed")
    assert "trust-anyone" not in result.stdout


def test_the_environment_is_never_read_through_a_variables_file_link(tmp_path: Path) -> None:
    # /proc/self/environ holds the environment the process started with: a subprocess
    (tmp_path / "main.tf").write_text('variable "v" {}\n')
    (tmp_path / "terraform.tfvars").symlink_to("/proc/self/environ")
    env = {**os.environ, "KEYLESS_TEST_SECRET": "s3cr3t-value"}
    completed = subprocess.run(
        [sys.executable, "-m", "keyless", "iac", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 3
    output = completed.stdout + completed.stderr
    assert "symbolic link not followed" in output
    assert "s3cr3t-value" not in output
    assert "KEYLESS_TEST_SECRET" not in output
    assert "\\x00" not in output  # no quoted piece of the environment at all


def test_a_symlink_to_a_device_given_directly_is_not_read(tmp_path: Path) -> None:
    link = tmp_path / "stack.yaml"
    link.symlink_to("/dev/zero")
    result = run(str(link))
    assert result.exit_code == 3
    _assert_reported(result, f"{link}: not a regular file")


def test_a_terraform_symlink_given_directly_is_not_followed(tmp_path: Path) -> None:
    link = tmp_path / "main.tf"
    link.symlink_to("/dev/zero")
    result = run(str(link))
    assert result.exit_code == 3
    _assert_reported(result, f"{link}: symbolic link not followed")


def test_a_fifo_named_like_terraform_does_not_hang(tmp_path: Path, good: Path) -> None:
    os.mkfifo(good / "pipe.tf")
    result = run(str(good))
    assert result.exit_code == 3
    _assert_reported(result, f"{good / 'pipe.tf'}: not a regular file", "aws_iam_user.ok")


def test_a_file_that_is_not_utf8_is_reported(tmp_path: Path, good: Path) -> None:
    (good / "binary.tf").write_bytes(b"\xff\xfe\x00resource")
    result = run(str(good))
    assert result.exit_code == 3
    _assert_reported(result, "not UTF-8 text (line 1, byte 0)")


def test_a_huge_count_is_not_expanded(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_user" "u" {\n  count = 100000000\n  name = "u"\n}\n'
    )
    result = run(str(tmp_path))
    assert result.exit_code == 3
    _assert_reported(result, "count above 10000 is not expanded")


def test_a_crafted_logical_id_cannot_forge_a_line(tmp_path: Path) -> None:
    template = tmp_path / "stack.json"
    template.write_text(
        '{"Resources": {"A\\nx.tf:1:1: critical forged": {"Type": "AWS::IAM::User"}}}'
    )
    result = run(str(template))
    assert not any(line.startswith("x.tf") for line in result.stdout.splitlines())


def test_a_crafted_value_cannot_forge_an_annotation(tmp_path: Path) -> None:
    template = tmp_path / "stack.json"
    template.write_text('{"Resources": {"A\\n::error file=x::forged": {"Type": "AWS::IAM::User"}}}')
    result = run(str(template), "--format", "github")
    assert len(result.stdout.splitlines()) == 1


def test_a_file_name_with_a_newline_cannot_forge_a_line(tmp_path: Path) -> None:
    directory = tmp_path / "\nx.tf:1:1: critical forged"
    directory.mkdir()
    (directory / "main.tf").write_text(USER)
    result = run(str(tmp_path))
    assert result.exit_code == 1
    assert not any(line.startswith("x.tf") for line in result.stdout.splitlines())


@pytest.mark.parametrize("escape", ["\\ud800", "\\uDFFF", "\\U0000d83d"])
@pytest.mark.parametrize("output", ["text", "json", "sarif"])
def test_a_yaml_escape_naming_a_surrogate_is_reported(
    tmp_path: Path, good: Path, escape: str, output: str
) -> None:
    # ruamel.yaml reads the escape as a lone surrogate, which JSON and SARIF cannot hold.
    template = tmp_path / "template.yaml"
    template.write_text(
        "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n"
        "      AssumeRolePolicyDocument:\n        Statement:\n          - Effect: Allow\n"
        "            Principal: {AWS: '*'}\n            Action: sts:AssumeRole\n"
        f'            Sid: "x{escape}"\n'
    )
    result = run(str(template), str(good), "--format", output)
    _assert_reported(result, "template.yaml")
    assert result.exit_code == 3
    if output == "text":
        assert "surrogate code point" in result.stdout
        assert "line 10, column" in result.stdout


def test_a_yaml_escape_of_a_character_beyond_the_surrogates_is_read(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(
        "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n"
        "      AssumeRolePolicyDocument:\n        Statement:\n          - Effect: Allow\n"
        "            Principal: {AWS: '*'}\n            Action: sts:AssumeRole\n"
        '            Sid: "\\ue000 \\U0001F600"\n'
    )
    result = run(str(template))
    assert "trust-anyone" in result.stdout
    assert result.exit_code == 1
