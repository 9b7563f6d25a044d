"""The reasoner over Numeric and Date conditions at the edges of their range: huge numbers
and the first and last representable dates are decided (with replayed witnesses), not
crashed on."""

from __future__ import annotations

from typing import Any

import pytest

from keyless.trust.analysis import analyse
from keyless.trust.formula import present
from keyless.trust.witness import find
from tests.trust.support import assert_admitted


def policy(operator: str, key: str, value: Any) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                "Action": "sts:AssumeRole",
                "Condition": {operator: {key: value}},
            }
        ],
    }


@pytest.mark.parametrize(
    ("operator", "key", "value"),
    [
        ("NumericGreaterThan", "aws:MultiFactorAuthAge", 123456789012345678901234567890),
        ("NumericGreaterThan", "aws:MultiFactorAuthAge", "1e999999999"),
        ("NumericLessThan", "aws:MultiFactorAuthAge", "-1e999999999"),
        ("NumericLessThan", "aws:MultiFactorAuthAge", "9" * 5000),
        ("DateLessThan", "aws:CurrentTime", "9999-12-31T23:59:59Z"),
        ("DateGreaterThan", "aws:CurrentTime", "0001-01-01T00:00:00Z"),
    ],
)
def test_edge_values_have_a_replayed_witness(operator: str, key: str, value: Any) -> None:
    document = policy(operator, key, value)
    (path,) = analyse(document).paths
    witness = find(path, present(key.lower()))
    assert_admitted(document, witness)


def test_nothing_above_the_last_date() -> None:
    (path,) = analyse(policy("DateGreaterThan", "aws:CurrentTime", "9999-12-31T23:59:59Z")).paths
    assert find(path, present("aws:currenttime")) is None
