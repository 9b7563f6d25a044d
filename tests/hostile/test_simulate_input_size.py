"""``keyless simulate``'s caller files (``--web-identity`` claims, ``--web-identity-token``,
``--jwks``, ``--saml`` attributes) were read up to 1 GiB, standard input too:
``--web-identity - < /dev/zero`` held a gigabyte of memory before refusing it. STS takes a
token of at most 20,000 characters and a SAML assertion of 100,000; each file is now read
up to 1 MiB, and more is refused saying so (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

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
TOO_BIG = b" " * ((1 << 20) + 1)


@pytest.mark.parametrize(
    ("option", "what"),
    [
        ("--web-identity", "the claims file"),
        ("--web-identity-token", "the token"),
        ("--saml", "the SAML attributes file"),
    ],
)
@pytest.mark.parametrize("from_stdin", [False, True], ids=["file", "stdin"])
def test_a_caller_file_over_a_mebibyte_is_refused(
    tmp_path: Path, option: str, what: str, from_stdin: bool
) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(POLICY))
    big = tmp_path / "big"
    big.write_bytes(TOO_BIG)

    result = CliRunner().invoke(
        cli,
        ["simulate", "--trust-policy", str(policy), option, "-" if from_stdin else str(big)],
        input=TOO_BIG if from_stdin else None,
    )

    assert result.exit_code == 2, result.output
    assert f"{what} is " in result.stderr
    assert "larger than the 1 MiB keyless reads" in result.stderr


def test_a_jwks_over_a_mebibyte_is_refused(tmp_path: Path) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(POLICY))
    token = tmp_path / "token.jwt"
    token.write_text("a.b.c")
    jwks = tmp_path / "jwks.json"
    jwks.write_bytes(b'{"keys": []' + TOO_BIG + b"}")

    result = CliRunner().invoke(
        cli,
        [
            "simulate", "--trust-policy", str(policy),
            "--web-identity-token", str(token), "--jwks", str(jwks),
        ],
    )  # fmt: skip

    assert result.exit_code == 2, result.output
    assert f"{jwks}: the JWKS is 1 MiB, larger than the 1 MiB keyless reads" in result.stderr
