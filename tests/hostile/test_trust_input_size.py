"""``keyless trust -`` and ``keyless simulate --trust-policy -`` read a trust policy from
standard input, and read it to its end: up to keyless's general 1 GiB, so `cat /dev/zero |
keyless trust -` held a gigabyte before saying anything. A trust policy file or standard
input is now read up to 1 MiB (IAM's largest trust policy is 4,096 characters): more is
refused with exit 2 and a sentence saying why, before the rest is read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.policy.wrapped import TRUST_FILE_BYTES

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
SIMULATE = ["--principal", "arn:aws:iam::111122223333:user/alice"]


def _padded(size: int) -> str:
    """The policy followed by white space (valid JSON): ``size`` bytes in all."""
    text = json.dumps(POLICY)
    return text + " " * (size - len(text))


@pytest.mark.parametrize(
    "command",
    [["trust", "-"], ["simulate", "--trust-policy", "-", *SIMULATE]],
    ids=["trust", "simulate"],
)
def test_standard_input_beyond_the_cap_is_refused(command: list[str]) -> None:
    result = CliRunner().invoke(cli, command, input=_padded(TRUST_FILE_BYTES + 1))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "the trust policy is larger than the 1 MiB keyless reads" in result.output
    assert "4,096 characters" in result.output  # the hint says why


def test_a_file_beyond_the_cap_is_refused(tmp_path: Path) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(_padded(TRUST_FILE_BYTES + 1))
    result = CliRunner().invoke(cli, ["trust", str(policy)])
    assert result.exit_code == 2, result.output
    assert "the trust policy is 1 MiB, larger than the 1 MiB keyless reads" in result.output


@pytest.mark.parametrize(
    "command",
    [["trust", "-"], ["simulate", "--trust-policy", "-", *SIMULATE]],
    ids=["trust", "simulate"],
)
def test_standard_input_at_the_cap_is_read(command: list[str]) -> None:
    result = CliRunner().invoke(cli, command, input=_padded(TRUST_FILE_BYTES))
    assert result.exit_code in (0, 1), result.output
    assert "larger than" not in result.output
