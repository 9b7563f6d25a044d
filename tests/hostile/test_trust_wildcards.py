"""Trust policies whose wildcards were built to hang ``keyless trust``: ``*a`` fifty times
(Python's regular expressions backtrack polynomially on a value that does not match), and
5,000 ``*`` then 5,000 ``?`` (the automaton kept every star as a state). Both are judged
in seconds; the linear matcher agrees with a regular expression on every small case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from keyless.cli import cli
from keyless.policy.conditions import matches_wildcard, wildcard_to_regex

GH = "token.actions.githubusercontent.com"


def _policy(subject: str) -> dict[str, object]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::123456789012:oidc-provider/{GH}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringLike": {f"{GH}:sub": subject}},
            }
        ],
    }


@pytest.mark.parametrize(
    "subject",
    [
        pytest.param("repo:o/r:" + "*a" * 50, id="star-a-fifty-times"),
        pytest.param("*" * 50 + "?" * 50, id="stars-then-ones"),
        pytest.param("*" * 5000 + "?" * 5000, id="thousands-of-stars-then-ones"),
        pytest.param("repo:o/r:" + "*?" * 2000, id="star-one-alternating"),
    ],
)
def test_many_wildcards_are_judged(tmp_path: Path, subject: str) -> None:
    policy = tmp_path / "trust.json"
    policy.write_text(json.dumps(_policy(subject)))
    result = CliRunner().invoke(cli, ["trust", str(policy)], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert "] trust-oidc-" in result.output


@given(
    pattern=st.text(alphabet="ab*?", max_size=8),
    value=st.text(alphabet="ab", max_size=8),
    ignore_case=st.booleans(),
)
def test_the_wildcard_matcher_agrees_with_a_regular_expression(
    pattern: str, value: str, ignore_case: bool
) -> None:
    oracle = wildcard_to_regex(pattern, ignore_case=ignore_case).fullmatch(value) is not None
    assert matches_wildcard(pattern, value, ignore_case=ignore_case) is oracle


def test_the_wildcard_matcher_takes_no_time_on_a_backtracking_pattern() -> None:
    pattern = "*a" * 200 + "b"
    assert not matches_wildcard(pattern, "a" * 5000)
