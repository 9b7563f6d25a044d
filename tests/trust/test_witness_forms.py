"""Witnesses of service-principal findings, AWS's spelling of context keys, and the per-role
batching of the trust checks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from keyless.checks.registry import CheckContext, all_checks
from keyless.config import Thresholds
from keyless.model import Inventory
from keyless.trust.describe import describe_path
from keyless.trust.paths import analyse
from tests.builders import make_account, make_role
from tests.trust.support import GH, allow, github
from tests.trust.test_checks import run


def service(name: str, *actions: str, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    return allow({"Service": name}, condition, Action=list(actions) or "sts:AssumeRole")


def test_confused_deputy_witness_is_another_accounts_resource() -> None:
    (finding,) = run("trust-service-confused-deputy", service("sns.amazonaws.com"))
    assert finding.witness == {
        "service": "sns.amazonaws.com",
        "context": {"aws:SourceAccount": "999988887777"},
    }


def test_confused_deputy_witness_respects_a_partial_pin() -> None:
    # Pinned on the source ARN's service only: another account's topic still gets in.
    trust = service(
        "sns.amazonaws.com",
        condition={"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:*:*"}},
    )
    (finding,) = run("trust-service-confused-deputy", trust)
    context = finding.witness["context"]
    assert context["aws:SourceAccount"] == "999988887777"
    assert context["aws:SourceArn"].startswith("arn:aws:sns:")


def test_pod_identity_witness_is_any_association() -> None:
    trust = service("pods.eks.amazonaws.com", "sts:AssumeRole", "sts:TagSession")
    (finding,) = run("trust-eks-unpinned", trust)
    assert finding.witness["service"] == "pods.eks.amazonaws.com"
    assert finding.witness["context"]["aws:RequestTag/kubernetes-namespace"] == "attacker"


def test_roles_anywhere_witness_names_a_foreign_trust_anchor() -> None:
    actions = ("sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity")
    (finding,) = run(
        "trust-roles-anywhere-unpinned", service("rolesanywhere.amazonaws.com", *actions)
    )
    assert finding.witness["trust_anchor"].startswith("arn:aws:rolesanywhere:us-east-1:")


def test_context_keys_keep_aws_spelling() -> None:
    trust = allow(
        {"AWS": "arn:aws:iam::444455556666:root"},
        {"BoolIfExists": {"aws:multifactorauthpresent": "true"}},
    )
    (finding,) = run("trust-account-root-broad", trust)
    assert "aws:MultiFactorAuthPresent" in finding.witness["context"]


def test_undocumented_key_is_spelled_as_the_policy_writes_it() -> None:
    trust = allow(
        {"AWS": "arn:aws:iam::444455556666:root"},
        {"StringEquals": {"aws:PrincipalTag/CostCenter": "42"}},
    )
    (finding,) = run("trust-account-root-broad", trust)
    assert finding.witness["context"] == {"aws:PrincipalTag/CostCenter": "42"}


def context_for(*roles: Any) -> CheckContext:
    inventory = Inventory(accounts=(make_account(roles=list(roles)),))
    return CheckContext(inventory, Thresholds(), datetime.now(UTC), inventory.accounts[0])


def trust_checks() -> list[Any]:
    return [c for c in all_checks() if c.theme == "trust"]


def test_every_check_gets_its_own_findings_from_the_batch() -> None:
    trust = service("sns.amazonaws.com")
    role = make_role("r", trust=trust)
    ctx = context_for(role)
    found = {c.id: len(list(c.run(role, ctx))) for c in trust_checks()}
    assert found["trust-service-confused-deputy"] == 1
    assert sum(found.values()) == 1


def test_a_check_asked_twice_answers_twice() -> None:
    role = make_role("r", trust=service("sns.amazonaws.com"))
    ctx = context_for(role)
    (deputy,) = (c for c in trust_checks() if c.id == "trust-service-confused-deputy")
    assert len(list(deputy.run(role, ctx))) == 1
    assert len(list(deputy.run(role, ctx))) == 1


def test_nothing_is_kept_once_every_check_has_run() -> None:
    shared = service("sns.amazonaws.com")
    roles = [make_role(f"r{i}", trust=shared) for i in range(3)]
    roles.append(make_role("own", trust=service("ec2.amazonaws.com")))
    ctx = context_for(*roles)
    for chk in trust_checks():
        for role in roles:
            list(chk.run(role, ctx))
    assert ctx.memo["trust-analyses"] == {}
    assert not [key for key in ctx.memo if isinstance(key, tuple)]


def test_sentence_names_keys_in_aws_spelling() -> None:
    trust = allow(
        {"AWS": "arn:aws:iam::444455556666:root"},
        {"Bool": {"aws:multifactorauthpresent": "true"}},
    )
    (path,) = analyse(trust).paths
    assert "aws:MultiFactorAuthPresent" in describe_path(path)


def test_witness_subject_uses_the_tenant_the_policy_names() -> None:
    trust = github({"StringLike": {f"{GH}:sub": "repo:octo-org/*"}})
    (finding,) = run("trust-oidc-missing-audience", trust)
    assert finding.witness["claims"]["sub"] == "repo:octo-org/anything:ref:refs/heads/main"
