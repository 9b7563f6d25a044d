"""``"Principal": "*"`` with ``aws:PrincipalIsAWSService``: IAM principals and services.

AWS: aws:PrincipalIsAWSService "is present in the request context for all signed API
requests that use AWS credentials", "true" only when the call is made directly by an AWS
service principal (an IAM user or role session carries "false"), and aws:PrincipalServiceName
is present when a service principal makes the call
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalisawsservice).
So ``Bool "true"`` under ``"*"`` admits every service principal, for resources of any
account — a confused deputy, which AWS says to pin with aws:SourceAccount / aws:SourceArn
(https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html) — and no IAM
caller; ``Bool "false"`` admits every IAM principal of every account.
"""

from __future__ import annotations

from typing import Any

from keyless.idp.aws import aws_principal_request, service_request
from keyless.policy.document import parse_trust_policy
from keyless.policy.evaluate import evaluate
from keyless.trust.analysis import analyse
from keyless.trust.describe import describe_path
from keyless.trust.paths import PrincipalClass
from tests.trust.support import allow, run_check
from tests.trust.test_checks import run

IS_SERVICE = "aws:PrincipalIsAWSService"
TRUE = {"Bool": {IS_SERVICE: "true"}}


def anyone(condition: dict[str, Any]) -> dict[str, Any]:
    return allow("*", condition)


def test_service_only_star_is_no_trust_anyone() -> None:
    """No IAM caller carries aws:PrincipalIsAWSService "true" (it is "false" in every
    signed request of an IAM principal): not critical trust-anyone."""
    assert run_check("trust-anyone", anyone(TRUE)) == ()


def test_service_only_star_is_any_service_confused_deputy() -> None:
    """Every service principal can use the role for another account's resource: the
    confused deputy AWS documents, rated as a named service without source keys."""
    (finding,) = run_check("trust-service-confused-deputy", anyone(TRUE))
    assert str(finding.severity) == "medium"
    assert "any AWS service principal" in finding.message
    assert finding.witness == {
        "service": "sns.amazonaws.com",
        "context": {IS_SERVICE: "true", "aws:SourceAccount": "999988887777"},
    }


def test_service_only_star_pinned_to_own_account_is_clean() -> None:
    trust = anyone({**TRUE, "StringEquals": {"aws:SourceAccount": "111122223333"}})
    assert run_check("trust-service-confused-deputy", trust) == ()
    assert run_check("trust-anyone", trust) == ()
    assert run_check("trust-dead-condition", trust) == ()


def test_named_service_name_is_the_witness_service() -> None:
    trust = anyone({**TRUE, "StringEquals": {"aws:PrincipalServiceName": "events.amazonaws.com"}})
    (finding,) = run_check("trust-service-confused-deputy", trust)
    assert finding.witness is not None
    assert finding.witness["service"] == "events.amazonaws.com"


def test_false_is_still_anyone_with_a_real_iam_witness() -> None:
    (finding,) = run_check("trust-anyone", anyone({"Bool": {IS_SERVICE: "false"}}))
    assert finding.witness is not None
    assert finding.witness["principal"].startswith("arn:aws:iam::999988887777:")
    assert finding.witness["context"] == {IS_SERVICE: "false"}


def test_neither_half_is_a_dead_statement_alone() -> None:
    """Each half of "*" is described; only a statement neither can use is dead."""
    for value in ("true", "false"):
        assert run_check("trust-dead-condition", anyone({"Bool": {IS_SERVICE: value}})) == ()
    paths = analyse(anyone(TRUE)).paths
    assert [p.principal_class for p in paths] == [PrincipalClass.ANYONE, PrincipalClass.SERVICE]
    assert describe_path(paths[0]).startswith("no IAM principal of any account through *")
    assert describe_path(paths[1]).startswith("any AWS service principal")


def test_named_account_requiring_service_is_dead() -> None:
    trust = allow({"AWS": "arn:aws:iam::444455556666:root"}, TRUE)
    (finding,) = run("trust-dead-condition", trust)
    assert "admits no real request" in finding.message
    assert finding.witness is None


def test_requests_carry_the_key_as_aws_sets_it() -> None:
    """keyless simulate: an IAM caller sends "false", a service principal "true" and its
    name, so `Bool false` admits an IAM caller and `Bool true` a service."""
    false = parse_trust_policy(anyone({"Bool": {IS_SERVICE: "false"}}))
    true = parse_trust_policy(anyone(TRUE))
    user = aws_principal_request("arn:aws:iam::999988887777:user/u")
    sns = service_request("sns.amazonaws.com")
    assert evaluate(false, user).allowed
    assert not evaluate(true, user).allowed
    assert evaluate(true, sns).allowed
    assert not evaluate(false, sns).allowed
    named = parse_trust_policy(
        anyone({"StringEquals": {"aws:PrincipalServiceName": "sns.amazonaws.com"}})
    )
    assert evaluate(named, sns).allowed


def test_statement_neither_half_can_use_is_dead_once() -> None:
    """Services carry no aws:PrincipalOrgID (it describes an IAM principal's account) and
    IAM callers no "true": nobody, reported once."""
    trust = anyone({**TRUE, "StringEquals": {"aws:PrincipalOrgID": "o-abc123def4"}})
    (finding,) = run("trust-dead-condition", trust)
    assert finding.message.endswith("admits no real request from *")


def test_star_without_service_keys_has_no_service_half() -> None:
    (path,) = analyse(anyone({"StringEquals": {"sts:ExternalId": ""}})).paths
    assert path.principal_class is PrincipalClass.ANYONE
    assert describe_path(path).endswith("(see trust-dead-condition)")
