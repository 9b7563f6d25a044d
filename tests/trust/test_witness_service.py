"""The service form of a witness: an AWS service principal calling sts:AssumeRole."""

from __future__ import annotations

import pytest

from keyless.errors import InputError
from keyless.policy.document import Policy, parse_trust_policy
from keyless.trust.replay import evaluate_witness, witness_request


def service_trust(condition: dict[str, object] | None = None) -> Policy:
    statement: dict[str, object] = {
        "Effect": "Allow",
        "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return parse_trust_policy({"Version": "2012-10-17", "Statement": [statement]})


def test_named_service_is_allowed() -> None:
    assert evaluate_witness(service_trust(), {"service": "sns.amazonaws.com"}).allowed


def test_other_service_is_denied() -> None:
    assert not evaluate_witness(service_trust(), {"service": "sqs.amazonaws.com"}).allowed


def test_source_account_in_context_meets_the_condition() -> None:
    policy = service_trust({"StringEquals": {"aws:SourceAccount": "111122223333"}})
    own = {"service": "sns.amazonaws.com", "context": {"aws:SourceAccount": "111122223333"}}
    other = {"service": "sns.amazonaws.com", "context": {"aws:SourceAccount": "999988887777"}}
    assert evaluate_witness(policy, own).allowed
    assert not evaluate_witness(policy, other).allowed


def test_session_tags_need_tag_session() -> None:
    request = witness_request(
        {"service": "pods.eks.amazonaws.com", "context": {"aws:RequestTag/team": "a"}}
    )
    assert request.actions == ("sts:AssumeRole", "sts:TagSession")


@pytest.mark.parametrize("value", ["", 7, None])
def test_service_must_be_a_name(value: object) -> None:
    with pytest.raises(InputError, match="service principal"):
        witness_request({"service": value})


def test_service_and_principal_together_are_refused() -> None:
    with pytest.raises(InputError, match="exactly one"):
        witness_request({"service": "sns.amazonaws.com", "principal": "111122223333"})
