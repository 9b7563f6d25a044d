"""``keyless simulate --saml`` with a single-valued assertion key (``doc``, ``aud``,
``sub``…) given as a list of none or several values: ``"doc": []`` was an IndexError
traceback (its first value looked up), and ``"aud": ["a", "b"]`` became a multivalued key
AWS never presents. Refused (exit 2); a list of one is still its value."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli

PROVIDER = "arn:aws:iam::123456789012:saml-provider/idp"
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Federated": PROVIDER},
            "Action": "sts:AssumeRoleWithSAML",
            "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
        }
    ],
}
AUD = "https://signin.aws.amazon.com/saml"


def _simulate(tmp_path: Path, attributes: dict[str, Any]) -> Result:
    (tmp_path / "policy.json").write_text(json.dumps(POLICY))
    (tmp_path / "saml.json").write_text(json.dumps(attributes))
    return CliRunner().invoke(
        cli,
        ["simulate", "--trust-policy", str(tmp_path / "policy.json"),
         "--saml", str(tmp_path / "saml.json")],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("attributes", "name"),
    [
        ({"aud": AUD, "doc": []}, "doc"),
        ({"aud": AUD, "doc": [[]]}, "doc"),
        ({"aud": [AUD, "https://other.example"]}, "aud"),
        ({"aud": AUD, "saml:sub": []}, "saml:sub"),
    ],
    ids=["empty-doc", "nested-doc", "two-audiences", "empty-sub"],
)
def test_a_single_valued_key_as_a_list_is_refused(
    tmp_path: Path, attributes: dict[str, Any], name: str
) -> None:
    result = _simulate(tmp_path, attributes)

    assert result.exit_code == 2, result.output
    assert f"SAML attribute '{name}' has one value: give a string" in result.stderr


def test_a_list_of_one_is_its_value(tmp_path: Path) -> None:
    result = _simulate(tmp_path, {"aud": [AUD], "doc": ["123456789012/idp"]})

    assert result.exit_code == 0, result.output
