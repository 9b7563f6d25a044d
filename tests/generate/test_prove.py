"""Every emitted trust policy passes keyless's trust checks with nothing above info; the
plan's subjects are allowed and near misses denied, evaluated as keyless simulate does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from keyless.engine.trust import assess_trust
from keyless.findings import Severity
from keyless.generate.build import GenerateOptions, resources
from keyless.generate.model import OutputFormat, RoleKind
from keyless.generate.prove import concrete
from keyless.generate.roles_anywhere import stand_in_anchor
from keyless.idp.oidc import web_identity_request
from keyless.idp.roles_anywhere import roles_anywhere_request
from keyless.model import Role
from keyless.policy.document import parse_trust_policy
from keyless.policy.evaluate import evaluate

ISSUER = "https://token.actions.githubusercontent.com"


def load(plan: Path) -> Any:
    return json.loads(plan.read_text())


@pytest.fixture(scope="module")
def generated(export_plan: Path, ca_cert: Path) -> Any:
    options = GenerateOptions(OutputFormat.TERRAFORM, ca_pem=ca_cert.read_text())
    return resources(load(export_plan), options)[0]


def role(generated: Any, name: str) -> Any:
    return next(r for r in generated.roles if r.name == name)


def decide(spec: Any, request: Any) -> bool:
    return evaluate(parse_trust_policy(concrete(spec.trust)), request).allowed


def test_no_trust_finding_above_info_on_any_emitted_role(generated: Any) -> None:
    for spec in generated.roles:
        model = Role(
            account_id=spec.account,
            name=spec.name,
            arn=f"arn:aws:iam::{spec.account}:role/{spec.name}",
            trust_policy=concrete(spec.trust),
        )
        findings = assess_trust(model).findings
        assert [f.check for f in findings if f.severity is not Severity.INFO] == [], spec.name


def test_every_kind_of_role_is_emitted(generated: Any) -> None:
    assert {r.kind for r in generated.roles} == set(RoleKind)


def test_plan_subject_is_allowed(generated: Any) -> None:
    claims = {
        "iss": ISSUER,
        "aud": "sts.amazonaws.com",
        "sub": "repo:acme/app:environment:production",
    }
    assert decide(role(generated, "ci-deploy-github"), web_identity_request(claims))


@pytest.mark.parametrize(
    "sub",
    [
        "repo:acme/app-fork:environment:production",
        "repo:acme/app:pull_request",
        "repo:acme/app:ref:refs/heads/feature",
        "repo:acme/app:environment:staging",
    ],
)
def test_near_miss_subject_is_denied(generated: Any, sub: str) -> None:
    claims = {"iss": ISSUER, "aud": "sts.amazonaws.com", "sub": sub}
    assert not decide(role(generated, "ci-deploy-github"), web_identity_request(claims))


def test_another_audience_is_denied(generated: Any) -> None:
    claims = {
        "iss": ISSUER,
        "aud": "https://github.com/acme",
        "sub": "repo:acme/app:environment:production",
    }
    assert not decide(role(generated, "ci-deploy-github"), web_identity_request(claims))


def test_roles_anywhere_certificate_is_allowed_through_its_anchor(generated: Any) -> None:
    anchor = stand_in_anchor("210987654321", "us-east-1")
    request = roles_anywhere_request({"subject": {"CN": "nas01.example.com"}}, anchor)
    assert decide(role(generated, "backup-nas-rolesanywhere"), request)


def test_roles_anywhere_other_certificate_is_denied(generated: Any) -> None:
    anchor = stand_in_anchor("210987654321", "us-east-1")
    request = roles_anywhere_request({"subject": {"CN": "nas02.example.com"}}, anchor)
    assert not decide(role(generated, "backup-nas-rolesanywhere"), request)


def test_a_branch_family_reaches_generate_as_its_exact_branch_only(generated: Any) -> None:
    # ci-infra's workflow runs on main and release/* branches: the plan trusts what
    # `workflows fix` recommends (the exact main branch), so the role is written with
    # StringEquals alone and no pattern reaches the trust policy.
    (role,) = [r for r in generated.roles if r.name == "ci-infra-github"]
    text = json.dumps(role.trust, default=str)
    assert "StringLike" not in text
    assert "repo:acme/infra:ref:refs/heads/main" in text


def test_a_role_without_subjects_is_left_out(demo_plan: Path) -> None:
    generated = resources(load(demo_plan), GenerateOptions(OutputFormat.TERRAFORM))[0]
    assert "ci-staging-github" not in {r.name for r in generated.roles}
    assert [s.pointer for s in generated.skipped] == ["/oidc_roles/0"]
