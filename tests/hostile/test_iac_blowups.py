"""Terraform built to blow up ``keyless iac``: values doubled by forty locals, a crafted
regular expression, numbers squared forty times, a number of 5,000 digits, a heredoc of
megabytes. Each is reported unknown or unread, at once and in bounded memory; before, each
hung, took gigabytes or stopped with a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli

MAX_PARSED = 1 << 20  # keyless.iac.hcl.MAX_PARSED

TRUST = (
    'resource "aws_iam_role" "r" {{\n  name = "r"\n  assume_role_policy = jsonencode({{'
    'Statement = [{{Effect = "Allow", Action = "sts:AssumeRole", Principal = {{AWS = {0}}}}}]'
    "}})\n}}\n"
)


def run(directory: Path) -> Result:
    return CliRunner().invoke(cli, ["iac", str(directory)], catch_exceptions=False)


def _doubled(first: str, step: str, count: int = 30, name: str = "l") -> str:
    lines = ["locals {", f"  {name}0 = {first}"]
    lines += [f"  {name}{i} = {step.format(f'local.{name}{i - 1}')}" for i in range(1, count)]
    return "\n".join([*lines, "}", ""])


@pytest.mark.parametrize(
    ("first", "step"),
    [
        pytest.param('["arn:aws:iam::123456789012:root"]', "concat({0}, {0})", id="concat"),
        pytest.param('["arn:aws:iam::123456789012:root"]', "[{0}, {0}]", id="tuple"),
        pytest.param('["arn:aws:iam::123456789012:root"]', "flatten([{0}, {0}])", id="flatten"),
        pytest.param('{a = "arn:aws:iam::123456789012:root"}', "{{x = {0}, y = {0}}}", id="object"),
        pytest.param('"arn:aws:iam::123456789012:root"', 'join("", [{0}, {0}])', id="join"),
        pytest.param('"arn:aws:iam::123456789012:root"', 'format("%s%s", {0}, {0})', id="format"),
        pytest.param('"arn:aws:iam::123456789012:root"', 'replace({0}, "a", {0})', id="replace"),
    ],
)
def test_a_value_doubled_forty_times_is_too_large_to_evaluate(
    tmp_path: Path, first: str, step: str
) -> None:
    (tmp_path / "main.tf").write_text(_doubled(first, step) + TRUST.format("local.l29"))
    result = run(tmp_path)
    assert result.exit_code == 3, result.output
    assert "trust policy not judged" in result.output
    assert "too large to evaluate" in result.output


def test_a_separator_of_megabytes_is_not_joined(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        _doubled('"' + "a" * 1000 + '"', 'join("", [{0}, {0}])', 12)  # 2 MiB
        + _doubled('["a"]', "concat({0}, {0})", 22, name="k")  # 2 M items
        + TRUST.format("join(local.k11, local.k21)")
    )
    result = run(tmp_path)
    assert result.exit_code == 3, result.output
    assert "too large to evaluate" in result.output


def test_a_regular_expression_that_backtracks_is_not_run(tmp_path: Path) -> None:
    subject = '"' + "a" * 60 + '!"'
    (tmp_path / "main.tf").write_text(TRUST.format(f'replace({subject}, "/(a+)+$/", "")'))
    result = run(tmp_path)
    assert result.exit_code == 3, result.output
    assert "regular expression is not evaluated" in result.output


def test_a_plain_regular_expression_is_still_evaluated(tmp_path: Path) -> None:
    principal = 'replace("xarn:aws:iam::123456789012:root", "/^x/", "")'
    (tmp_path / "main.tf").write_text(TRUST.format(principal))
    result = run(tmp_path)
    assert "not judged" not in result.output


def test_a_number_squared_forty_times_is_not_computed(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        _doubled("99999999999", "{0} * {0}") + TRUST.format('"${local.l29}"')
    )
    result = run(tmp_path)
    assert result.exit_code == 3, result.output
    assert "a number of more than 256 bits" in result.output


def test_a_number_of_five_thousand_digits_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TRUST.format('"${' + "1" * 5000 + '}"'))
    result = run(tmp_path)
    assert result.exit_code == 3, result.output
    assert "a number of more than 1000 digits" in result.output


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("<<EOT\n" + ("A" * 99 + "\n") * (MAX_PARSED // 100 + 1) + "EOT", id="heredoc"),
        pytest.param('"' + "A" * (MAX_PARSED + 1) + '"', id="string"),
    ],
)
def test_a_block_larger_than_the_parser_takes_is_refused(tmp_path: Path, value: str) -> None:
    (tmp_path / "main.tf").write_text(
        f'resource "aws_iam_user" "u" {{\n  name = {value}\n}}\n'
        'resource "aws_iam_user" "ok" {\n  name = "ok"\n}\n'
    )
    result = run(tmp_path)
    assert result.exit_code == 3, result.output
    assert "main.tf: too large to parse (1 MiB in one block" in result.output


def test_a_yaml_template_larger_than_cloudformation_takes_is_refused(tmp_path: Path) -> None:
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "Resources:"]
    lines += [f"  B{i}:\n    Type: AWS::S3::Bucket" for i in range(100_000)]  # 3 MiB
    (tmp_path / "stack.yaml").write_text("\n".join(lines) + "\n")
    result = run(tmp_path / "stack.yaml")
    assert result.exit_code == 3, result.output
    assert "stack.yaml: a YAML template of 3 MiB, larger than the 2 MiB keyless parses" in (
        result.output
    )


def _buckets(count: int) -> dict[str, object]:
    return {f"B{i}": {"Type": "AWS::S3::Bucket"} for i in range(count)}


def test_a_json_template_larger_than_cloudformation_takes_is_refused(tmp_path: Path) -> None:
    # 35 MB of JSON template took 7.7 s and 400 MB; CloudFormation accepts 1 MB.
    template = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": _buckets(60_000)}
    (tmp_path / "stack.json").write_text(json.dumps(template, indent=1))
    result = run(tmp_path / "stack.json")
    assert result.exit_code == 3, result.output
    assert "stack.json: a JSON template of 3 MiB, larger than the 2 MiB keyless parses" in (
        result.output
    )


OPEN_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
}


def test_a_large_terraform_plan_is_still_read(tmp_path: Path) -> None:
    role = {
        "address": "aws_iam_role.r",
        "mode": "managed",
        "type": "aws_iam_role",
        "name": "r",
        "values": {"name": "r", "assume_role_policy": json.dumps(OPEN_TRUST)},
    }
    buckets = [
        {"address": f"aws_s3_bucket.b{i}", "mode": "managed", "type": "aws_s3_bucket",
         "name": f"b{i}", "values": {"bucket": f"bucket-{i}"}}
        for i in range(40_000)
    ]  # fmt: skip
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.9.5",
        "planned_values": {"root_module": {"resources": [role, *buckets]}},
    }
    (tmp_path / "plan.json").write_text(json.dumps(plan, indent=1))
    assert (tmp_path / "plan.json").stat().st_size > 4 << 20
    result = CliRunner().invoke(
        cli, ["iac", "--format", "json", str(tmp_path / "plan.json")], catch_exceptions=False
    )
    assert result.exit_code in (0, 1), result.output
    assert "larger than" not in result.output
    assert '"aws_iam_role.r"' in result.output
