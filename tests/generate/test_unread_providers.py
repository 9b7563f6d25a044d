"""`keyless generate` from a plan that did not read the account's OIDC providers: the
README says to check for an existing provider and how to reuse it (IAM holds one per URL),
in the code's own terms: a Terraform import block, or the ARN in CloudFormation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.generate.conftest import edited, run

ISSUER = "token.actions.githubusercontent.com"


def readme(plan: Path, out: Path, output_format: str, ca_cert: Path) -> str:
    result = run("generate", str(plan), "--format", output_format, "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    return (out / "README.md").read_text()


@pytest.mark.parametrize(
    ("output_format", "how"),
    [
        ("terraform", "aws_iam_openid_connect_provider."),
        ("cloudformation", "Provider"),
    ],
)
def test_unread_providers_get_a_step(
    export_plan: Path, tmp_path: Path, ca_cert: Path, output_format: str, how: str
) -> None:
    account = next(r["account"] for r in json.loads(export_plan.read_text())["oidc_roles"])
    text = readme(export_plan, tmp_path / "out", output_format, ca_cert)
    assert "did not read these accounts' OIDC providers" in text
    step = text.split("did not read these accounts' OIDC providers")[1].split("\n\n")[0]
    assert "aws iam list\\-open\\-id\\-connect\\-providers" in step or (
        "list-open-id-connect-providers" in step
    )
    assert f"arn:aws:iam::{account}:oidc\\-provider/{ISSUER}".replace("\\", "") in step.replace(
        "\\", ""
    )
    assert how in step.replace("\\", "")


def test_read_providers_need_no_step(export_plan: Path, tmp_path: Path, ca_cert: Path) -> None:
    def read(document: dict) -> None:
        for role in document["oidc_roles"]:
            role["provider"]["providers_read"] = True

    plan = edited(export_plan, tmp_path / "plan.json", read)
    text = readme(plan, tmp_path / "out", "terraform", ca_cert)
    assert "did not read" not in text
