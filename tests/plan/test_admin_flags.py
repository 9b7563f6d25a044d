"""A target's ``*:*`` flag is judged as the ``user-admin-with-access-key`` check judges
administrators: from what the policies grant together, Denies included
(:func:`keyless.policy.grants.grant_on_everything`). A user with ``AdministratorAccess``
and a Deny of ``iam:*`` beside it was planned ``*:*`` policy by policy (the ARN alone),
while the check reports it near-administrator: now ``near-*:*``, as ``PowerUserAccess``."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import pytest

from keyless.model import Account
from keyless.plan.permissions import carry
from keyless.plan.principal import Mode
from tests.builders import (
    ADMIN_POLICY_ARN,
    ALLOW_ALL,
    READ_ONLY,
    make_account,
    make_group,
    make_key,
    make_managed_policy,
    make_user,
)
from tests.checks.support import findings


def _doc(*statements: dict[str, Any]) -> MappingProxyType[str, Any]:
    return MappingProxyType({"Version": "2012-10-17", "Statement": list(statements)})


ADMIN = make_managed_policy("AdministratorAccess", ALLOW_ALL, arn=ADMIN_POLICY_ARN)
DENY_IAM = _doc({"Effect": "Deny", "Action": "iam:*", "Resource": "*"})
DENY_BILLING_AND_IAM = _doc(
    {"Effect": "Deny", "Action": ["aws-portal:*", "iam:*"], "Resource": "*"}
)
DENY_ONE_BUCKET = _doc({"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::logs/*"})
DENY_IN_A_REGION = _doc(
    {
        "Effect": "Deny",
        "Action": "iam:*",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
    }
)
POWER_USER = make_managed_policy(
    "PowerUserAccess",
    _doc(
        {
            "Effect": "Allow",
            "NotAction": ["iam:*", "organizations:*", "account:*"],
            "Resource": "*",
        },
        {"Effect": "Allow", "Action": ["iam:ListRoles"], "Resource": "*"},
    ),
    arn="arn:aws:iam::aws:policy/PowerUserAccess",
)
IAM_ALL = make_managed_policy(
    "iam-all", _doc({"Effect": "Allow", "Action": "iam:*", "Resource": "*"})
)

EXCEPTED = make_managed_policy(
    "excepted",
    _doc({"Effect": "Allow", "Action": ["iam:*", "organizations:*", "account:*"], "Resource": "*"}),
)


def _account(*, with_document: bool = True, **user: Any) -> Account:
    """An account whose user 'bob' has an active key and ``user``; ``Admins`` holds
    AdministratorAccess (its document in the inventory unless ``with_document`` is false)."""
    policies = [POWER_USER, IAM_ALL, EXCEPTED, *([ADMIN] if with_document else [])]
    return make_account(
        users=[make_user("bob", keys=[make_key()], **user)],
        groups=[make_group("Admins", attached=[ADMIN_POLICY_ARN])],
        policies=policies,
    )


CASES = {
    "admin": ({"groups": ["Admins"]}, ("*:*",)),
    "admin, no document": ({"groups": ["Admins"], "with_document": False}, ("*:*",)),
    "admin and a deny of iam": (
        {"groups": ["Admins"], "inline": [DENY_IAM]},
        ("near-*:*",),
    ),
    "admin, no document, and a deny of billing and iam": (
        {"groups": ["Admins"], "inline": [DENY_BILLING_AND_IAM], "with_document": False},
        ("near-*:*",),
    ),
    "admin and a deny on one bucket": (
        {"groups": ["Admins"], "inline": [DENY_ONE_BUCKET]},
        ("*:*",),
    ),
    "admin and a conditional deny": (
        {"groups": ["Admins"], "inline": [DENY_IN_A_REGION]},
        ("*:*",),
    ),
    "power user": ({"attached": [POWER_USER.arn]}, ("near-*:*",)),
    "power user and iam": ({"attached": [POWER_USER.arn, IAM_ALL.arn]}, ("iam:*", "near-*:*")),
    "power user and what it excepts": (
        {"attached": [POWER_USER.arn, EXCEPTED.arn]},
        ("*:*",),
    ),
    "iam only": ({"attached": [IAM_ALL.arn]}, ("iam:*",)),
    "allow all inline and a deny of iam": ({"inline": [ALLOW_ALL, DENY_IAM]}, ("near-*:*",)),
    "read only": ({"inline": [READ_ONLY]}, ()),
}
#: The check's severity for each flag: full administrator, near-administrator.
SEVERITY = {"*:*": "critical", "near-*:*": "high"}


def _flags(account: Account) -> tuple[str, ...]:
    (user,) = account.users
    return carry(user, account, Mode.SIGNED_IN_WITH_MFA).carried.flags


@pytest.mark.parametrize(("user", "flags"), CASES.values(), ids=CASES.keys())
def test_the_plan_flags_an_administrator_as_the_check_judges_one(
    user: dict[str, Any], flags: tuple[str, ...]
) -> None:
    account = _account(**user)
    assert _flags(account) == flags
    severities = [f.severity for f in findings("user-admin-with-access-key", account)]
    assert severities == [SEVERITY[flag] for flag in flags if flag in SEVERITY]


def test_a_deny_of_iam_beside_an_allow_of_iam_leaves_no_iam_flag() -> None:
    account = _account(inline=[ALLOW_ALL, DENY_IAM], attached=[IAM_ALL.arn])
    assert _flags(account) == ("near-*:*",)
