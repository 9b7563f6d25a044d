"""user-long-lived-access-key, user-console-password-unused, user-admin-with-access-key,
user-direct-policy, user-for-workload."""

from __future__ import annotations

from typing import Any

import pytest

from keyless.config import Thresholds
from keyless.model import User
from tests.builders import (
    ADMIN_POLICY_ARN,
    ALLOW_ALL,
    READ_ONLY,
    make_account,
    make_group,
    make_key,
    make_login,
    make_managed_policy,
    make_user,
)
from tests.checks.support import findings

# user-long-lived-access-key


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ([], 0),
        ([make_key(active=False)], 0),
        ([make_key(1)], 1),
        ([make_key(1), make_key(2)], 1),
    ],
)
def test_long_lived_key_is_one_finding_per_user(keys: list, expected: int) -> None:
    assert len(findings("user-long-lived-access-key", make_user(keys=keys))) == expected


def test_long_lived_key_message_lists_slots() -> None:
    user = make_user("dave", keys=[make_key(1), make_key(2)])
    (finding,) = findings("user-long-lived-access-key", user)
    assert finding.message == "dave has 2 active access keys (slot 1, 2)"
    assert finding.severity == "medium"
    assert finding.evidence["slots"] == (1, 2)


# user-console-password-unused


@pytest.mark.parametrize(
    ("login", "fires"),
    [
        (make_login(last_used_days=1), False),
        (make_login(last_used_days=45), False),
        (make_login(last_used_days=46), True),
        (make_login(created_days=45, last_used_days=None), False),
        (make_login(created_days=46, last_used_days=None), True),
    ],
)
def test_password_unused_boundaries(login: Any, fires: bool) -> None:
    user = make_user(console=login)
    assert bool(findings("user-console-password-unused", user)) is fires


def test_password_unused_without_console_is_silent() -> None:
    assert findings("user-console-password-unused", make_user(console=False)) == ()


def test_password_never_used_falls_back_to_user_creation() -> None:
    user = make_user(
        "erin", console=make_login(created_days=None, last_used_days=None), created_days=90
    )
    (finding,) = findings("user-console-password-unused", user)
    assert "no recorded use and is 90 days old" in finding.message
    assert finding.evidence["age_days"] == 90


def test_password_unused_of_unknown_age_is_silent() -> None:
    login = make_login(created_days=None, last_used_days=None)
    user = make_user(console=login, created_days=None)
    assert findings("user-console-password-unused", user) == ()


def test_password_unused_message() -> None:
    user = make_user("erin", console=make_login(last_used_days=60))
    (finding,) = findings("user-console-password-unused", user)
    assert finding.message == "console password of erin was last used 60 days ago (limit 45)"


def test_password_unused_uses_configured_limit() -> None:
    user = make_user(console=make_login(last_used_days=60))
    assert findings("user-console-password-unused", user, Thresholds(password_unused_days=90)) == ()


# user-admin-with-access-key

CUSTOM_ADMIN = make_managed_policy("everything", ALLOW_ALL)
LIST_ADMIN = {"Statement": [{"Effect": "Allow", "Action": ["s3:*", "*"], "Resource": ["*"]}]}
NOT_ACTION_ADMIN = {"Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}}


def _admin_case(**user_args: Any) -> Any:
    """An account whose user 'admin' has an active key and ``user_args``."""
    return make_account(
        users=[make_user("admin", keys=[make_key()], **user_args)],
        groups=[
            make_group("admins", attached=[ADMIN_POLICY_ARN]),
            make_group("inline-admins", inline=[ALLOW_ALL]),
            make_group("readers", attached=[make_managed_policy("reader").arn]),
        ],
        policies=[CUSTOM_ADMIN, make_managed_policy("reader", READ_ONLY)],
    )


@pytest.mark.parametrize(
    ("user_args", "fires"),
    [
        ({"attached": [ADMIN_POLICY_ARN]}, True),
        ({"attached": ["arn:aws-us-gov:iam::aws:policy/AdministratorAccess"]}, True),
        ({"attached": [CUSTOM_ADMIN.arn]}, True),
        ({"inline": [ALLOW_ALL]}, True),
        ({"inline": [LIST_ADMIN]}, True),
        ({"inline": [NOT_ACTION_ADMIN]}, True),
        ({"groups": ["admins"]}, True),
        ({"groups": ["inline-admins"]}, True),
        ({"groups": ["readers"]}, False),
        ({"groups": ["no-such-group"]}, False),
        ({"inline": [READ_ONLY]}, False),
        ({"attached": ["arn:aws:iam::111122223333:policy/AdministratorAccess"]}, False),
        ({}, False),
    ],
)
def test_admin_with_key_detects_admin_paths(user_args: dict[str, Any], fires: bool) -> None:
    assert bool(findings("user-admin-with-access-key", _admin_case(**user_args))) is fires


@pytest.mark.parametrize("keys", [[], [make_key(active=False)]])
def test_admin_without_active_key_is_silent(keys: list) -> None:
    user = make_user("admin", keys=keys, attached=[ADMIN_POLICY_ARN])
    assert findings("user-admin-with-access-key", user) == ()


def test_admin_with_key_is_critical_and_names_policy() -> None:
    (finding,) = findings("user-admin-with-access-key", _admin_case(groups=["admins"]))
    assert finding.severity == "critical"
    assert ADMIN_POLICY_ARN in finding.message
    assert finding.evidence["policies"] == (ADMIN_POLICY_ARN,)
    assert finding.evidence["via"] == ("group:admins",)


# A document shaped like AWS's PowerUserAccess (written for this test): everything except
# IAM, Organizations and Account management, then a few of those given back.
POWER_USER = make_managed_policy(
    "PowerUserAccess",
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "NotAction": ["iam:*", "organizations:*", "account:*"],
                "Resource": "*",
            },
            {
                "Effect": "Allow",
                "Action": [
                    "iam:CreateServiceLinkedRole",
                    "iam:ListRoles",
                    "organizations:DescribeOrganization",
                    "account:ListRegions",
                ],
                "Resource": "*",
            },
        ],
    },
    arn="arn:aws:iam::aws:policy/PowerUserAccess",
)


def _power_user(*extra: str) -> Any:
    return make_account(
        users=[make_user("dev", keys=[make_key()], attached=[POWER_USER.arn, *extra])],
        policies=[POWER_USER, CUSTOM_ADMIN],
    )


def test_power_user_is_near_administrator_and_says_what_is_excepted() -> None:
    (finding,) = findings("user-admin-with-access-key", _power_user())
    assert finding.severity == "high"
    assert "full administrator" not in finding.message
    assert (
        "every action except IAM, Organizations and Account management "
        "(iam:*, organizations:*, account:*), apart from 4 of their actions" in finding.message
    )
    assert finding.evidence["grants"] == "every action except"
    assert finding.evidence["except"] == ("iam:*", "organizations:*", "account:*")
    assert "iam:listroles" in finding.evidence["allowed_of_excepted"]


def test_power_user_plus_iam_is_full_administrator() -> None:
    iam = make_managed_policy(
        "iam-all",
        {
            "Statement": {
                "Effect": "Allow",
                "Action": ["iam:*", "organizations:*", "account:*"],
                "Resource": "*",
            }
        },
    )
    account = make_account(
        users=[make_user("dev", keys=[make_key()], attached=[POWER_USER.arn, iam.arn])],
        policies=[POWER_USER, iam],
    )
    (finding,) = findings("user-admin-with-access-key", account)
    assert finding.severity == "critical"
    assert "full administrator access" in finding.message


def test_a_deny_is_an_exception() -> None:
    deny = {"Statement": {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}}
    (finding,) = findings(
        "user-admin-with-access-key",
        make_user("dev", keys=[make_key()], inline=[ALLOW_ALL, deny]),
    )
    assert finding.severity == "high"
    assert finding.evidence["except"] == ("iam:*",)


DENY_BILLING_AND_IAM = {
    "Version": "2012-10-17",
    "Statement": {"Effect": "Deny", "Action": ["aws-portal:*", "iam:*"], "Resource": "*"},
}


@pytest.mark.parametrize("with_document", [False, True])
def test_a_deny_narrows_administrator_access_too(with_document: bool) -> None:
    # Bob of the AWS CLI's get-account-authorization-details example: AdministratorAccess
    # through the Admins group, an inline Deny of billing and IAM. He was "full
    # administrator" (critical) whether or not the export holds AWS's policy document.
    admin = make_managed_policy("AdministratorAccess", ALLOW_ALL, arn=ADMIN_POLICY_ARN)
    account = make_account(
        users=[
            make_user("Bob", keys=[make_key()], groups=["Admins"], inline=[DENY_BILLING_AND_IAM])
        ],
        groups=[make_group("Admins", attached=[ADMIN_POLICY_ARN])],
        policies=[admin] if with_document else [],
    )
    (finding,) = findings("user-admin-with-access-key", account)
    assert finding.severity == "high"
    assert "full administrator" not in finding.message
    assert finding.evidence["except"] == ("aws-portal:*", "iam:*")
    assert "every action except the Billing console and IAM (aws-portal:*, iam:*)" in (
        finding.message
    )
    assert finding.evidence["policies"] == (ADMIN_POLICY_ARN,)


def test_a_conditional_deny_narrows_nothing() -> None:
    deny = {
        "Statement": {
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        }
    }
    (finding,) = findings(
        "user-admin-with-access-key",
        make_user("dev", keys=[make_key()], inline=[ALLOW_ALL, deny]),
    )
    assert finding.severity == "critical"


# user-direct-policy


@pytest.mark.parametrize(
    ("user", "fires"),
    [
        (make_user(), False),
        (make_user(groups=["readers"]), False),
        (make_user(attached=[ADMIN_POLICY_ARN]), True),
        (make_user(inline=[READ_ONLY]), True),
    ],
)
def test_direct_policy(user: User, fires: bool) -> None:
    assert bool(findings("user-direct-policy", user)) is fires


def test_direct_policy_message_and_evidence() -> None:
    user = make_user("fay", attached=[ADMIN_POLICY_ARN], inline=[READ_ONLY])
    (finding,) = findings("user-direct-policy", user)
    assert finding.message == "fay has 1 managed and 1 inline policies attached directly"
    assert finding.evidence["managed_policies"] == (ADMIN_POLICY_ARN,)
    assert finding.severity == "low"


# user-for-workload


@pytest.mark.parametrize(
    ("user", "fires"),
    [
        (make_user(keys=[make_key()]), True),
        (make_user(keys=[make_key()], console=True), False),
        (make_user(keys=[make_key(active=False)]), False),
        (make_user(), False),
    ],
)
def test_user_for_workload(user: User, fires: bool) -> None:
    assert bool(findings("user-for-workload", user)) is fires


def test_user_for_workload_evidence_names_services() -> None:
    user = make_user("ci", keys=[make_key(1, service="s3"), make_key(2, service="ecr")])
    (finding,) = findings("user-for-workload", user)
    assert finding.evidence["last_used_services"] == ("ecr", "s3")
    assert "ci has 2 active access key(s) and no console password" in finding.message
