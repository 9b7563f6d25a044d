"""IAM keeps one OIDC or SAML provider per ARN, and its listings name each once. An export
(``oidc-providers.json``, ``saml-providers.json``) or a snapshot listing one twice, with
other client IDs the second time, was read whole: the audience checks took the first
copy's client IDs (``trust-oidc-missing-audience`` judged the provider the file also said
accepts another audience). Such a file is refused (exit 2), naming the provider."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli

ACCOUNT = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "account"
OIDC = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
SAML = "arn:aws:iam::123456789012:saml-provider/okta"


def _oidc_twice(export: Path) -> None:
    path = export / "oidc-providers.json"
    providers = json.loads(path.read_text())
    providers.append({**providers[0], "ClientIDList": ["https://attacker.example"]})
    path.write_text(json.dumps(providers))


def _saml_twice(export: Path) -> None:
    path = export / "saml-providers.json"
    listing = json.loads(path.read_text())
    listing["SAMLProviderList"].append(dict(listing["SAMLProviderList"][0]))
    path.write_text(json.dumps(listing))


@pytest.mark.parametrize(
    ("edit", "file", "phrase"),
    [
        (_oidc_twice, "oidc-providers.json", f"the OIDC provider {OIDC!r} is listed twice"),
        (_saml_twice, "saml-providers.json", f"the SAML provider {SAML!r} is listed twice"),
    ],
)
def test_an_export_listing_a_provider_twice_is_refused(
    tmp_path: Path, edit: Any, file: str, phrase: str
) -> None:
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    edit(export)
    result = CliRunner().invoke(cli, ["scan", "--input", str(export)])
    assert result.exit_code == 2, result.output
    assert f"{file}: {phrase}: AWS lists each once" in result.output


@pytest.mark.parametrize(("kind", "arn"), [("oidc_providers", OIDC), ("saml_providers", SAML)])
def test_a_snapshot_listing_a_provider_twice_is_refused(
    tmp_path: Path, kind: str, arn: str
) -> None:
    shutil.copytree(ACCOUNT, tmp_path / "export")
    path = tmp_path / "snapshot.json"
    collected = CliRunner().invoke(
        cli, ["collect", "--input", str(tmp_path / "export"), "--out", str(path)]
    )
    assert collected.exit_code == 0, collected.output
    document = json.loads(path.read_text())
    providers = document["accounts"][0][kind]
    providers.append(dict(providers[0]))
    path.write_text(json.dumps(document))
    result = CliRunner().invoke(cli, ["scan", "--snapshot", str(path)])
    assert result.exit_code == 2, result.output
    assert f"snapshot.json#/accounts/0/{kind}/1: malformed snapshot:" in result.output
    assert f"{arn!r} is listed twice" in result.output
