"""Identity provider ARNs had no grammar: an export's ``oidc-providers.json`` or
``saml-providers.json`` (and a live answer, which reads them the same way) could name a
provider ``…:oidc-provider/token.actions.githubusercontent.com\\u202e``, a line break, an
empty account or another service, and the value reached trust findings, plans and
generated Terraform. IAM's grammar is now held, in every partition (``aws``, ``aws-cn``,
``aws-us-gov``, ``aws-iso``, ``aws-iso-b``, ``aws-iso-e``, ``aws-iso-f``, ``aws-eusc``):
``arn:PARTITION:iam::ACCOUNT:oidc-provider/HOST[/PATH]`` and
``arn:PARTITION:iam::ACCOUNT:saml-provider/NAME``; an OIDC ``Url`` other than the issuer its
ARN names is refused too (exit 2). A snapshot is held to the same grammar for every value
that is an ARN (keyless 0.1's test snapshots hold bare placeholders, which name nothing)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from keyless.cli import cli
from keyless.collect.formats.names import OIDC_PROVIDER_ARN, SAML_PROVIDER_ARN
from keyless.collect.formats.providers import oidc_provider, saml_provider

from .snapshots import ACCOUNT, collected_account

PARTITIONS = [
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
]
ISSUERS = [
    "token.actions.githubusercontent.com",
    "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
    "api.bitbucket.org/2.0/workspaces/example-ws/pipelines-config/identity/oidc",
    "acme.eu.auth0.com/",
    "gitlab.example.com:8443",
    "gitlab.com/" + "b" * 236,  # 255 characters with https://
]
HOSTILE_OIDC = [
    "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com\u202e",
    "arn:aws:iam::123456789012:oidc-provider/gitlab.com\n[high] forged",
    "arn:aws:iam::123456789012:oidc-provider/gitlab.com/\u001b[2J",
    "arn:aws:iam::123456789012:oidc-provider/",
    "arn:aws:iam::123456789012:oidc-provider/https://gitlab.com",
    "arn:aws:iam:::oidc-provider/gitlab.com",
    "arn:aws:iam::1234:oidc-provider/gitlab.com",
    "arn:aws:sts::123456789012:oidc-provider/gitlab.com",
    "arn:aws:iam:us-east-1:123456789012:oidc-provider/gitlab.com",
    "arn:AWS:iam::123456789012:oidc-provider/gitlab.com",
    "arn:aws:iam::123456789012:saml-provider/okta",
    "arn:aws:iam::123456789012:oidc-provider/" + "a" * 256,
    # the URL, https:// included, is 255 characters at most
    "arn:aws:iam::123456789012:oidc-provider/gitlab.com/" + "b" * 237,
    "gitlab.com",
]
HOSTILE_SAML = [
    "arn:aws:iam::123456789012:saml-provider/okta\u202e",
    "arn:aws:iam::123456789012:saml-provider/ok ta",
    "arn:aws:iam::123456789012:saml-provider/a/b",
    "arn:aws:iam::123456789012:saml-provider/",
    "arn:aws:iam::123456789012:saml-provider/" + "a" * 129,
    "arn:aws:iam::123456789012:oidc-provider/okta",
    "arn:aws:iam:::saml-provider/okta",
]


@pytest.mark.parametrize("partition", PARTITIONS)
@pytest.mark.parametrize("issuer", ISSUERS)
def test_every_partition_and_issuer_shape_is_read(partition: str, issuer: str) -> None:
    arn = f"arn:{partition}:iam::123456789012:oidc-provider/{issuer}"
    assert oidc_provider({"Arn": arn, "Url": issuer}).url == f"https://{issuer}"
    saml = f"arn:{partition}:iam::123456789012:saml-provider/AWSSSO_0123_DO-NOT.DELETE"
    assert saml_provider({"Arn": saml}).name == "AWSSSO_0123_DO-NOT.DELETE"


@pytest.mark.parametrize("arn", HOSTILE_OIDC)
def test_an_oidc_provider_arn_outside_iams_grammar_is_refused(arn: str) -> None:
    with pytest.raises(ValueError, match=r"OidcProviderArn .* is not one IAM allows"):
        oidc_provider({"Arn": arn})


@pytest.mark.parametrize("arn", HOSTILE_SAML)
def test_a_saml_provider_arn_outside_iams_grammar_is_refused(arn: str) -> None:
    with pytest.raises(ValueError, match=r"SamlProviderArn .* is not one IAM allows"):
        saml_provider({"Arn": arn})


def test_a_url_other_than_the_issuer_the_arn_names_is_refused() -> None:
    arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    with pytest.raises(ValueError, match="is not the issuer the Arn names"):
        oidc_provider({"Arn": arn, "Url": "attacker.example"})


@given(st.text(max_size=40))
def test_an_issuer_is_either_iams_or_refused(issuer: str) -> None:
    arn = f"arn:aws:iam::123456789012:oidc-provider/{issuer}"
    if OIDC_PROVIDER_ARN.fullmatch(arn) is None:
        with pytest.raises(ValueError, match="OidcProviderArn"):
            oidc_provider({"Arn": arn})
    else:
        assert oidc_provider({"Arn": arn}).url.isascii()
        assert oidc_provider({"Arn": arn}).url.isprintable()


@given(st.text(max_size=40))
def test_a_saml_name_is_either_iams_or_refused(name: str) -> None:
    arn = f"arn:aws:iam::123456789012:saml-provider/{name}"
    if SAML_PROVIDER_ARN.fullmatch(arn) is None:
        with pytest.raises(ValueError, match="SamlProviderArn"):
            saml_provider({"Arn": arn})
    else:
        assert saml_provider({"Arn": arn}).name == name


def _export(tmp_path: Path, name: str, arn: str) -> Path:
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    path = export / name
    document: Any = json.loads(path.read_text())
    entries = document["SAMLProviderList"] if isinstance(document, dict) else document
    entries[0]["Arn"] = arn
    path.write_text(json.dumps(document))
    return export


@pytest.mark.parametrize(
    ("name", "arn", "pointer"),
    [
        ("oidc-providers.json", HOSTILE_OIDC[0], "#/0: "),
        ("oidc-providers.json", HOSTILE_OIDC[1], "#/0: "),
        ("saml-providers.json", HOSTILE_SAML[0], "#/SAMLProviderList/0: "),
    ],
)
def test_an_export_naming_such_a_provider_is_refused(
    tmp_path: Path, name: str, arn: str, pointer: str
) -> None:
    result = CliRunner().invoke(cli, ["scan", "--input", str(_export(tmp_path, name, arn))])
    assert result.exit_code == 2, result.output
    assert f"{name}{pointer}" in result.output
    assert "is not one IAM allows" in result.output
    assert "\u202e" not in result.output
    assert "\n[high]" not in result.output
    assert "Traceback" not in result.output


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return collected_account(tmp_path_factory.mktemp("snapshot"))


@pytest.mark.parametrize(
    ("kind", "field", "value", "message"),
    [
        ("oidc_providers", "arn", HOSTILE_OIDC[0], "is not one IAM allows"),
        ("oidc_providers", "url", "https://attacker.example", "is not the issuer the ARN names"),
        ("saml_providers", "arn", HOSTILE_SAML[0], "is not one IAM allows"),
        ("saml_providers", "name", "okta\u202e", "is not the name the ARN ends in"),
    ],
)
def test_a_snapshot_naming_such_a_provider_is_refused(
    snapshot: dict[str, Any], tmp_path: Path, kind: str, field: str, value: str, message: str
) -> None:
    document = json.loads(json.dumps(snapshot))
    document["accounts"][0][kind][0][field] = value
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(document))
    result = CliRunner().invoke(cli, ["scan", "--snapshot", str(path)])
    assert result.exit_code == 2, result.output
    assert f"snap.json#/accounts/0/{kind}/0/{field}: malformed snapshot: " in result.output
    assert message in result.output
    assert "\u202e" not in result.output


def test_the_snapshot_as_collected_is_read(snapshot: dict[str, Any], tmp_path: Path) -> None:
    assert snapshot["accounts"][0]["oidc_providers"]
    assert snapshot["accounts"][0]["saml_providers"]
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(snapshot))
    result = CliRunner().invoke(cli, ["scan", "--snapshot", str(path)])
    assert result.exit_code in (0, 1), result.output
