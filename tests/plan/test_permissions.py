"""What a target carries of a user's permissions: user-only statements dropped (found by
the policy engine), managed policies kept as references when unchanged, equal
permissions shared, over-privilege flagged."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Any

from keyless.model import Account
from keyless.plan.model import PolicyName
from keyless.plan.permissions import CarriedPermissions, carry, is_self_service
from keyless.plan.principal import Mode
from keyless.policy.document import parse_policy
from tests.builders import (
    ADMIN_POLICY_ARN,
    ALLOW_ALL,
    DENY_WITHOUT_MFA,
    READ_ONLY,
    make_account,
    make_group,
    make_managed_policy,
    make_user,
)

IC, KEYS = Mode.SIGNED_IN_WITH_MFA, Mode.ACCESS_KEY


def _doc(*statements: dict[str, Any]) -> MappingProxyType[str, Any]:
    return MappingProxyType({"Version": "2012-10-17", "Statement": list(statements)})


def _carry(account: Account, name: str, mode: Mode = IC) -> CarriedPermissions:
    user = next(u for u in account.users if u.name == name)
    return carry(user, account, mode)


def _inline_statements(carried: CarriedPermissions) -> list[dict[str, Any]]:
    inline = carried.carried.permissions.inline
    return list(inline["Statement"]) if inline else []


def test_self_service_on_own_user_is_recognised() -> None:
    statement = parse_policy(
        _doc(
            {
                "Effect": "Allow",
                "Action": ["iam:CreateAccessKey", "iam:ChangePassword"],
                "Resource": "arn:aws:iam::*:user/${aws:username}",
            }
        )
    ).statements[0]
    assert is_self_service(statement)


def test_the_same_actions_on_every_user_are_not_self_service() -> None:
    statement = parse_policy(
        _doc({"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "*"})
    ).statements[0]
    assert not is_self_service(statement)


def test_self_service_and_the_mfa_guard_are_dropped_for_people() -> None:
    policy = _doc(
        {
            "Effect": "Allow",
            "Action": "iam:*AccessKey*",
            "Resource": "arn:aws:iam::*:user/${aws:username}",
        },
        *DENY_WITHOUT_MFA["Statement"],
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
    )
    account = make_account(users=[make_user("alice", inline=[policy])])
    carried = _carry(account, "alice")
    assert [s["Action"] for s in _inline_statements(carried)] == ["s3:GetObject"]
    assert len(carried.carried.dropped) == 2


def test_the_mfa_guard_stays_for_workloads() -> None:
    account = make_account(users=[make_user("ci", inline=[DENY_WITHOUT_MFA, READ_ONLY])])
    effects = [s["Effect"] for s in _inline_statements(_carry(account, "ci", KEYS))]
    assert effects == ["Deny", "Allow"]


def test_an_unchanged_customer_managed_policy_stays_a_reference() -> None:
    policy = make_managed_policy("deploy", READ_ONLY)
    account = make_account(users=[make_user("ci", attached=[policy.arn])], policies=[policy])
    permissions = _carry(account, "ci", KEYS).carried.permissions
    assert (permissions.customer_managed, permissions.inline) == ((PolicyName("deploy"),), None)


def test_a_changed_customer_managed_policy_is_inlined() -> None:
    policy = make_managed_policy(
        "guarded", _doc(*DENY_WITHOUT_MFA["Statement"], *READ_ONLY["Statement"])
    )
    account = make_account(users=[make_user("alice", attached=[policy.arn])], policies=[policy])
    permissions = _carry(account, "alice").carried.permissions
    assert permissions.customer_managed == ()
    assert [s["Effect"] for s in (permissions.inline or {})["Statement"]] == ["Allow"]


def test_aws_managed_policies_stay_references() -> None:
    account = make_account(users=[make_user("alice", attached=[ADMIN_POLICY_ARN])])
    carried = _carry(account, "alice").carried
    assert carried.permissions.aws_managed == (ADMIN_POLICY_ARN,)
    assert carried.flags == ("*:*",)


def test_users_of_the_same_group_share_a_key() -> None:
    group = make_group("devs", inline=[READ_ONLY])
    account = make_account(
        users=[make_user("alice", groups=["devs"]), make_user("bob", groups=["devs"])],
        groups=[group],
    )
    assert _carry(account, "alice").key == _carry(account, "bob").key


def test_a_username_variable_makes_users_differ() -> None:
    home = _doc(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::h/${aws:username}/*"}
    )
    group = make_group("devs", inline=[home])
    account = make_account(
        users=[make_user("alice", groups=["devs"]), make_user("bob", groups=["devs"])],
        groups=[group],
    )
    assert _carry(account, "alice").key != _carry(account, "bob").key
    assert _inline_statements(_carry(account, "bob"))[0]["Resource"] == "arn:aws:s3:::h/bob/*"


def test_iam_star_is_flagged() -> None:
    policy = _doc({"Effect": "Allow", "Action": ["iam:*", "s3:GetObject"], "Resource": "*"})
    account = make_account(users=[make_user("alice", inline=[policy])])
    assert _carry(account, "alice").carried.flags == ("iam:*",)


def test_an_allow_on_unknown_identity_keys_is_dropped_and_a_deny_widened() -> None:
    policy = _doc(
        {
            "Effect": "Allow",
            "Action": "s3:*",
            "Resource": "*",
            "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
        },
        {
            "Effect": "Deny",
            "Action": "s3:DeleteBucket",
            "Resource": "*",
            "Condition": {"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}},
        },
        *ALLOW_ALL["Statement"],
    )
    account = make_account(users=[make_user("alice", inline=[policy])])
    statements = _inline_statements(_carry(account, "alice"))
    assert statements[0] == {
        "Sid": "Inline00",
        "Effect": "Deny",
        "Action": "s3:DeleteBucket",
        "Resource": "*",
    }
    assert len(statements) == 2


def test_the_permissions_boundary_is_carried() -> None:
    boundary = "arn:aws:iam::111122223333:policy/b"
    user = replace(make_user("ci", inline=[READ_ONLY]), permissions_boundary=boundary)
    account = make_account(users=[user])
    assert _carry(account, "ci", KEYS).carried.permissions.boundary == boundary
