"""PEM certificates given to ``simulate --certificate`` and ``generate --ca-cert``: one
certificate in ASCII, or exit 2 with the reason. A byte-order mark, a NUL, a second
certificate (a bundle, of which only the first would be read) or a private key beside it
is refused, never silently half-read."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples" / "roles-anywhere"
CERT = (EXAMPLES / "cert.pem").read_bytes()
CA = (EXAMPLES / "ca.pem").read_bytes()
ANCHOR = "arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/" + "0" * 8 + "-0000" * 3
ANCHOR += "-" + "0" * 12
KEY = b"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n"

BAD = [
    (b"\xef\xbb\xbf" + CERT, "byte-order mark"),
    (CERT.replace(b"\n", b"\n\x00", 1), "NUL byte"),
    (CERT + CA, "2 PEM blocks"),
    (CERT + KEY, "2 PEM blocks"),
    (b"caf\xc3\xa9\n" + CERT, "not ASCII"),
]


def simulate(certificate: Path) -> Result:
    return CliRunner().invoke(
        cli,
        [
            "simulate",
            "--trust-policy",
            str(EXAMPLES / "trust-policy.json"),
            "--certificate",
            str(certificate),
            "--trust-anchor",
            ANCHOR,
        ],
    )


def test_one_certificate_is_simulated(tmp_path: Path) -> None:
    path = tmp_path / "cert.pem"
    path.write_bytes(b"explanatory text before the block is allowed (RFC 7468)\n" + CERT)
    result = simulate(path)
    assert result.exit_code in (0, 1), result.output


@pytest.mark.parametrize(("data", "phrase"), BAD, ids=[p for _, p in BAD])
def test_simulate_refuses_a_certificate_file_that_is_not_one_certificate(
    tmp_path: Path, data: bytes, phrase: str
) -> None:
    path = tmp_path / "cert.pem"
    path.write_bytes(data)
    result = simulate(path)
    assert result.exit_code == 2, result.output
    assert phrase in result.stderr
    assert "cert.pem" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("data", "phrase"), BAD, ids=[p for _, p in BAD])
def test_generate_refuses_a_ca_file_that_is_not_one_certificate(
    tmp_path: Path, data: bytes, phrase: str
) -> None:
    path = tmp_path / "ca.pem"
    path.write_bytes(data.replace(CERT, CA) if data != CERT + CA else CA + CA)
    # The plan must exist (PLAN is checked as it is parsed); the CA file is refused
    # before the plan is read.
    (tmp_path / "plan.json").write_text("{}")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        ["generate", str(tmp_path / "plan.json"), "--format", "scp", "--out", str(out),
         "--ca-cert", str(path)],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert phrase in result.stderr
    assert "--ca-cert" in result.stderr
    assert not out.exists()
