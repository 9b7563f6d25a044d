"""A corpus of trust policies in the shapes public repositories render (Terraform
aws_iam_policy_document, CloudFormation, CDK; written for keyless, not copied): each gets
exactly the findings EXPECTED.toml lists, and every witness replays to ALLOW through
`keyless simulate` with no context key its mechanism would not supply (issue #18)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.idp.context_keys import Mechanism, unsupplied
from keyless.idp.grammars import grammar_for
from keyless.idp.providers import provider_for
from tests.idp.certs import make_certificate

CORPUS = Path(__file__).parent / "corpus"
EXPECTED = tomllib.loads((CORPUS / "EXPECTED.toml").read_text())
ACCOUNT = "111122223333"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stdout


def test_every_policy_has_an_expectation() -> None:
    assert sorted(path.stem for path in CORPUS.glob("*.json")) == sorted(EXPECTED)


def assessed(name: str) -> dict[str, Any]:
    code, out = run(
        "trust",
        str(CORPUS / f"{name}.json"),
        "--format",
        "json",
        "--fail-on",
        "info",
        "--role-arn",
        f"arn:aws:iam::{ACCOUNT}:role/{name}",
    )
    document: dict[str, Any] = json.loads(out)
    assert code == (1 if document["findings"] else 0)
    return document


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_findings_are_the_expected_ones(name: str) -> None:
    found = sorted({(f["check"], f["severity"]) for f in assessed(name)["findings"]})
    assert found == sorted(tuple(pair) for pair in EXPECTED[name]["findings"]), EXPECTED[name][
        "why"
    ]


def simulate_args(witness: dict[str, Any], tmp_path: Path) -> list[str]:
    """The `keyless simulate` options that present the witness's caller, and only those:
    context goes through --context only for keys the mechanism really supplies."""
    if "claims" in witness:
        claims = tmp_path / "claims.json"
        claims.write_text(json.dumps(witness["claims"]))
        assert "context" not in witness, f"claims witness injects context: {witness}"
        issuer = witness["claims"]["iss"].removeprefix("https://")
        grammar = grammar_for(provider_for(issuer).name)
        if grammar is not None:
            sub = witness["claims"]["sub"]
            assert sub in grammar.well_formed_language(), f"{grammar.provider} mints no {sub}"
        return ["--web-identity", str(claims)]
    if "principal" in witness:
        args = ["--principal", witness["principal"]]
        for key, value in witness.get("context", {}).items():
            lowered = key.lower()
            assert unsupplied(key, Mechanism.AWS) is None, key
            if lowered == "sts:externalid":
                args += ["--external-id", value]
            elif lowered == "aws:multifactorauthpresent":
                args += ["--mfa"] if value == "true" else []
            elif lowered == "aws:principalorgid":
                args += ["--org-id", value]
            elif lowered in ("aws:principalarn", "aws:principalaccount", "aws:principaltype"):
                continue  # follow from --principal
            else:
                args += ["--context", f"{key}={value}"]
        return args
    if "service" in witness:
        args = ["--service", witness["service"]]
        for key, value in witness.get("context", {}).items():
            assert unsupplied(key, Mechanism.SERVICE) is None, key
            args += ["--context", f"{key}={value}"]
        return args
    if "saml" in witness:
        attributes = tmp_path / "saml.json"
        attributes.write_text(json.dumps(witness["saml"]))
        assert "context" not in witness
        return ["--saml", str(attributes)]
    if "certificate" in witness:
        return ["--certificate", str(certificate(witness["certificate"], tmp_path))]
    pytest.fail(f"no simulate form for {sorted(witness)}")


def certificate(fields: dict[str, Any], tmp_path: Path) -> Path:
    """A PEM certificate with the witness's subject, issuer and SANs (a fresh CA's)."""
    san = fields.get("san", {})
    issuer = tuple(fields.get("issuer", {}).items()) or (("CN", "Example CA"),)
    pem = make_certificate(
        subject=tuple(fields.get("subject", {}).items()),
        issuer=issuer,
        dns=tuple(v for k, v in san.items() if k.upper() == "DNS"),
        uri=next((v for k, v in san.items() if k.upper() == "URI"), None),
        directory=(),
    )
    path = tmp_path / "certificate.pem"
    path.write_text(pem)
    return path


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_witness_replays_through_simulate(name: str, tmp_path: Path) -> None:
    for finding in assessed(name)["findings"]:
        witness = finding["witness"]
        if witness is None:
            continue
        code, out = run(
            "simulate",
            "--trust-policy",
            str(CORPUS / f"{name}.json"),
            "--role-arn",
            f"arn:aws:iam::{ACCOUNT}:role/{name}",
            *simulate_args(witness, tmp_path),
            *(["--trust-anchor", witness["trust_anchor"]] if "trust_anchor" in witness else []),
        )
        assert code == 0, (finding["check"], witness, out)
        assert out.startswith("ALLOW")
