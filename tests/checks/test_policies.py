"""The policy helper behind the admin and MFA checks: shapes it recognises, and odd
documents it must survive."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keyless.checks._policies import (
    denies_without_mfa,
    grants_full_admin,
    is_full_admin_arn,
    policies_of,
    unreadable,
)
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


@pytest.mark.parametrize(
    ("document", "admin"),
    [
        (ALLOW_ALL, True),
        ({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}, True),
        ({"Statement": [{"Effect": "Allow", "Action": "*:*", "Resource": "*"}]}, True),
        # IAM refuses "allow" (MalformedPolicyDocument): not a document it applies.
        ({"Statement": [{"Effect": "allow", "Action": "*:*", "Resource": "*"}]}, False),
        ({"Statement": [{"Effect": "Allow", "Action": ["ec2:*", "*"], "Resource": ["*"]}]}, True),
        ({"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}, True),
        (
            {"Statement": [{"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::x"}]},
            True,
        ),
        ({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}, False),
        ({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}, False),
        (
            {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b/*"}]},
            False,
        ),
        ({"Statement": [{"Effect": "Allow", "Action": "iam:*"}]}, False),
        (READ_ONLY, False),
    ],
)
def test_grants_full_admin(document: Any, admin: bool) -> None:
    assert grants_full_admin(document) is admin


MALFORMED = [
    None,
    "",
    "{}",
    42,
    [],
    {},
    {"Statement": None},
    {"Statement": "*"},
    {"Statement": [None, 3, "x", []]},
    {"Statement": [{"Effect": None, "Action": None, "Resource": None}]},
    {"Statement": [{"Effect": ["Allow"], "Action": {"*": 1}, "Resource": 7}]},
    {"Statement": [{"Effect": "Deny", "NotAction": [], "Resource": "*", "Condition": "x"}]},
    {"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": 1}}]},
    {"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {3: {}}}]},
]


@pytest.mark.parametrize("document", MALFORMED)
def test_malformed_documents_are_not_recognised(document: Any) -> None:
    assert grants_full_admin(document) is False
    assert denies_without_mfa(document) is False


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.sampled_from(["*", "Allow", "Deny", "x"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "Statement",
                    "Effect",
                    "Action",
                    "NotAction",
                    "Resource",
                    "Condition",
                    "Bool",
                    "Null",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@given(json_values)
def test_predicates_never_raise(document: Any) -> None:
    assert grants_full_admin(document) in (True, False)
    assert denies_without_mfa(document) in (True, False)


@pytest.mark.parametrize(
    ("arn", "admin"),
    [
        (ADMIN_POLICY_ARN, True),
        ("arn:aws-cn:iam::aws:policy/AdministratorAccess", True),
        ("arn:aws:iam::aws:policy/job-function/AdministratorAccess", False),
        ("arn:aws:iam::111122223333:policy/AdministratorAccess", False),
        ("arn:aws:iam::aws:policy/ReadOnlyAccess", False),
        ("AdministratorAccess", False),
        ("", False),
        (None, False),
    ],
)
def test_is_full_admin_arn(arn: str | None, admin: bool) -> None:
    assert is_full_admin_arn(arn) is admin


def test_denies_without_mfa_recognises_aws_example() -> None:
    assert denies_without_mfa(DENY_WITHOUT_MFA)


def test_policies_of_follows_groups_and_resolves_documents() -> None:
    custom = make_managed_policy("custom", READ_ONLY)
    user = make_user(attached=[custom.arn], inline=[ALLOW_ALL], groups=["ops", "ghost"])
    account = make_account(
        users=[user],
        groups=[make_group("ops", attached=[ADMIN_POLICY_ARN], inline=[DENY_WITHOUT_MFA])],
        policies=[custom],
    )
    applied = policies_of(user, account)
    assert [(p.via, p.label) for p in applied] == [
        ("user", custom.arn),
        ("user", "inline:user/inline-0"),
        ("group:ops", ADMIN_POLICY_ARN),
        ("group:ops", "inline:group:ops/inline-0"),
        ("group:ghost", "group:ghost"),  # a group the export does not hold
    ]
    assert applied[0].document is READ_ONLY
    assert applied[2].document is None  # AWS managed, document not in the export
    # Known by its ARN, AdministratorAccess is read without its document; the group the
    # export lacks is not: its policies may be anything.
    assert unreadable(applied) == (
        ("group:ghost", "the group is not in the authorization details"),
    )


def test_a_managed_policy_without_its_document_is_unread() -> None:
    """A policy attached to the user whose document the export lacks (an export filtered
    by `--filter`, a hand-merged one) may grant or deny anything: unread, never nothing."""
    user = make_user(attached=["arn:aws:iam::123456789012:policy/require-mfa"])
    account = make_account(users=[user])
    assert unreadable(policies_of(user, account)) == (
        (
            "arn:aws:iam::123456789012:policy/require-mfa",
            "its document is not in the authorization details",
        ),
    )
