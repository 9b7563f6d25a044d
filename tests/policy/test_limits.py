"""keyless.policy.limits: a trust policy beyond ten times AWS's largest (counted as AWS
counts, without whitespace) or with more condition values than AWS's largest can hold is
refused by the parser, before anything is analysed; one under both bounds is parsed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from keyless.errors import PolicyError
from keyless.policy.document import parse_policy, parse_trust_policy
from keyless.policy.limits import (
    MAX_TRUST_CONDITION_VALUES,
    MAX_TRUST_POLICY_CHARACTERS,
    PolicyTooLarge,
    trust_policy_size,
)


def sized(characters: int, principal: str = "111122223333") -> dict[str, Any]:
    """A valid trust policy of exactly ``characters`` (compact, whitespace not counted)
    trusting the AWS ``principal``: its Sid pads it."""
    document: dict[str, Any] = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "",
                "Effect": "Allow",
                "Principal": {"AWS": principal},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    document["Statement"][0]["Sid"] = "x" * (characters - trust_policy_size(document))
    assert trust_policy_size(document) == characters
    return document


def with_values(count: int) -> dict[str, Any]:
    """A small trust policy whose conditions hold ``count`` values over two keys."""
    half = count // 2
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "111122223333"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringLike": {"aws:PrincipalTag/team": [f"t{i}*" for i in range(half)]},
                    "StringEquals": {"sts:ExternalId": [f"e{i}" for i in range(count - half)]},
                },
            }
        ],
    }


def test_size_is_the_compact_json_without_whitespace() -> None:
    document = {"Statement": [{"Sid": "a b  c", "Effect": "Allow"}]}
    compact = json.dumps(document, separators=(",", ":"))
    assert trust_policy_size(document) == len(compact) - 3  # the spaces inside the Sid


def test_indented_text_measures_as_its_compact_form() -> None:
    document = sized(MAX_TRUST_POLICY_CHARACTERS + 1)
    with pytest.raises(PolicyTooLarge) as compact:
        parse_trust_policy(json.dumps(document, separators=(",", ":")))
    with pytest.raises(PolicyTooLarge) as indented:
        parse_trust_policy(json.dumps(document, indent=8))
    assert compact.value.size == indented.value.size == MAX_TRUST_POLICY_CHARACTERS + 1


def test_a_policy_at_the_character_limit_is_parsed() -> None:
    policy = parse_trust_policy(sized(MAX_TRUST_POLICY_CHARACTERS))
    assert len(policy.statements) == 1


def test_one_character_over_the_limit_is_refused() -> None:
    with pytest.raises(PolicyTooLarge) as raised:
        parse_trust_policy(sized(MAX_TRUST_POLICY_CHARACTERS + 1))
    assert (raised.value.size, raised.value.limit) == (
        MAX_TRUST_POLICY_CHARACTERS + 1,
        MAX_TRUST_POLICY_CHARACTERS,
    )


def test_refusal_is_a_policy_error_naming_the_file_size_and_limit() -> None:
    with pytest.raises(PolicyError) as raised:
        parse_trust_policy(json.dumps(sized(50_000)), source="big.json")
    assert raised.value.describe() == (
        "big.json: the trust policy has 50,000 characters (whitespace not counted), more "
        "than keyless analyses (40,960: ten times AWS's largest role trust policy)"
    )


def test_the_size_is_checked_before_the_content() -> None:
    document = sized(MAX_TRUST_POLICY_CHARACTERS + 10)
    document["Statement"][0]["Effect"] = "Perhaps"  # malformed too: the size comes first
    with pytest.raises(PolicyTooLarge):
        parse_trust_policy(document)


def test_condition_values_at_the_bound_are_parsed() -> None:
    policy = parse_trust_policy(with_values(MAX_TRUST_CONDITION_VALUES))
    assert sum(len(c.values) for c in policy.statements[0].conditions) == 1_024


def test_one_condition_value_over_the_bound_is_refused() -> None:
    with pytest.raises(PolicyTooLarge) as raised:
        parse_trust_policy(with_values(MAX_TRUST_CONDITION_VALUES + 1))
    assert (raised.value.size, raised.value.unit) == (1_025, "condition values")


def test_condition_values_are_counted_over_statements() -> None:
    one = with_values(MAX_TRUST_CONDITION_VALUES // 2 + 1)["Statement"][0]
    with pytest.raises(PolicyTooLarge):
        parse_trust_policy({"Version": "2012-10-17", "Statement": [one, one]})


def test_identity_policies_are_not_bound_by_the_trust_limit() -> None:
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::b{i}/*"}
            for i in range(2_000)
        ],
    }
    assert len(parse_policy(document).statements) == 2_000
