"""user-console-without-mfa, account-mfa-not-enforced."""

from __future__ import annotations

from typing import Any

import pytest

from keyless.model import User
from tests.builders import (
    DENY_WITHOUT_MFA,
    READ_ONLY,
    make_account,
    make_group,
    make_managed_policy,
    make_user,
)
from tests.checks.support import findings


@pytest.mark.parametrize(
    ("user", "fires"),
    [
        (make_user(console=True, mfa=False), True),
        (make_user(console=True, mfa=True), False),
        (make_user(console=False, mfa=False), False),
    ],
)
def test_console_without_mfa(user: User, fires: bool) -> None:
    assert bool(findings("user-console-without-mfa", user)) is fires


def test_console_without_mfa_message() -> None:
    (finding,) = findings("user-console-without-mfa", make_user("gus", console=True))
    assert finding.message == "gus can sign in to the console without MFA"
    assert finding.severity == "high"


# account-mfa-not-enforced

ENFORCER = make_managed_policy("force-mfa", DENY_WITHOUT_MFA)


def _deny(condition: dict[str, Any], **statement: Any) -> dict[str, Any]:
    """A one-statement document: a Deny of all but IAM unless ``condition``; keyword
    arguments replace statement members (``None`` removes one)."""
    body = {"Effect": "Deny", "NotAction": ["iam:*"], "Resource": "*", "Condition": condition}
    body.update(statement)
    body = {key: value for key, value in body.items() if value is not None}
    return {"Version": "2012-10-17", "Statement": [body]}


def _account(**user_args: Any) -> Any:
    return make_account(
        users=[make_user("hal", console=True, mfa=True, **user_args)],
        groups=[
            make_group("people", attached=[ENFORCER.arn]),
            make_group("people-inline", inline=[DENY_WITHOUT_MFA]),
            make_group("readers", inline=[READ_ONLY]),
        ],
        policies=[ENFORCER],
    )


@pytest.mark.parametrize(
    ("user_args", "fires"),
    [
        ({}, True),
        ({"groups": ["readers"]}, True),
        ({"groups": ["people"]}, False),
        ({"groups": ["people-inline"]}, False),
        ({"attached": [ENFORCER.arn]}, False),
        ({"inline": [DENY_WITHOUT_MFA]}, False),
    ],
)
def test_mfa_enforcement_found_through_every_path(user_args: dict[str, Any], fires: bool) -> None:
    assert bool(findings("account-mfa-not-enforced", _account(**user_args))) is fires


@pytest.mark.parametrize(
    ("document", "enforces"),
    [
        (_deny({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}), True),
        (_deny({"Bool": {"aws:MultiFactorAuthPresent": "false"}}), True),
        (_deny({"Bool": {"aws:MultiFactorAuthPresent": False}}), True),
        (_deny({"Null": {"aws:MultiFactorAuthPresent": "true"}}), True),
        (_deny({"BoolIfExists": {"aws:multifactorauthpresent": ["false"]}}), True),
        (
            _deny(
                {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
                Action="*",
                NotAction=None,
            ),
            True,
        ),
        (_deny({"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}), False),
        (_deny({"Null": {"aws:MultiFactorAuthPresent": "false"}}), False),
        (_deny({"StringEquals": {"aws:MultiFactorAuthPresent": "false"}}), False),
        (_deny({"BoolIfExists": {"aws:SecureTransport": "false"}}), False),
        (_deny({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}, Effect="Allow"), False),
        (
            _deny(
                {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}, Resource="arn:aws:s3:::x"
            ),
            False,
        ),
        (_deny({}), False),
    ],
)
def test_mfa_enforcement_shapes(document: dict[str, Any], enforces: bool) -> None:
    account = make_account(users=[make_user("hal", console=True, inline=[document])])
    assert (not findings("account-mfa-not-enforced", account)) is enforces


def test_mfa_not_enforced_ignores_users_without_console() -> None:
    assert findings("account-mfa-not-enforced", make_user(console=False)) == ()


def test_mfa_not_enforced_fires_per_user_with_user_arn() -> None:
    users = [make_user("ivy", console=True), make_user("jon", console=True, mfa=True)]
    result = findings("account-mfa-not-enforced", make_account(users=users))
    assert [f.resource for f in result] == [u.arn for u in users]
    assert result[1].message == (
        "jon can sign in to the console and no deny-unless-MFA policy applies to them "
        "(MFA registered)"
    )
