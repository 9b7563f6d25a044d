"""Hostile CloudFormation references to ``keyless iac``: a role named after its own ARN,
resources named after each other, chains longer than the evaluator follows. Each is
reported not judged (exit code 3), never a RecursionError."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli

TRUST = "{Statement: [{Effect: Allow, Principal: {AWS: !GetAtt R0.Arn}, Action: 'sts:AssumeRole'}]}"


def run(path: Path) -> Result:
    return CliRunner().invoke(cli, ["iac", str(path)], catch_exceptions=False)


def _template(tmp_path: Path, names: list[str]) -> Path:
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "Resources:"]
    for index, name in enumerate(names):
        lines += [
            f"  R{index}:",
            "    Type: AWS::IAM::Role",
            "    Properties:",
            f"      RoleName: {name}",
            f"      AssumeRolePolicyDocument: {TRUST}",
        ]
    template = tmp_path / "stack.yaml"
    template.write_text("\n".join(lines) + "\n")
    return template


@pytest.mark.parametrize(
    "names",
    [
        pytest.param(["!Sub '${R0.Arn}-x'"], id="own-arn"),
        pytest.param(["!Ref R0"], id="own-ref"),
        pytest.param(["!Sub '${R1.Arn}'", "!Ref R0"], id="each-other"),
        pytest.param(["!Join ['', [!GetAtt R0.Arn]]"], id="own-arn-joined"),
    ],
)
def test_a_name_that_refers_to_itself_is_not_judged(tmp_path: Path, names: list[str]) -> None:
    result = run(_template(tmp_path, names))
    assert result.exit_code == 3, result.output
    assert "refers to itself" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("function", ["!Sub '${R%d.Arn}x'", "!Ref R%d"])
def test_a_long_chain_of_names_is_not_judged(tmp_path: Path, function: str) -> None:
    names = [function % (index + 1) for index in range(399)] + ["last"]
    result = run(_template(tmp_path, names))
    assert result.exit_code == 3, result.output
    assert "R0: trust policy not judged" in result.output
