"""A ``Principal.Federated`` that names an OIDC issuer by host name: STS takes a host name
only for its built-in web identity providers (``accounts.google.com``,
``cognito-identity.amazonaws.com``, ``graph.facebook.com``, ``www.amazon.com``); "for other
OIDC providers, use the ARN of the OIDC identity provider you created"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html). A
statement trusting ``token.actions.githubusercontent.com`` therefore admits no GitHub token:
it is dead, never "any GitHub tenant"."""

from __future__ import annotations

import pytest

from keyless.policy.document import parse_trust_policy
from keyless.policy.evaluate import Caller, CallerType, Request, evaluate, make_context
from tests.builders import make_account, make_role
from tests.checks.support import findings
from tests.trust.support import GH, allow, run_check

NO_SUB = {"StringEquals": {f"{GH}:aud": "sts.amazonaws.com"}}


def by_host(host: str, condition: dict[str, object]) -> dict[str, object]:
    return allow({"Federated": host}, condition, Action="sts:AssumeRoleWithWebIdentity")


def test_a_github_host_principal_admits_no_tenant() -> None:
    assert run_check("trust-oidc-any-tenant", by_host(GH, NO_SUB)) == ()


def test_a_github_host_principal_is_reported_dead() -> None:
    role = make_role("r", trust=by_host(GH, NO_SUB))
    (finding,) = findings("trust-dead-condition", make_account(roles=[role]))
    assert "admits nobody" in finding.message
    assert "IAM OIDC provider" in finding.message


def test_the_same_policy_through_the_provider_arn_is_open() -> None:
    arn = f"arn:aws:iam::111122223333:oidc-provider/{GH}"
    policy = allow({"Federated": arn}, NO_SUB, Action="sts:AssumeRoleWithWebIdentity")
    assert run_check("trust-oidc-any-tenant", policy)
    assert run_check("trust-dead-condition", policy) == ()


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        (GH, False),
        ("gitlab.com", False),
        ("accounts.google.com", True),
        ("cognito-identity.amazonaws.com", True),
    ],
)
def test_the_evaluator_matches_a_host_name_only_for_built_in_providers(
    host: str, allowed: bool
) -> None:
    policy = parse_trust_policy(by_host(host, {}))
    caller = Caller(CallerType.WEB_IDENTITY, provider=host)
    request = Request(caller, ("sts:AssumeRoleWithWebIdentity",), make_context({}))
    assert evaluate(policy, request).allowed is allowed


def test_a_built_in_provider_by_host_is_still_judged() -> None:
    google = by_host("accounts.google.com", {"StringEquals": {"accounts.google.com:oaud": "x"}})
    assert run_check("trust-dead-condition", google) == ()
