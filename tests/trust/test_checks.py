"""Each trust check firing and not firing; every witness is replayed (assert_admitted)."""

from __future__ import annotations

from typing import Any

import pytest

from keyless.findings import Finding
from tests.builders import make_account, make_role
from tests.checks.support import findings
from tests.trust.support import GH, allow, assert_admitted, github

AUD = {f"{GH}:aud": "sts.amazonaws.com"}
WELL_PINNED = github(
    {"StringEquals": {**AUD, f"{GH}:sub": "repo:example-org/deploy:ref:refs/heads/main"}}
)


def run(check_id: str, trust: dict[str, Any], **role: Any) -> tuple[Finding, ...]:
    result = findings(check_id, make_account(roles=[make_role("r", trust=trust, **role)]))
    for finding in result:
        if finding.witness is not None:
            assert_admitted(trust, finding.witness)
    return result


def test_well_pinned_github_role_has_no_trust_finding() -> None:
    from keyless.checks import all_checks

    ids = [c.id for c in all_checks() if c.theme == "trust"]
    assert len(ids) == 19
    assert all(run(i, WELL_PINNED) == () for i in ids)


def test_any_tenant_when_only_a_later_value_is_loose() -> None:
    trust = github(
        {
            "StringEquals": AUD,
            "StringLike": {f"{GH}:sub": ["repo:example-org/deploy:ref:refs/heads/main", "*"]},
        }
    )
    (finding,) = run("trust-oidc-any-tenant", trust)
    assert finding.severity.value == "critical"
    assert finding.witness["claims"]["sub"] == "repo:attacker/anything:ref:refs/heads/main"


def test_any_tenant_without_sub() -> None:
    assert run("trust-oidc-any-tenant", github({"StringEquals": AUD}))


def test_any_tenant_through_prefix_wildcard_spanning_the_owner() -> None:
    (finding,) = run(
        "trust-oidc-any-tenant", github({"StringLike": {**AUD, f"{GH}:sub": "repo:example-org*"}})
    )
    assert finding.witness["claims"]["sub"].startswith("repo:example-org")
    assert not finding.witness["claims"]["sub"].startswith("repo:example-org/")


def test_any_tenant_not_reported_for_org_wildcard() -> None:
    assert (
        run(
            "trust-oidc-any-tenant",
            github({"StringLike": {**AUD, f"{GH}:sub": "repo:example-org/*"}}),
        )
        == ()
    )


def test_owner_id_pin_stops_other_tenants() -> None:
    trust = github({"StringEquals": {**AUD, f"{GH}:repository_owner_id": "123"}})
    assert run("trust-oidc-any-tenant", trust) == ()


def test_broad_subject_org_wildcard() -> None:
    (finding,) = run(
        "trust-oidc-broad-subject",
        github({"StringLike": {**AUD, f"{GH}:sub": "repo:example-org/*"}}),
    )
    assert finding.severity.value == "high"
    assert finding.witness["claims"]["sub"] == "repo:example-org/other-repo:ref:refs/heads/main"


def test_broad_subject_wildcard_spans_slash_into_other_repo() -> None:
    trust = github({"StringLike": {**AUD, f"{GH}:sub": "repo:example-org/deploy*"}})
    (finding,) = run("trust-oidc-broad-subject", trust)
    assert finding.witness["claims"]["sub"].startswith("repo:example-org/deploy")


def test_untrusted_trigger_pull_request_and_branch() -> None:
    trust = github({"StringLike": {**AUD, f"{GH}:sub": "repo:example-org/deploy:*"}})
    labels = {f.evidence["trigger"] for f in run("trust-oidc-untrusted-trigger", trust)}
    assert labels == {"a pull request", "an unprotected branch"}


def test_main_star_admits_unprotected_branch() -> None:
    trust = github({"StringLike": {**AUD, f"{GH}:sub": "repo:o/r:ref:refs/heads/main*"}})
    branch = [f for f in run("trust-oidc-untrusted-trigger", trust) if "branch" in f.message]
    assert branch[0].witness["claims"]["sub"].startswith("repo:o/r:ref:refs/heads/main")
    assert branch[0].witness["claims"]["sub"] != "repo:o/r:ref:refs/heads/main"


def test_environment_pin_has_no_untrusted_trigger() -> None:
    trust = github({"StringEquals": {**AUD, f"{GH}:sub": "repo:o/r:environment:prod"}})
    assert run("trust-oidc-untrusted-trigger", trust) == ()


def test_for_all_values_on_absent_claim_fails_open() -> None:
    trust = github(
        {
            "StringEquals": AUD,
            "StringLike": {f"{GH}:sub": "repo:o/*"},
            "ForAllValues:StringEquals": {f"{GH}:environment": "prod"},
        }
    )
    (finding,) = run("trust-condition-fails-open", trust)
    assert "environment" not in finding.witness["claims"]
    assert finding.severity.value == "high"


def test_if_exists_on_sub_is_not_exploitable_because_tokens_carry_sub() -> None:
    trust = github({"StringEqualsIfExists": {**AUD, f"{GH}:sub": "repo:o/r:ref:refs/heads/main"}})
    assert run("trust-condition-fails-open", trust) == ()


def test_missing_audience() -> None:
    trust = github({"StringEquals": {f"{GH}:sub": "repo:o/r:ref:refs/heads/main"}})
    (finding,) = run("trust-oidc-missing-audience", trust)
    assert finding.severity.value == "low"


def test_dead_condition_wildcard_under_string_equals() -> None:
    trust = github(
        {"StringEquals": {**AUD, f"{GH}:sub": ["repo:o/r:ref:refs/heads/main", "repo:o/*"]}}
    )
    messages = [f.message for f in run("trust-dead-condition", trust)]
    assert any("literal" in m for m in messages)


def test_dead_condition_immutable_subject_break() -> None:
    trust = github(
        {
            "StringEquals": {
                **AUD,
                f"{GH}:sub": [
                    "repo:octo@1/deploy@2:ref:refs/heads/main",
                    "repo:octo/deploy:ref:refs/heads/main",
                ],
            }
        }
    )
    messages = [f.message for f in run("trust-dead-condition", trust)]
    assert any("immutable" in m for m in messages)


def test_dead_condition_claim_sts_does_not_expose() -> None:
    trust = github({"StringEquals": {**AUD, f"{GH}:repository_owner": "octo"}})
    messages = [f.message for f in run("trust-dead-condition", trust)]
    assert any("does not map the GitHub Actions claim 'repository_owner'" in m for m in messages)


def test_malformed_trust_policy_is_reported_not_raised() -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}],
    }
    (finding,) = run("trust-dead-condition", trust)
    assert finding.evidence["pointer"] == "/Statement/0"
    assert run("trust-anyone", trust) == ()


def test_anyone() -> None:
    (finding,) = run("trust-anyone", allow("*"))
    assert finding.severity.value == "critical"
    assert finding.witness["principal"].startswith("arn:aws:iam::999988887777:")


def test_anyone_pinned_to_org_is_not_reported() -> None:
    trust = allow("*", {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}})
    assert run("trust-anyone", trust) == ()


def test_anyone_with_external_id_only_is_still_reported() -> None:
    trust = allow("*", {"StringEquals": {"sts:ExternalId": "not-a-secret"}})
    (finding,) = run("trust-anyone", trust)
    assert finding.witness["context"]["sts:ExternalId"] == "not-a-secret"


def test_cross_account_without_external_id() -> None:
    trust = allow({"AWS": "arn:aws:iam::444455556666:root"})
    (finding,) = run("trust-cross-account-no-external-id", trust)
    assert finding.witness["principal"].startswith("arn:aws:iam::444455556666:")


def test_cross_account_named_role_judged_alone_is_not_a_confused_deputy() -> None:
    # A role of a sister account is the usual multi-account setup; alone, nothing tells
    # it from a vendor's.
    trust = allow({"AWS": "arn:aws:iam::444455556666:role/ci-runner"})
    assert run("trust-cross-account-no-external-id", trust) == ()


def test_cross_account_root_narrowed_to_a_role_is_judged_as_that_role() -> None:
    trust = allow(
        {"AWS": "arn:aws:iam::444455556666:root"},
        {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::444455556666:role/ci-runner"}},
    )
    assert run("trust-cross-account-no-external-id", trust) == ()


def test_cross_account_root_is_high_and_claims_no_organization_alone() -> None:
    (finding,) = run("trust-cross-account-no-external-id", allow({"AWS": "444455556666"}))
    assert finding.severity.value == "high"
    assert "outside" not in finding.message


def test_cross_account_people_with_mfa_are_no_confused_deputy() -> None:
    trust = allow({"AWS": "444455556666"}, {"Bool": {"aws:MultiFactorAuthPresent": "true"}})
    assert run("trust-cross-account-no-external-id", trust) == ()
    bypass = allow(
        {"AWS": "444455556666"}, {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}
    )
    (finding,) = run("trust-cross-account-no-external-id", bypass)
    assert "aws:MultiFactorAuthPresent" not in finding.witness["context"]


def test_cross_account_with_external_id_is_fine() -> None:
    trust = allow({"AWS": "444455556666"}, {"StringEquals": {"sts:ExternalId": "x-123"}})
    assert run("trust-cross-account-no-external-id", trust) == ()


def test_root_broad_and_principal_arn_pin() -> None:
    assert run("trust-account-root-broad", allow({"AWS": "444455556666"}))
    pinned = allow(
        {"AWS": "444455556666"},
        {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::444455556666:role/ci"}},
    )
    assert run("trust-account-root-broad", pinned) == ()


def test_a_vendor_required_to_pass_an_external_id_is_not_broad() -> None:
    trust = allow({"AWS": "444455556666"}, {"StringEquals": {"sts:ExternalId": "x-123"}})
    assert run("trust-account-root-broad", trust) == ()
    loose = allow({"AWS": "444455556666"}, {"StringLikeIfExists": {"sts:ExternalId": "x-*"}})
    assert run("trust-account-root-broad", loose)


def test_same_account_root_is_not_broad() -> None:
    assert run("trust-account-root-broad", allow({"AWS": "arn:aws:iam::111122223333:root"})) == ()


def test_mfa_bypass_with_bool_if_exists() -> None:
    trust = allow({"AWS": "444455556666"}, {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}})
    (finding,) = run("trust-mfa-bypass", trust)
    assert "aws:multifactorauthpresent" not in finding.witness["context"]


def test_mfa_bool_true_is_enforced() -> None:
    trust = allow({"AWS": "444455556666"}, {"Bool": {"aws:MultiFactorAuthPresent": "true"}})
    assert run("trust-mfa-bypass", trust) == ()


def test_mfa_deny_false_only_is_bypassed() -> None:
    trust = allow({"AWS": "444455556666"})
    trust["Statement"].append(
        {
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}},
        }
    )
    assert run("trust-mfa-bypass", trust)


def test_dangling_principal() -> None:
    (finding,) = run("trust-dangling-principal", allow({"AWS": "AROAABCDEFGHIJKLMNOP"}))
    assert finding.witness is None


@pytest.mark.parametrize(
    "service",
    [
        "ec2.amazonaws.com",
        "lambda.amazonaws.com",
        "ecs-tasks.amazonaws.com",
        "eks.amazonaws.com",
        "edgelambda.amazonaws.com",
        "states.amazonaws.com",
    ],
)
def test_services_needing_no_source_condition(service: str) -> None:
    assert run("trust-service-confused-deputy", allow({"Service": service})) == ()


@pytest.mark.parametrize(
    "service",
    [
        "elasticmapreduce.amazonaws.com.cn",  # the China Regions' spelling
        "states.ap-east-1.amazonaws.com",  # an opt-in Region's spelling
        "Lambda.AmazonAWS.com",
        "ec2.cn-north-1.amazonaws.com.cn",
    ],
)
def test_other_spellings_of_services_needing_no_source_condition(service: str) -> None:
    """The same service as its global name: no confused deputy either."""
    assert run("trust-service-confused-deputy", allow({"Service": service})) == ()


@pytest.mark.parametrize(
    "service", ["sns.eu-south-1.amazonaws.com", "sns.amazonaws.com.cn", "ec2.amazonaws.com.evil"]
)
def test_other_spellings_of_resource_services_are_still_confused_deputies(service: str) -> None:
    assert run("trust-service-confused-deputy", allow({"Service": service}))


def test_service_linked_role_is_exempt() -> None:
    trust = allow({"Service": "sns.amazonaws.com"})
    assert (
        run("trust-service-confused-deputy", trust, path="/aws-service-role/sns.amazonaws.com/")
        == ()
    )


def test_confused_deputy_for_resource_service() -> None:
    assert run("trust-service-confused-deputy", allow({"Service": "sns.amazonaws.com"}))
    pinned = allow(
        {"Service": "sns.amazonaws.com"}, {"StringEquals": {"aws:SourceAccount": "111122223333"}}
    )
    assert run("trust-service-confused-deputy", pinned) == ()


def test_a_service_that_must_pass_an_external_id_is_no_confused_deputy() -> None:
    firehose = {"Service": "firehose.amazonaws.com"}
    pinned = allow(firehose, {"StringEquals": {"sts:ExternalId": "111122223333"}})
    assert run("trust-service-confused-deputy", pinned) == ()
    assert run("trust-service-confused-deputy", allow(firehose))


RA = {"Service": "rolesanywhere.amazonaws.com"}
RA_ACTIONS = ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]


def test_roles_anywhere_unpinned_and_pinned() -> None:
    (finding,) = run("trust-roles-anywhere-unpinned", allow(RA, Action=RA_ACTIONS))
    assert "trust_anchor" in finding.witness
    anchor = "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/abc"
    pinned = allow(RA, {"ArnEquals": {"aws:SourceArn": anchor}}, Action=RA_ACTIONS)
    assert run("trust-roles-anywhere-unpinned", pinned) == ()


def test_a_cognito_witness_names_another_identity_pool_as_its_audience() -> None:
    trust = allow(
        {"Federated": "cognito-identity.amazonaws.com"},
        {"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}},
        Action="sts:AssumeRoleWithWebIdentity",
    )
    (finding,) = run("trust-cognito-unauthenticated", trust)
    claims = finding.witness["claims"]
    assert claims["aud"].startswith("us-east-1:")
    assert claims["amr"] == ["authenticated"]


def test_roles_anywhere_pinned_to_its_account_is_witnessed_with_an_anchor_there() -> None:
    # Every trust anchor of the account may use it; the example anchor is in that account.
    trust = allow(RA, {"StringEquals": {"aws:SourceAccount": "111122223333"}}, Action=RA_ACTIONS)
    (finding,) = run("trust-roles-anywhere-unpinned", trust)
    assert ":111122223333:trust-anchor/" in finding.witness["trust_anchor"]


EKS = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"
EKS_KEY = "oidc.eks.us-east-1.amazonaws.com/id/ABC"


def eks(condition: dict[str, Any]) -> dict[str, Any]:
    return allow({"Federated": EKS}, condition, Action="sts:AssumeRoleWithWebIdentity")


def test_eks_namespace_wildcard() -> None:
    trust = eks({"StringLike": {f"{EKS_KEY}:sub": "system:serviceaccount:ns:*"}})
    (finding,) = run("trust-eks-unpinned", trust)
    assert finding.witness["claims"]["sub"] == "system:serviceaccount:ns:attacker"
    exact = eks(
        {
            "StringEquals": {
                f"{EKS_KEY}:sub": "system:serviceaccount:ns:app",
                f"{EKS_KEY}:aud": "sts.amazonaws.com",
            }
        }
    )
    assert run("trust-eks-unpinned", exact) == ()


@pytest.mark.parametrize(
    ("sub", "message", "severity"),
    [
        (
            "system:serviceaccount:kube-system:efs-csi-*",
            "any service account matching kube-system:efs-csi-* can assume it, "
            "such as kube-system:efs-csi-attacker",
            "medium",
        ),
        (
            "system:serviceaccount:ns:*",
            "any service account of namespace ns can assume it, such as ns:attacker",
            "high",
        ),
        (
            "system:serviceaccount:*",
            "any service account of the cluster can assume it, such as default:attacker",
            "high",
        ),
    ],
)
def test_eks_message_names_the_service_accounts(sub: str, message: str, severity: str) -> None:
    trust = eks({"StringLike": {f"{EKS_KEY}:sub": sub}})
    (finding,) = run("trust-eks-unpinned", trust)
    assert finding.message.split(": ", 1)[1] == message
    assert finding.severity.value == severity


POD = {"Service": "pods.eks.amazonaws.com"}
POD_ACTIONS = ["sts:AssumeRole", "sts:TagSession"]
NAMESPACE = "aws:RequestTag/kubernetes-namespace"
SERVICE_ACCOUNT = "aws:RequestTag/kubernetes-service-account"


def test_pod_identity_without_tags() -> None:
    """AWS's documented default policy: any association in the account, which only someone
    allowed iam:PassRole on the role can make: low.
    https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html"""
    (finding,) = run("trust-eks-unpinned", allow(POD, Action=POD_ACTIONS))
    assert finding.severity.value == "low"
    assert finding.message.split(": ", 1)[1] == (
        "any EKS Pod Identity association in the account can use it, through an association "
        "anyone allowed iam:PassRole on it may create"
    )


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        # A tag that is not the pod's (any aws:RequestTag/ key exempted it before).
        ({"StringEquals": {"aws:RequestTag/team": "a"}}, "any EKS Pod Identity association"),
        (
            {"StringEquals": {"aws:RequestTag/eks-cluster-name": "prod"}},
            "any EKS Pod Identity association of the clusters it names",
        ),
        (
            {"StringEquals": {NAMESPACE: "prod"}},
            "any service account of the namespaces it names (in the account)",
        ),
        (
            {"StringEquals": {SERVICE_ACCOUNT: "deploy"}},
            "the service accounts it names, in any namespace (in the account)",
        ),
        (
            {"StringEquals": {NAMESPACE: "prod"}, "StringLike": {SERVICE_ACCOUNT: "app-*"}},
            "any service account of the namespaces it names",
        ),
    ],
)
def test_pod_identity_with_the_pod_not_pinned(condition: dict[str, Any], message: str) -> None:
    (finding,) = run("trust-eks-unpinned", allow(POD, condition, Action=POD_ACTIONS))
    assert finding.message.split(": ", 1)[1].startswith(message)
    assert finding.severity.value == "low"


def test_pod_identity_pinned_to_one_service_account() -> None:
    pinned = {"StringEquals": {NAMESPACE: "prod", SERVICE_ACCOUNT: "deploy"}}
    assert run("trust-eks-unpinned", allow(POD, pinned, Action=POD_ACTIONS)) == ()


COGNITO = {"Federated": "cognito-identity.amazonaws.com"}


def test_cognito_any_pool_and_guest() -> None:
    any_pool = allow(COGNITO, Action="sts:AssumeRoleWithWebIdentity")
    assert run("trust-cognito-unauthenticated", any_pool)
    guest = allow(
        COGNITO,
        {"StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:pool"}},
        Action="sts:AssumeRoleWithWebIdentity",
    )
    (finding,) = run("trust-cognito-unauthenticated", guest)
    assert finding.witness["claims"]["amr"] == ["unauthenticated"]
    authenticated = allow(
        COGNITO,
        {
            "StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:pool"},
            "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"},
        },
        Action="sts:AssumeRoleWithWebIdentity",
    )
    assert run("trust-cognito-unauthenticated", authenticated) == ()


@pytest.mark.parametrize(
    ("amr", "reported"),
    [
        ("unauthenticated", False),  # the pool's guest role: guests are whom it is for
        (["unauthenticated"], False),
        # guests and signed-in identities alike, as without the pin: it was taken for a
        # guest role and not reported
        (["authenticated", "unauthenticated"], True),
        (["unauthenticated", "graph.facebook.com"], True),
    ],
)
def test_a_cognito_role_is_a_guest_role_only_when_every_amr_value_names_guests(
    amr: str | list[str], reported: bool
) -> None:
    trust = allow(
        COGNITO,
        {
            "StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:pool"},
            "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": amr},
        },
        Action="sts:AssumeRoleWithWebIdentity",
    )
    found = run("trust-cognito-unauthenticated", trust)
    assert bool(found) is reported
    if reported:
        (finding,) = found
        assert finding.witness["claims"]["amr"] == ["unauthenticated"]


def test_google_oaud_only() -> None:
    google = {"Federated": "accounts.google.com"}
    trust = allow(
        google,
        {"StringEquals": {"accounts.google.com:oaud": "my-aud"}},
        Action="sts:AssumeRoleWithWebIdentity",
    )
    (finding,) = run("trust-google-oaud-only", trust)
    assert finding.witness["claims"]["aud"] == "my-aud"
    pinned = allow(
        google,
        {"StringEquals": {"accounts.google.com:oaud": "my-aud", "accounts.google.com:sub": "1234"}},
        Action="sts:AssumeRoleWithWebIdentity",
    )
    assert run("trust-google-oaud-only", pinned) == ()


SAML = {"Federated": "arn:aws:iam::123456789012:saml-provider/Okta"}


def test_saml_audience() -> None:
    assert run("trust-saml-no-audience", allow(SAML, Action="sts:AssumeRoleWithSAML"))
    pinned = allow(
        SAML,
        {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
        Action="sts:AssumeRoleWithSAML",
    )
    assert run("trust-saml-no-audience", pinned) == ()


def test_tag_forgeable_by_account_principals() -> None:
    trust = allow(
        {"AWS": "arn:aws:iam::123456789012:root"},
        {"StringEquals": {"aws:RequestTag/team": "prod"}},
        Action=["sts:AssumeRole", "sts:TagSession"],
    )
    (finding,) = run("trust-tag-forgeable", trust)
    assert finding.witness["context"]["aws:RequestTag/team"] == "prod"
    service_only = allow(
        {"Service": "pods.eks.amazonaws.com"},
        {"StringEquals": {"aws:RequestTag/kubernetes-namespace": "prod"}},
        Action=["sts:AssumeRole", "sts:TagSession"],
    )
    assert run("trust-tag-forgeable", service_only) == ()


@pytest.mark.parametrize(
    ("condition", "open_to_all"),
    [
        # accounts.google.com:aud is the token's azp: a service account's numeric ID pins it.
        ({"StringEquals": {"accounts.google.com:aud": "113458893248237410012"}}, False),
        ({"StringEquals": {"accounts.google.com:sub": "113458893248237410012"}}, False),
        ({"StringLike": {"accounts.google.com:aud": "*"}}, True),
        ({"StringLike": {"accounts.google.com:aud": ["1134588932*", "*"]}}, True),
        ({}, True),
    ],
)
def test_google_any_tenant_unless_an_identity_is_pinned(
    condition: dict[str, Any], open_to_all: bool
) -> None:
    trust = allow(
        {"Federated": "accounts.google.com"}, condition, Action="sts:AssumeRoleWithWebIdentity"
    )
    assert bool(run("trust-oidc-any-tenant", trust)) is open_to_all


def test_a_condition_on_the_issuer_itself_does_not_fail_open() -> None:
    # terraform-aws-modules' iam-github-oidc-role writes this beside its aud and sub pins.
    issuer = {
        "ForAllValues:StringEquals": {f"{GH}:iss": "http://token.actions.githubusercontent.com"}
    }
    pinned = WELL_PINNED["Statement"][0]["Condition"]
    assert run("trust-condition-fails-open", github({**pinned, **issuer})) == ()
    environment = {"ForAllValues:StringEquals": {f"{GH}:environment": "prod"}}
    assert run("trust-condition-fails-open", github({**pinned, **environment}))


@pytest.mark.parametrize(
    ("environment", "reported"),
    [
        # required and pinned: the environment's protection rules decide (as a
        # `repo:o/r:environment:prod` subject would)
        ({"StringEquals": {f"{GH}:environment": "prod"}}, False),
        ({"StringEquals": {f"{GH}:environment": ["staging", "prod"]}}, False),
        # a wildcard, a negation or a condition that passes without the claim gates nothing
        ({"StringLike": {f"{GH}:environment": "*"}}, True),
        (
            {
                "StringNotEquals": {f"{GH}:environment": "dev"},
                "Null": {f"{GH}:environment": "false"},
            },
            True,
        ),
        ({"ForAllValues:StringEquals": {f"{GH}:environment": "prod"}}, True),
    ],
)
def test_an_environment_claim_pin_gates_the_triggers(
    environment: dict[str, Any], reported: bool
) -> None:
    loose = {"StringEquals": AUD, "StringLike": {f"{GH}:sub": "repo:example-org/deploy:*"}}
    condition = {**loose}
    for operator, keys in environment.items():
        condition[operator] = {**condition.get(operator, {}), **keys}
    assert bool(run("trust-oidc-untrusted-trigger", github(condition))) is reported


CIRCLECI_ORG = "4ada2c32-f0c2-4b60-a6b8-af674858fd51"
CIRCLECI = f"oidc.circleci.com/org/{CIRCLECI_ORG}"


@pytest.mark.parametrize(
    ("pins", "broad"),
    [
        ({f"{GH}:repository_id": "123456789"}, False),
        ({f"{GH}:repository": "example-org/deploy"}, False),
        ({f"{GH}:repository": ["example-org/deploy", "example-org/*"]}, True),
        ({}, True),
    ],
)
def test_a_repository_claim_pin_keeps_other_repositories_out(
    pins: dict[str, Any], broad: bool
) -> None:
    sub = {f"{GH}:sub": "repo:example-org/*:ref:refs/heads/main"}
    equals = {**AUD, **{k: v for k, v in pins.items() if "*" not in str(v)}}
    like = {**sub, **{k: v for k, v in pins.items() if "*" in str(v)}}
    trust = github({"StringEquals": equals, "StringLike": like})
    assert bool(run("trust-oidc-broad-subject", trust)) is broad


@pytest.mark.parametrize(("project", "broad"), [(True, False), (False, True)])
def test_a_circleci_project_id_pin_keeps_other_projects_out(project: bool, broad: bool) -> None:
    equals = {f"{CIRCLECI}:aud": CIRCLECI_ORG}
    if project:
        equals[f"{CIRCLECI}:oidc.circleci.com/project-id"] = "e6f3a2c1-0000-4000-8000-000000000001"
    trust = allow(
        {"Federated": f"arn:aws:iam::111122223333:oidc-provider/{CIRCLECI}"},
        {"StringEquals": equals},
        Action="sts:AssumeRoleWithWebIdentity",
    )
    assert bool(run("trust-oidc-broad-subject", trust)) is broad


def test_a_deny_of_every_other_subject_pins_the_tenant() -> None:
    # Allow any token of the provider, then Deny every sub but one: only that one is
    # admitted (no other tenant, the description names it).
    trust = github({"StringEquals": AUD})
    trust["Statement"].append(
        {
            "Effect": "Deny",
            "Principal": trust["Statement"][0]["Principal"],
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringNotLike": {f"{GH}:sub": "repo:example-org/deploy:environment:prod"}
            },
        }
    )
    for check_id in ("trust-oidc-any-tenant", "trust-oidc-broad-subject"):
        assert run(check_id, trust) == ()


def test_a_provider_registered_with_a_trailing_slash_keeps_it_in_its_keys() -> None:
    # Auth0 / Entra ID v1: arn:…:oidc-provider/TENANT.auth0.com/ and TENANT.auth0.com/:aud.
    provider = "arn:aws:iam::111122223333:oidc-provider/acme.eu.auth0.com/"
    trust = allow(
        {"Federated": provider},
        {"StringEquals": {"acme.eu.auth0.com/:aud": "client-id"}},
        Action="sts:AssumeRoleWithWebIdentity",
    )
    assert run("trust-oidc-missing-audience", trust) == ()
    loose = allow({"Federated": provider}, Action="sts:AssumeRoleWithWebIdentity")
    (finding,) = run("trust-oidc-missing-audience", loose)
    assert finding.witness["claims"]["iss"] == "https://acme.eu.auth0.com/"


@pytest.mark.parametrize(
    ("issuer", "sub", "reported"),
    [
        # CircleCI's documented AWS trust policy pins only :sub; the issuer is the
        # organization's and its tokens' audience is fixed to the organization ID
        # (https://circleci.com/docs/openid-connect-tokens/)
        (
            CIRCLECI,
            f"org/{CIRCLECI_ORG}/project/e6f3a2c1-0000-4000-8000-000000000001/user/*",
            False,
        ),
        # AWS's IRSA guide pins :aud too
        (
            "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
            "system:serviceaccount:default:app",
            True,
        ),
        # so does Atlassian's Bitbucket guide
        (
            "api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc",
            "{repo-uuid}:*",
            True,
        ),
        # an issuer keyless does not know (kops' S3 discovery bucket, Auth0…)
        ("acme-irsa.s3.eu-west-1.amazonaws.com", "system:serviceaccount:default:app", True),
    ],
)
def test_missing_audience_on_an_issuer_of_one_tenant_follows_the_vendors_guide(
    issuer: str, sub: str, reported: bool
) -> None:
    trust = allow(
        {"Federated": f"arn:aws:iam::111122223333:oidc-provider/{issuer}"},
        {"StringLike": {f"{issuer}:sub": sub}},
        Action="sts:AssumeRoleWithWebIdentity",
    )
    assert bool(run("trust-oidc-missing-audience", trust)) is reported


@pytest.mark.parametrize(
    ("condition", "dead"),
    [
        ({"StringEquals": {"sts:ExternalId": ""}}, True),
        ({"StringEquals": {"sts:ExternalId": "x"}}, True),
        ({"StringEquals": {"sts:ExternalId": "two words"}}, True),
        ({"StringEquals": {"sts:ExternalId": ["", "x"]}}, True),
        ({"StringLike": {"sts:ExternalId": "?"}}, True),
        ({"StringEquals": {"sts:ExternalId": ["", "partner-42"]}}, False),
        ({"StringEquals": {"sts:ExternalId": "ab"}}, False),
        ({"StringLike": {"sts:ExternalId": "*"}}, False),
        ({"StringNotEquals": {"sts:ExternalId": ""}}, False),
    ],
)
def test_an_external_id_sts_never_accepts_is_a_dead_condition(
    condition: dict[str, Any], dead: bool
) -> None:
    """STS takes an ExternalId of 2 to 1,224 characters of [\\w+=,.@:/-]: a statement that
    requires another value admits nobody (an unfilled template parameter, often).
    https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html"""
    trust = allow({"AWS": "arn:aws:iam::111122223333:root"}, condition)
    found = run("trust-dead-condition", trust)
    assert bool(found) == dead
    if dead:
        (finding,) = found
        assert "an external ID STS accepts" in finding.message
        (values,) = (operator["sts:ExternalId"] for operator in condition.values())
        single = isinstance(values, str)
        assert ("is not an external ID" in finding.message) == single
        assert ("none of " in finding.message) != single
        assert "nobody can assume it through this statement" in finding.message


@pytest.mark.parametrize(
    "sub",
    [
        "repo:acme/*:environment:prod",
        "repo:acme/app*:environment:prod",
        # A custom template with the ref and environment claims: the job uses prod.
        "repo:acme/app:ref:refs/heads/*:environment:prod",
    ],
)
def test_a_subject_that_names_the_environment_admits_no_pull_request_or_branch_run(
    sub: str,
) -> None:
    """A job that references an environment has the environment's subject (or, under a
    custom template, an ``environment:`` field): its protection rules gate it, never the
    pull-request or branch context. GitHub never issues ``…:pull_request:environment:prod``.
    https://docs.github.com/en/actions/reference/security/oidc#example-subject-claims"""
    found = run("trust-oidc-untrusted-trigger", github({"StringLike": {**AUD, f"{GH}:sub": sub}}))
    labels = {f.evidence.get("trigger") for f in found}
    assert not labels & {"a pull request", "an unprotected branch"}


def test_a_subject_open_after_the_repository_still_admits_pull_requests() -> None:
    trust = github({"StringLike": {**AUD, f"{GH}:sub": "repo:acme/app:*"}})
    labels = {f.evidence.get("trigger") for f in run("trust-oidc-untrusted-trigger", trust)}
    assert "a pull request" in labels


OTHER_ACCOUNTS_GITHUB = (
    "arn:aws:iam::999988887777:oidc-provider/token.actions.githubusercontent.com"
)


def test_another_accounts_oidc_provider_admits_nobody() -> None:
    """STS resolves a token's issuer to the IAM OIDC provider of the role's own account
    ("No OpenIDConnect provider found in your account"), so a statement naming another
    account's provider is dead, not a role any GitHub tenant can assume.
    https://docs.aws.amazon.com/eks/latest/userguide/cross-account-access.html"""
    trust = allow({"Federated": OTHER_ACCOUNTS_GITHUB}, {"StringEquals": AUD})
    trust["Statement"][0]["Action"] = "sts:AssumeRoleWithWebIdentity"
    assert run("trust-oidc-any-tenant", trust) == ()
    assert run("trust-oidc-missing-audience", trust) == ()
    (finding,) = run("trust-dead-condition", trust)
    assert "of another account" in finding.message
    assert "(111122223333)" in finding.message
    assert finding.severity.value == "medium"
    assert finding.evidence["principal"] == OTHER_ACCOUNTS_GITHUB
    # The same policy on a role of that account is judged: any tenant can assume it.
    (critical,) = run("trust-oidc-any-tenant", trust, account_id="999988887777")
    assert critical.severity.value == "critical"
    assert run("trust-dead-condition", trust, account_id="999988887777") == ()


def test_the_own_accounts_provider_is_still_judged_beside_another_accounts() -> None:
    own = github({"StringEquals": AUD})  # the role's account's provider, no sub
    other = dict(own["Statement"][0], Principal={"Federated": OTHER_ACCOUNTS_GITHUB})
    trust = {**own, "Statement": [own["Statement"][0], other]}
    (finding,) = run("trust-oidc-any-tenant", trust)
    assert finding.evidence["principal"] == own["Statement"][0]["Principal"]["Federated"]
    (dead,) = run("trust-dead-condition", trust)
    assert dead.evidence["statements"] == [1]


def test_an_owner_pinned_by_id_with_any_subject_opens_every_repository_of_it() -> None:
    """`repository_owner_id` pinned and `sub` `repo:*`: every repository of that owner, as
    `repo:owner/*` is (it drew nothing: the sub names no owner)."""
    trust = github(
        {
            "StringEquals": {**AUD, f"{GH}:repository_owner_id": "123456"},
            "StringLike": {f"{GH}:sub": "repo:*"},
        }
    )
    assert run("trust-oidc-any-tenant", trust) == ()
    (broad,) = run("trust-oidc-broad-subject", trust)
    assert broad.witness["claims"]["repository_owner_id"] == "123456"
    labels = {f.evidence["trigger"] for f in run("trust-oidc-untrusted-trigger", trust)}
    assert labels == {"a pull request", "an unprotected branch"}
    # Pinning the repository's ID too leaves one repository.
    pinned = github(
        {
            "StringEquals": {
                **AUD,
                f"{GH}:repository_owner_id": "123456",
                f"{GH}:repository_id": "789",
            },
            "StringLike": {f"{GH}:sub": "repo:*"},
        }
    )
    assert run("trust-oidc-broad-subject", pinned) == ()


def test_a_literal_star_under_string_equals_is_dead_not_broad() -> None:
    """`StringEquals "repo:acme/*"`: `*` is literal there, and no GitHub owner or repository
    name holds one, so no token matches: trust-dead-condition only. It was a high
    broad-subject finding whose witness was the literal `repo:acme/*`."""
    trust = github({"StringEquals": {**AUD, f"{GH}:sub": "repo:acme/*"}})
    assert run("trust-oidc-broad-subject", trust) == ()
    assert run("trust-oidc-untrusted-trigger", trust) == ()
    messages = [f.message for f in run("trust-dead-condition", trust)]
    assert any("literal under this operator" in m for m in messages)


def _govcloud(trust: dict[str, Any]) -> Any:
    from dataclasses import replace

    role = make_role("r", trust=trust)
    return make_account(roles=[replace(role, arn=role.arn.replace("arn:aws:", "arn:aws-us-gov:"))])


def test_a_principal_of_another_partition_admits_nobody() -> None:
    """Partitions have independent IAM instances: `arn:aws:iam::X:root` in a GovCloud role's
    trust policy is nobody (the evaluator denies it), not "any principal of account X" —
    while the GovCloud account of the same ID is still judged, as its own path."""
    from keyless.trust.analysis import analyse
    from keyless.trust.describe import describe_path

    commercial, govcloud = "arn:aws:iam::222233334444:root", "arn:aws-us-gov:iam::222233334444:root"
    trust = allow({"AWS": [commercial]})
    account = _govcloud(trust)
    assert findings("trust-cross-account-no-external-id", account) == ()
    (dead,) = findings("trust-dead-condition", account)
    assert dead.evidence["principal"] == commercial
    assert "partition aws and the role of aws-us-gov" in dead.message
    assert dead.severity.value == "medium"
    # Both partitions' roots of one account ID: two paths, only the GovCloud one reported.
    both = allow({"AWS": [commercial, govcloud]})
    (cross,) = findings("trust-cross-account-no-external-id", _govcloud(both))
    assert cross.evidence["principal"] == "222233334444"
    (dead,) = findings("trust-dead-condition", _govcloud(both))
    assert dead.evidence["principal"] == commercial
    said = [describe_path(p, "111122223333") for p in analyse(both, partition="aws-us-gov").paths]
    assert said[0].startswith(f"nobody through {commercial}: it is of the partition aws")
    assert said[1] == "any principal of account 222233334444 that its own policies allow"
    # In an `aws` role the commercial root is judged and the GovCloud one admits nobody.
    (cross,) = run("trust-cross-account-no-external-id", both)
    assert cross.evidence["principal"] == "222233334444"
    (dead,) = run("trust-dead-condition", both)
    assert dead.evidence["principal"] == govcloud


def test_a_canonical_user_principal_admits_nobody() -> None:
    """A CanonicalUser names an S3 owner; no caller of STS carries one, so the statement is
    dead, not an AWS service open to another account's resources."""
    from keyless.trust.analysis import analyse
    from keyless.trust.describe import describe_path

    canonical = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
    trust = allow({"CanonicalUser": canonical})
    assert run("trust-service-confused-deputy", trust) == ()
    (dead,) = run("trust-dead-condition", trust)
    assert dead.evidence["principal"] == canonical
    assert "names an Amazon S3 owner" in dead.message
    (path,) = analyse(trust).paths
    assert describe_path(path, "111122223333").startswith(f"nobody through {canonical}")


def test_an_unknown_issuer_is_said_not_judged() -> None:
    from keyless.trust.analysis import analyse
    from keyless.trust.describe import describe_path

    issuer = "token.builds.bitrise.io"
    trust = allow(
        {"Federated": f"arn:aws:iam::111122223333:oidc-provider/{issuer}"},
        {"StringEquals": {f"{issuer}:aud": "https://bitrise.io"}},
    )
    trust["Statement"][0]["Action"] = "sts:AssumeRoleWithWebIdentity"
    (path,) = analyse(trust).paths
    assert describe_path(path, "111122223333").endswith(
        "(an issuer keyless does not know: who can get its tokens is not judged)"
    )
    (known,) = analyse(WELL_PINNED).paths
    assert "not judged" not in describe_path(known, "111122223333")


def test_findings_on_several_alike_paths_say_which_path() -> None:
    """Two clusters (or two SAML providers) of one role, each open: one finding each, and
    each names its provider; they read alike before (a history store could not tell them
    apart). A lone path's message is unchanged."""
    clusters = [
        "oidc.eks.us-east-1.amazonaws.com/id/AAAA1111BBBB2222CCCC3333DDDD4444",
        "oidc.eks.eu-west-1.amazonaws.com/id/EEEE1111BBBB2222CCCC3333DDDD4444",
    ]
    statements = [
        {
            "Effect": "Allow",
            "Principal": {"Federated": f"arn:aws:iam::111122223333:oidc-provider/{issuer}"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringLike": {f"{issuer}:sub": "system:serviceaccount:data:*"}},
        }
        for issuer in clusters
    ]
    trust = {"Version": "2012-10-17", "Statement": statements}
    found = run("trust-eks-unpinned", trust)
    assert len({f.message for f in found}) == 2
    assert all(
        f"(through '{f.evidence['principal'].split('/', 1)[1]}')" in f.message for f in found
    )
    alone = run("trust-eks-unpinned", {"Version": "2012-10-17", "Statement": statements[:1]})
    assert [f.message for f in alone] == [
        "r: any service account of namespace data can assume it, such as data:attacker"
    ]
    providers = [f"arn:aws:iam::111122223333:saml-provider/{name}" for name in ("okta", "entra")]
    saml = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Federated": p}, "Action": "sts:AssumeRoleWithSAML"}
            for p in providers
        ],
    }
    messages = {f.message for f in run("trust-saml-no-audience", saml)}
    assert messages == {
        f"r: accepts SAML assertions for another recipient (through '{p}')" for p in providers
    }
