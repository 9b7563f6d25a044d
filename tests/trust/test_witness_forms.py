"""Witnesses of service-principal findings and AWS's spelling of context keys."""

from __future__ import annotations

from typing import Any

import pytest

from keyless.trust.analysis import analyse
from keyless.trust.describe import describe_path
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
    # A real topic of that account, every field of the ARN filled (it was arn:aws:sns:::).
    assert context["aws:SourceArn"] == "arn:aws:sns:us-east-1:999988887777:example"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("arn:aws:s3:::my-*", "arn:aws:s3:::my-"),
        ("arn:aws:sns:us-west-2:*:*", "arn:aws:sns:us-west-2:999988887777:a"),
        # Every field filled, in the outsider's account (it was arn:aws:events:::rule/).
        ("arn:aws:events:*:*:rule/*", "arn:aws:events:us-east-1:999988887777:rule/example"),
    ],
)
def test_confused_deputy_witness_source_arn_is_readable(pattern: str, expected: str) -> None:
    service_principal = pattern.split(":")[2] + ".amazonaws.com"
    trust = service(service_principal, condition={"ArnLike": {"aws:SourceArn": pattern}})
    (finding,) = run("trust-service-confused-deputy", trust)
    assert finding.witness["context"]["aws:SourceArn"] == expected


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


def test_a_branch_family_witness_carries_one_ref_as_tokens_do() -> None:
    # GitHub includes a claim once in a custom subject: `…:ref:refs/heads/release/a:ref:…`
    # is no token (issue #18 item 2); the witness is a branch of the family itself.
    trust = github(
        {
            "StringEquals": {f"{GH}:aud": "sts.amazonaws.com"},
            "StringLike": {
                f"{GH}:sub": [
                    "repo:acme/infra:ref:refs/heads/main",
                    "repo:acme/infra:ref:refs/heads/release/*",
                ]
            },
        }
    )
    subjects = [f.witness["claims"]["sub"] for f in run("trust-oidc-untrusted-trigger", trust)]
    assert subjects
    assert all(subject.count(":ref:") == 1 for subject in subjects), subjects
    assert all(
        subject.startswith("repo:acme/infra:ref:refs/heads/release/") for subject in subjects
    )


def test_a_trigger_witness_names_the_repository_the_repository_claim_pins() -> None:
    # No sub pin, the repository claim pinned: a pull request's token of that repository
    # (its sub names it too; it named another repository, example-org/a).
    trust = github(
        {"StringEquals": {f"{GH}:aud": "sts.amazonaws.com", f"{GH}:repository": "example-org/app"}}
    )
    found = run("trust-oidc-untrusted-trigger", trust)
    assert found
    for finding in found:
        claims = finding.witness["claims"]
        assert claims["sub"].startswith(f"repo:{claims['repository']}:")
