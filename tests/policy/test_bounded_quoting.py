"""A value the policy file controls is quoted in a message in part (``keyless.errors.quoted``):
a 100,000-character key, Effect or principal must not become a 100 KB error (a trust
policy is refused past 40,960 characters, so its principals are 30,000 characters)."""

from __future__ import annotations

from typing import Any

import pytest

from keyless.errors import PolicyError
from keyless.policy.document import parse_policy, parse_trust_policy
from keyless.policy.operators import UnknownOperatorError, parse_operator

HUGE = "x" * 100_000
LARGE = "x" * 30_000
ALLOW = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
ASSUME = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}


def policy(base: dict[str, Any] = ALLOW, **statement: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{**base, **statement}]}


@pytest.mark.parametrize(
    "document",
    [
        {"Version": "2012-10-17", HUGE: 1, "Statement": [ALLOW]},
        {"Version": HUGE, "Statement": [ALLOW]},
        {"Version": "2012-10-17", "Statement": [{**ALLOW, HUGE: 1}]},
        policy(Effect=HUGE),
        policy(
            Condition={"StringEquals": {"aws:SourceVpc" + HUGE: "a", "AWS:SOURCEVPC" + HUGE: "b"}}
        ),
        policy(Condition={"Null": {"aws:SourceIp": HUGE}}),
        policy(Condition={"IpAddress": {"aws:SourceIp": HUGE}}),
        policy(Condition={HUGE: {"aws:SourceIp": "a"}}),
        policy(Condition={HUGE + ":StringEquals": {"aws:SourceIp": "a"}}),
    ],
)
def test_a_huge_value_is_quoted_in_part(document: dict[str, Any]) -> None:
    with pytest.raises(PolicyError) as refused:
        parse_policy(document)
    # Two keys that differ in case: two quotes of 200 characters.
    assert len(refused.value.message) < 600, refused.value.message[:700]
    assert "xxxxxxxx…" in refused.value.message


@pytest.mark.parametrize(
    "principal",
    [{LARGE: "*"}, {"AWS": "arn:aws:iam::111122223333:" + LARGE + "*"}, {"AWS": LARGE}],
)
def test_a_huge_principal_is_quoted_in_part(principal: dict[str, str]) -> None:
    with pytest.raises(PolicyError) as refused:
        parse_trust_policy(policy(ASSUME, Principal=principal))
    assert len(refused.value.message) < 500, refused.value.message[:600]
    assert "xxxxxxxx…" in refused.value.message


def test_a_huge_operator_is_quoted_in_part() -> None:
    with pytest.raises(UnknownOperatorError) as refused:
        parse_operator(HUGE)
    assert len(str(refused.value)) < 500
    assert str(refused.value).endswith("…'")
