"""CircleCI and Bitbucket Pipelines roles end to end: planned from ``--link``, generated
as Terraform and CloudFormation with one provider per organization (workspace) whose
client ID is the vendor's audience, a trust policy that passes keyless's own trust
checks (``keyless trust`` on the files) and admits a job of the linked project while
denying another project's, and a README that says what to change in the pipelines."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import hcl2
import pytest
from cfnlint.api import lint_file
from moto import mock_aws
from moto.iam.models import iam_backends

from keyless.collect.live.account import collect_account
from keyless.engine.run import run_checks
from keyless.engine.trust import assess_trust
from keyless.findings import Severity
from keyless.generate.build import GenerateOptions, resources
from keyless.generate.model import OutputFormat, RoleSpec
from keyless.generate.prove import concrete
from keyless.idp.oidc import web_identity_request
from keyless.model import Inventory, Role
from keyless.policy.document import parse_trust_policy
from keyless.policy.evaluate import evaluate
from tests.generate.conftest import TERRAFORM, edited, run, terraform_fmt_diff
from tests.plan.conftest import EXPORT

ORG = "a0e1b2c3-0000-4000-8000-000000000001"
PROJECT = "b0e1b2c3-0000-4000-8000-000000000002"
WORKSPACE_UUID = "c0e1b2c3-0000-4000-8000-000000000003"
REPOSITORY = "d0e1b2c3-0000-4000-8000-000000000004"
ENVIRONMENT = "e0e1b2c3-0000-4000-8000-000000000005"
OTHER = "f0e1b2c3-0000-4000-8000-000000000006"
STEP = "{11111111-2222-4333-8444-555555555555}"
CIRCLECI_ISSUER = f"oidc.circleci.com/org/{ORG}"
BITBUCKET_ISSUER = "api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc"
BITBUCKET_AUDIENCE = f"ari:cloud:bitbucket::workspace/{WORKSPACE_UUID}"
PCA = (
    "arn:aws:acm-pca:eu-west-1:210987654321:certificate-authority/"
    "11111111-2222-3333-4444-555555555555"
)


@pytest.fixture(scope="module")
def tenant_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The export fixture with ci-deploy on CircleCI and ci-infra on a Bitbucket
    deployment environment."""
    folder = tmp_path_factory.mktemp("tenants")
    export = folder / "export"
    shutil.copytree(EXPORT, export)
    path = folder / "plan.json"
    result = run(
        "plan", "--input", str(export), "--now", "2025-06-01T12:00:00Z",
        "--link", f"ci-deploy=circleci:{ORG}/{PROJECT}",
        "--link", f"ci-infra=bitbucket:acme/{{{WORKSPACE_UUID}}}/{REPOSITORY}/{ENVIRONMENT}",
        "--link", "backup-nas=host:nas01.example.com",
        "--out", str(path),
    )  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    return path


@pytest.fixture(scope="module")
def generated(tenant_plan: Path) -> Any:
    options = GenerateOptions(OutputFormat.TERRAFORM, pca_arn=PCA)
    return resources(json.loads(tenant_plan.read_text()), options)[0]


def role(generated: Any, name: str) -> RoleSpec:
    return next(r for r in generated.roles if r.name == name)


def allows(spec: RoleSpec, issuer: str, sub: str, aud: str) -> bool:
    claims = {"iss": f"https://{issuer}", "sub": sub, "aud": aud}
    request = web_identity_request(claims, account=spec.account)
    return evaluate(parse_trust_policy(concrete(spec.trust)), request).allowed


def test_one_provider_per_organization_and_workspace_with_the_vendors_audience(
    generated: Any,
) -> None:
    providers = {p.issuer: p.audiences for p in generated.oidc_providers}
    assert providers == {CIRCLECI_ISSUER: (ORG,), BITBUCKET_ISSUER: (BITBUCKET_AUDIENCE,)}


def test_no_trust_finding_above_info_on_the_tenant_roles(generated: Any) -> None:
    for name in ("ci-deploy-circleci", "ci-infra-bitbucket"):
        spec = role(generated, name)
        model = Role(
            account_id=spec.account,
            name=spec.name,
            arn=f"arn:aws:iam::{spec.account}:role/{spec.name}",
            trust_policy=concrete(spec.trust),
        )
        findings = assess_trust(model).findings
        assert [f.check for f in findings if f.severity is not Severity.INFO] == [], name


@pytest.mark.parametrize(
    ("sub", "aud", "allowed"),
    [
        (f"org/{ORG}/project/{PROJECT}/user/{OTHER}", ORG, True),
        (f"org/{ORG}/project/{PROJECT}/user/{OTHER}/vcs-origin/github.com/a/vcs-ref/x", ORG, True),
        (f"org/{ORG}/project/{OTHER}/user/{OTHER}", ORG, False),
        (f"org/{ORG}/project/{PROJECT}-x/user/{OTHER}", ORG, False),
        (f"org/{ORG}/project/{PROJECT}/user/{OTHER}", OTHER, False),
    ],
)
def test_circleci_role_admits_the_project_only(
    generated: Any, sub: str, aud: str, allowed: bool
) -> None:
    spec = role(generated, "ci-deploy-circleci")
    assert allows(spec, CIRCLECI_ISSUER, sub, aud) is allowed


@pytest.mark.parametrize(
    ("sub", "aud", "allowed"),
    [
        (f"{{{REPOSITORY}}}:{{{ENVIRONMENT}}}:{STEP}", BITBUCKET_AUDIENCE, True),
        (f"{{{REPOSITORY}}}:{STEP}", BITBUCKET_AUDIENCE, False),
        (f"{{{REPOSITORY}}}:{{{OTHER}}}:{STEP}", BITBUCKET_AUDIENCE, False),
        (f"{{{OTHER}}}:{{{ENVIRONMENT}}}:{STEP}", BITBUCKET_AUDIENCE, False),
        (f"{{{REPOSITORY}}}:{{{ENVIRONMENT}}}:{STEP}", "sts.amazonaws.com", False),
    ],
)
def test_bitbucket_role_admits_the_deployment_environment_only(
    generated: Any, sub: str, aud: str, allowed: bool
) -> None:
    spec = role(generated, "ci-infra-bitbucket")
    assert allows(spec, BITBUCKET_ISSUER, sub, aud) is allowed


def test_the_tenant_roles_are_proved_with_their_vendors_probes(generated: Any) -> None:
    labels = [p.label for p in role(generated, "ci-infra-bitbucket").probes]
    assert any(label.startswith("another environment") for label in labels)
    assert any(label.startswith("a step outside the environment") for label in labels)
    labels = [p.label for p in role(generated, "ci-deploy-circleci").probes]
    assert any(label.startswith("another project") for label in labels)
    assert not generated.skipped


def generate(plan: Path, out: Path, output_format: str) -> Path:
    result = run("generate", str(plan), "--format", output_format, "--out", str(out),
                 "--pca-arn", PCA)  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


def test_keyless_trust_finds_nothing_on_the_generated_files(
    tenant_plan: Path, tmp_path: Path
) -> None:
    terraform = generate(tenant_plan, tmp_path / "tf", "terraform")
    cloudformation = generate(tenant_plan, tmp_path / "cfn", "cloudformation")
    for path in (terraform / "oidc.tf", cloudformation / "oidc-acme-prod.yaml"):
        result = run("trust", str(path), "--format", "json", "--fail-on", "low")
        assert result.exit_code == 0, result.output
        assert "ci-deploy-circleci" in result.output
        assert "ci-infra-bitbucket" in result.output


def test_terraform_parses_and_names_each_provider_once(tenant_plan: Path, tmp_path: Path) -> None:
    out = generate(tenant_plan, tmp_path / "tf", "terraform")
    parsed = hcl2.loads((out / "oidc.tf").read_text())
    # python-hcl2 keeps the quotes of labels and strings.
    urls = sorted(
        body["url"].strip('"')
        for resource in parsed["resource"]
        for kind, entries in resource.items()
        if kind.strip('"') == "aws_iam_openid_connect_provider"
        for body in entries.values()
    )
    assert urls == [f"https://{BITBUCKET_ISSUER}", f"https://{CIRCLECI_ISSUER}"]


@pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on this machine")
def test_terraform_fmt_check_passes(tenant_plan: Path, tmp_path: Path) -> None:
    out = generate(tenant_plan, tmp_path / "tf", "terraform")
    assert TERRAFORM is not None
    assert terraform_fmt_diff(out) is None


def test_cfn_lint_finds_no_error(tenant_plan: Path, tmp_path: Path) -> None:
    out = generate(tenant_plan, tmp_path / "cfn", "cloudformation")
    errors = [
        f"{path.name}: {match}"
        for path in sorted(out.glob("*.yaml"))
        for match in lint_file(path)
        if match.rule.id.startswith("E")
    ]
    assert errors == []


def test_readme_says_what_to_change_in_each_pipeline(tenant_plan: Path, tmp_path: Path) -> None:
    text = (generate(tenant_plan, tmp_path / "tf", "terraform") / "README.md").read_text()
    section = text.split("## Pipelines to change by hand", 1)[1]
    assert "`aws-cli/setup`" in section
    assert "`role_arn`" in section
    assert "`oidc: true`" in section
    assert "`AWS_ROLE_ARN`" in section
    assert "`AWS_WEB_IDENTITY_TOKEN_FILE`" in section
    assert "<https://circleci.com/docs/openid-connect-tokens/>" in section
    assert "deploy-on-aws-using-bitbucket-pipelines-openid-connect/>" in section
    # The role ARN as it is typed, in a code span (test_readme_literals.py).
    assert "`arn:aws:iam::210987654321:role/ci-deploy-circleci`" in section
    # GitHub's step (workflows fix) is not offered for pipelines it cannot rewrite.
    assert "workflows fix" not in text


def test_a_hand_edited_tenant_subject_is_refused_by_generate(
    tenant_plan: Path, tmp_path: Path
) -> None:
    def widen(document: dict[str, Any]) -> None:
        for entry in document["oidc_roles"]:
            if entry["platform"] == "circleci":
                entry["subjects"][0]["value"] = f"org/{ORG}/*"

    plan = edited(tenant_plan, tmp_path / "plan.json", widen)
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "terraform", "--out", str(out),
                 "--pca-arn", PCA)  # fmt: skip
    assert result.exit_code == 2
    assert "is not a subject of the role's projects" in result.output
    assert not out.exists()


def test_two_users_of_one_organization_share_its_provider(tmp_path: Path) -> None:
    export = tmp_path / "export"
    shutil.copytree(EXPORT, export)
    plan = tmp_path / "plan.json"
    result = run(
        "plan", "--input", str(export), "--now", "2025-06-01T12:00:00Z",
        "--link", f"ci-deploy=circleci:{ORG}/{PROJECT}",
        "--link", f"ci-infra=circleci:{ORG}/{OTHER}",
        "--out", str(plan),
    )  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    options = GenerateOptions(OutputFormat.TERRAFORM, pca_arn=PCA)
    generated = resources(json.loads(plan.read_text()), options)[0]
    assert [(p.issuer, p.audiences) for p in generated.oidc_providers] == [
        (CIRCLECI_ISSUER, (ORG,))
    ]
    assert {r.name for r in generated.roles if r.platform == "circleci"} == {
        "ci-deploy-circleci",
        "ci-infra-circleci",
    }


@pytest.fixture
def moto_account(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "210987654321")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        yield boto3.Session(region_name="us-east-1")


def test_deployed_tenant_roles_leave_no_trust_finding_above_info(
    tenant_plan: Path, tmp_path: Path, moto_account: Any
) -> None:
    # moto's CloudFormation has no AWS::IAM::OIDCProvider: the providers are made over
    # IAM's API (with the vendors' audiences), and the plan names them.
    iam = moto_account.client("iam")
    arns = {
        issuer: iam.create_open_id_connect_provider(
            Url=f"https://{issuer}", ClientIDList=[audience]
        )["OpenIDConnectProviderArn"]
        for issuer, audience in ((CIRCLECI_ISSUER, ORG), (BITBUCKET_ISSUER, BITBUCKET_AUDIENCE))
    }

    def existing(document: dict[str, Any]) -> None:
        for entry in document["oidc_roles"]:
            entry["provider"]["arn"] = arns.get(entry["provider"]["issuer"])

    plan = edited(tenant_plan, tmp_path / "plan.json", existing)
    out = generate(plan, tmp_path / "cfn", "cloudformation")
    iam.create_policy(
        PolicyName="deploy-app",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}],
            }
        ),
    )
    moto_account.client("cloudformation").create_stack(
        StackName="keyless-oidc", TemplateBody=(out / "oidc-acme-prod.yaml").read_text()
    )
    # moto's CloudFormation stores inline policies parsed; IAM's API stores text.
    for stored in iam_backends["210987654321"]["global"].roles.values():
        stored.policies = {
            name: document if isinstance(document, str) else json.dumps(document)
            for name, document in stored.policies.items()
        }
    roles = {r["RoleName"] for r in iam.list_roles()["Roles"]}
    assert {"ci-deploy-circleci", "ci-infra-bitbucket"} <= roles
    result = run_checks(Inventory(accounts=(collect_account(moto_account),), origin="live"))
    trust = [f for f in result.findings if f.check.startswith("trust-")]
    assert [f for f in trust if f.severity is not Severity.INFO] == []


def test_a_subject_narrowed_by_hand_is_generated_and_proved(tenant_plan: Path) -> None:
    # One CircleCI user's jobs only, under StringEquals: the proof admits that subject
    # and does not demand that any job of the project be admitted.
    exact = f"org/{ORG}/project/{PROJECT}/user/{OTHER}"
    document = json.loads(tenant_plan.read_text())
    for entry in document["oidc_roles"]:
        if entry["platform"] == "circleci":
            entry["subjects"] = [{"value": exact, "operator": "StringEquals", "reason": "hand"}]
    generated = resources(document, GenerateOptions(OutputFormat.TERRAFORM, pca_arn=PCA))[0]
    assert not generated.skipped
    spec = role(generated, "ci-deploy-circleci")
    assert allows(spec, CIRCLECI_ISSUER, exact, ORG)
    assert not allows(spec, CIRCLECI_ISSUER, f"org/{ORG}/project/{PROJECT}/user/{ORG}", ORG)
