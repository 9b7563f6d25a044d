"""A reused IAM OIDC provider that does not list the role's audience: STS refuses a token
whose ``aud`` is not one of the provider's client IDs
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html),
and IAM holds one provider per URL, so the plan reuses it and says the audience must be
added (https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddClientIDToOpenIDConnectProvider.html);
``plan --check`` and ``generate`` say the same."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.generate.conftest import EXPORT_LINKS, run
from tests.plan.conftest import EXPORT

ACCOUNT = "210987654321"
GITHUB = "https://token.actions.githubusercontent.com"


@pytest.fixture
def iam(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", ACCOUNT)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        yield boto3.client("iam", region_name="us-east-1")


def export_with_provider(iam: Any, folder: Path, client_ids: list[str]) -> Path:
    """The export fixture with ``oidc-providers.json`` as docs/export-format.md makes it:
    ``get-open-id-connect-provider``'s output with the ``Arn`` added."""
    export = folder / "export"
    shutil.copytree(EXPORT, export)
    arn = iam.create_open_id_connect_provider(Url=GITHUB, ClientIDList=client_ids)[
        "OpenIDConnectProviderArn"
    ]
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    got.pop("ResponseMetadata")
    got.pop("CreateDate")
    (export / "oidc-providers.json").write_text(json.dumps([{**got, "Arn": arn}]))
    return export


def plan(export: Path, out: Path) -> tuple[int, str, dict[str, Any]]:
    result = run(
        "plan", "--input", str(export), "--now", "2025-06-01T12:00:00Z", *EXPORT_LINKS,
        "--out", str(out),
    )  # fmt: skip
    return result.exit_code, result.output, json.loads(out.read_text())


def test_a_provider_without_the_audience_is_reused_and_the_audience_added(
    iam: Any, tmp_path: Path, ca_cert: Path
) -> None:
    export = export_with_provider(iam, tmp_path, ["api://someone-else"])
    code, output, document = plan(export, tmp_path / "plan.json")
    role = next(r for r in document["oidc_roles"] if r["platform"] == "github")
    arn = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    assert role["provider"]["arn"] == arn
    assert role["provider"]["client_ids"] == ["api://someone-else"]
    assert code == 1
    assert "does not list the audience sts.amazonaws.com" in output
    (user,) = [u for u in document["users"] if u["arn"] == role["user"]]
    command = (
        f"aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn "
        f"{arn} --client-id sts.amazonaws.com"
    )
    assert any(command in w for w in user["would_decide"])

    checked = run("plan", "--check", str(tmp_path / "plan.json"), "--input", str(export))
    assert checked.exit_code == 1, checked.output
    assert f"open: role {role['name']}: the existing provider {arn} does not list" in (
        checked.output
    )

    for output_format in ("terraform", "cloudformation"):
        out = tmp_path / output_format
        result = run("generate", str(tmp_path / "plan.json"), "--format", output_format,
                     "--out", str(out), "--ca-cert", str(ca_cert))  # fmt: skip
        assert result.exit_code in (0, 1), result.output
        readme = (out / "README.md").read_text()
        assert "Before the OIDC roles, the existing providers they reuse" in readme
        assert "sts.amazonaws.com" in readme.split("Before the OIDC roles")[1].split("\n2")[0]
        code_files = "".join(p.read_text() for p in out.iterdir() if p.suffix in {".tf", ".yaml"})
        assert "aws_iam_openid_connect_provider" not in code_files
        assert "AWS::IAM::OIDCProvider" not in code_files


def test_a_provider_with_the_audience_needs_nothing(
    iam: Any, tmp_path: Path, ca_cert: Path
) -> None:
    export = export_with_provider(iam, tmp_path, ["sts.amazonaws.com"])
    _, output, document = plan(export, tmp_path / "plan.json")
    assert "does not list the audience" not in output
    role = next(r for r in document["oidc_roles"] if r["platform"] == "github")
    assert role["provider"]["client_ids"] == ["sts.amazonaws.com"]
    out = tmp_path / "tf"
    result = run("generate", str(tmp_path / "plan.json"), "--format", "terraform",
                 "--out", str(out), "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    assert "Before the OIDC roles" not in (out / "README.md").read_text()
    checked = run("plan", "--check", str(tmp_path / "plan.json"), "--input", str(export))
    assert "does not list" not in checked.output
