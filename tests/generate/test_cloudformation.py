"""CloudFormation output: cfn-lint finds no error, and the IAM templates deploy to moto's
CloudFormation, after which keyless's own scan finds nothing above info on the roles."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from cfnlint.api import lint_file
from moto import mock_aws
from moto.iam.models import iam_backends

from keyless.collect.live.account import collect_account
from keyless.engine.run import run_checks
from keyless.findings import Severity
from keyless.model import Inventory
from tests.generate.conftest import edited, run

ACCOUNT = "210987654321"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
ALLOW_READ = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}],
    }
)


def generate(plan: Path, out: Path, ca_cert: Path, *extra: str) -> Path:
    result = run("generate", str(plan), "--format", "cloudformation", "--out", str(out),
                 "--ca-cert", str(ca_cert), *extra)  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    return out


def test_cfn_lint_finds_no_error(export_plan: Path, ca_cert: Path, tmp_path: Path) -> None:
    out = generate(export_plan, tmp_path / "cfn", ca_cert, "--boundary")
    templates = sorted(out.glob("*.yaml"))
    assert len(templates) >= 7
    errors = [
        f"{path.name}: {match}"
        for path in templates
        for match in lint_file(path)
        if match.rule.id.startswith("E")
    ]
    assert errors == []


def test_identity_store_users_are_created_in_cloudformation(
    export_plan: Path, ca_cert: Path, tmp_path: Path
) -> None:
    out = generate(export_plan, tmp_path / "cfn", ca_cert)
    text = (out / "identity-center.yaml").read_text()
    assert "AWS::IdentityStore::User" in text


def test_external_identity_source_takes_user_ids_as_parameters(
    export_plan: Path, ca_cert: Path, tmp_path: Path
) -> None:
    out = generate(export_plan, tmp_path / "cfn", ca_cert, "--identity-source", "external")
    text = (out / "identity-center.yaml").read_text()
    assert "AWS::IdentityStore::User" not in text
    assert "The Identity Store user ID of maria.garcia@example.com" in text


@pytest.fixture
def moto_account(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", ACCOUNT)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        yield boto3.Session(region_name="us-east-1")


def test_deployed_templates_leave_no_trust_finding_above_info(
    export_plan: Path, ca_cert: Path, tmp_path: Path, moto_account: Any
) -> None:
    # moto's CloudFormation has no AWS::IAM::OIDCProvider: the provider exists already
    # (made over IAM's API), so the plan names it and the template references it.
    def existing_provider(document: dict[str, Any]) -> None:
        for role in document["oidc_roles"]:
            role["provider"]["arn"] = PROVIDER

    plan = edited(export_plan, tmp_path / "plan.json", existing_provider)
    out = generate(plan, tmp_path / "cfn", ca_cert)
    iam = moto_account.client("iam")
    iam.create_open_id_connect_provider(
        Url="https://token.actions.githubusercontent.com", ClientIDList=["sts.amazonaws.com"]
    )
    for name in ("deploy-app", "backup-writer"):
        iam.create_policy(PolicyName=name, PolicyDocument=ALLOW_READ)
    cloudformation = moto_account.client("cloudformation")
    deployed = ["oidc-acme-prod.yaml", "workload-roles-acme-prod.yaml", "keyless-read-only.yaml"]
    for index, name in enumerate(deployed):
        cloudformation.create_stack(
            StackName=f"keyless-{index}", TemplateBody=(out / name).read_text()
        )
    # moto's CloudFormation stores a role's inline policies as parsed JSON where its IAM
    # API stores text, and then cannot serialise them: store them as IAM's API would.
    for role in iam_backends[ACCOUNT]["global"].roles.values():
        role.policies = {
            name: document if isinstance(document, str) else json.dumps(document)
            for name, document in role.policies.items()
        }
    roles = {r["RoleName"] for r in iam.list_roles()["Roles"]}
    assert {"ci-deploy-github", "lambda-reporter-lambda", "keyless-read-only"} <= roles
    account = collect_account(moto_account)
    result = run_checks(Inventory(accounts=(account,), origin="live"))
    trust = [f for f in result.findings if f.check.startswith("trust-")]
    assert [f for f in trust if f.severity is not Severity.INFO] == []


def test_demo_organization_templates_lint_clean(demo_plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "cfn"
    result = run("generate", str(demo_plan), "--format", "cloudformation", "--out", str(out))
    assert result.exit_code == 1, result.output
    templates = sorted(out.glob("*.yaml"))
    assert "identity-center.yaml" in {p.name for p in templates}
    assert [m for p in templates for m in lint_file(p) if m.rule.id.startswith("E")] == []
