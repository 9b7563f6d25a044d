"""Numbers and dates in conditions: any size is compared exactly, and a value that cannot be
read is a PolicyError naming it, never a traceback (issue #10, item 11)."""

from __future__ import annotations

import json

import pytest

from keyless.errors import PolicyError
from keyless.policy.conditions import evaluate_condition, make_context, parse_number
from keyless.policy.document import parse_trust_policy

BIG = 123456789012345678901234567890  # beyond 64 bits


def policy_text(operator: str, key: str, literal: str) -> str:
    return (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",'
        f' "Action": "sts:AssumeRole", "Condition": {{"{operator}": {{"{key}": {literal}}}}}}}]}}'
    )


def decide(text: str, key: str, value: str) -> bool:
    condition = parse_trust_policy(text).statements[0].conditions[0]
    return evaluate_condition(condition, make_context({key: value})).passed


@pytest.mark.parametrize(
    ("literal", "request_value", "passed"),
    [
        (str(BIG), str(BIG - 1), True),
        (str(BIG), str(BIG), False),
        (f'"{BIG}"', str(BIG + 1), False),
        ('"1e999999999"', "1e999999998", True),
        ('"1e999999999"', "2e999999999", False),
    ],
)
def test_huge_numbers_compare_exactly(literal: str, request_value: str, passed: bool) -> None:
    text = policy_text("NumericLessThan", "aws:MultiFactorAuthAge", literal)
    assert decide(text, "aws:MultiFactorAuthAge", request_value) is passed


@pytest.mark.parametrize("text", ["1_000", "Infinity", "NaN", "sNaN", "0x10", "", "1e"])
def test_only_decimal_numbers_are_numbers(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("literal", "phrase"),
    [
        ("NaN", "NaN is not a JSON value"),
        ("Infinity", "Infinity is not a JSON value"),
        ("1e400", "out of range"),
        ("9" * 5000, "more digits than keyless reads"),
    ],
)
def test_unreadable_numbers_are_policy_errors(literal: str, phrase: str) -> None:
    with pytest.raises(PolicyError, match=phrase):
        parse_trust_policy(policy_text("NumericEquals", "aws:MultiFactorAuthAge", literal))


def test_a_non_finite_float_in_a_mapping_is_a_policy_error() -> None:
    document = json.loads(policy_text("NumericEquals", "aws:MultiFactorAuthAge", "1"))
    document["Statement"][0]["Condition"]["NumericEquals"]["aws:MultiFactorAuthAge"] = float("nan")
    with pytest.raises(PolicyError) as caught:
        parse_trust_policy(document)
    assert caught.value.pointer == "/Statement/0/Condition/NumericEquals/aws:MultiFactorAuthAge"
