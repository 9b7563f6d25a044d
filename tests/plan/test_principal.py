"""Statements specialised to one user: identity conditions evaluated, variables replaced,
unknown keys reported."""

from __future__ import annotations

from typing import Any

from keyless.plan.principal import KeyState, Mode, Specialised, specialise, user_values
from keyless.policy.document import Statement, parse_policy
from tests.builders import make_user

ALICE = make_user("alice", tags={"team": "red"})


def _statement(body: dict[str, Any], version: str = "2012-10-17") -> Statement:
    return parse_policy({"Version": version, "Statement": [body]}).statements[0]


def _specialise(body: dict[str, Any], mode: Mode = Mode.SIGNED_IN_WITH_MFA) -> Specialised:
    return specialise(_statement(body), user_values(ALICE, mode), variables=True)


def test_a_statement_without_identity_keys_is_itself() -> None:
    body = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    result = _specialise(body)
    assert (result.changed, result.statement) == (False, _statement(body))


def test_username_variable_becomes_the_literal_name() -> None:
    result = _specialise(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"}
    )
    assert result.statement is not None
    assert result.statement.resources == ("arn:aws:s3:::home/alice/*",)


def test_a_true_identity_condition_is_removed() -> None:
    result = _specialise(
        {
            "Effect": "Allow",
            "Action": "s3:*",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalTag/team": "red"}},
        }
    )
    assert result.statement is not None
    assert result.statement.conditions == ()


def test_a_false_identity_condition_removes_the_statement() -> None:
    result = _specialise(
        {
            "Effect": "Allow",
            "Action": "s3:*",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:username": "bob"}},
        }
    )
    assert result.statement is None


def test_the_mfa_guard_never_applies_when_signed_in_with_mfa() -> None:
    guard = {
        "Effect": "Deny",
        "NotAction": "iam:ListMFADevices",
        "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    }
    assert _specialise(guard, Mode.SIGNED_IN_WITH_MFA).statement is None
    with_keys = _specialise(guard, Mode.ACCESS_KEY).statement
    assert with_keys is not None
    assert with_keys.conditions == ()


def test_a_request_key_condition_is_kept() -> None:
    result = _specialise(
        {
            "Effect": "Allow",
            "Action": "s3:*",
            "Resource": "*",
            "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        }
    )
    assert result.statement is not None
    assert len(result.statement.conditions) == 1


def test_an_unknown_identity_key_is_reported() -> None:
    result = _specialise(
        {
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}},
        }
    )
    assert result.unknown_keys == ("aws:multifactorauthage",)


def test_an_absent_key_without_default_makes_the_statement_not_match() -> None:
    result = _specialise(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::${aws:SourceIdentity}/*"}
    )
    assert result.statement is None


def test_substituted_wildcards_stay_literal() -> None:
    user = make_user("bob", tags={"prefix": "a*b"})
    statement = _statement(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::${aws:PrincipalTag/prefix}"}
    )
    result = specialise(statement, user_values(user, Mode.ACCESS_KEY), variables=True)
    assert result.statement is not None
    assert result.statement.resources == ("arn:aws:s3:::a${*}b",)


def test_dollars_of_an_old_policy_are_escaped_for_a_2012_document() -> None:
    statement = _statement(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::${x}"}, version="2008-10-17"
    )
    result = specialise(statement, user_values(ALICE, Mode.ACCESS_KEY), variables=False)
    assert result.statement is not None
    assert result.statement.resources == ("arn:aws:s3:::${$}{x}",)


def test_principal_tags_not_on_the_user_are_absent() -> None:
    values = user_values(ALICE, Mode.ACCESS_KEY)
    assert values.lookup("aws:PrincipalTag/other") is KeyState.ABSENT
    assert values.lookup("aws:PrincipalOrgPaths") is KeyState.UNKNOWN
