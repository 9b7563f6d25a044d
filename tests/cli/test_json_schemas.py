"""Every versioned JSON document keyless prints validates against its published schema
in docs/schemas/ (the schema files are part of the contract with users' scripts)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from keyless.cli import cli

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "docs" / "schemas"
GITHUB = ROOT / "docs" / "examples" / "github"


def schema(name: str) -> dict:
    document = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(document)
    return document


def output(*args: str) -> dict:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    "claims", ["claims-main.json", "claims-pull-request.json", "claims-other-org.json"]
)
def test_simulate_documents(claims: str) -> None:
    document = output(
        "simulate",
        "--trust-policy",
        str(GITHUB / "trust-policy.json"),
        "--web-identity",
        str(GITHUB / claims),
        "--format",
        "json",
    )
    jsonschema.validate(document, schema("simulate-v1"))
    expected = "allow" if claims == "claims-main.json" else "deny"
    assert document["decision"] == expected


@pytest.mark.parametrize("policy", ["trust-policy.json", "trust-policy-org-wide.json"])
def test_trust_documents(policy: str) -> None:
    document = output("trust", str(GITHUB / policy), "--format", "json")
    jsonschema.validate(document, schema("trust-v1"))
    assert document["paths"]
    assert (document["max_severity"] == "none") == (policy == "trust-policy.json")


def test_a_document_of_another_version_is_rejected() -> None:
    document = output("trust", str(GITHUB / "trust-policy.json"), "--format", "json")
    document["schema"] = "keyless/trust/v2"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema("trust-v1"))
