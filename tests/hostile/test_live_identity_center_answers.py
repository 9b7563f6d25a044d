"""Identity Center answers of a shape keyless cannot read (an instance without its ARN, a
permission set ARN that is a number, a managed policy without its ``Arn``, an assignment
without its permission set) stopped ``--org`` with a ``KeyError`` traceback. Each is now
a failed call (``UnreadableResponse``, with the JSON pointer): a failed ``ListInstances``
fails the Identity Center state, any other leaves the organization incomplete (exit 3)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from moto import mock_aws

from keyless.collect.live.account import make_session
from keyless.collect.live.identity_center import collect_identity_center
from keyless.model import DatasetState

INSTANCE = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
SET = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef"
ACCOUNT = "111111111111"
READABLE = {
    "ListInstances": {"Instances": [{"InstanceArn": INSTANCE, "IdentityStoreId": "d-1234567890"}]},
    "ListPermissionSets": {"PermissionSets": [SET]},
    "DescribePermissionSet": {"PermissionSet": {"Name": "ReadOnly", "SessionDuration": "PT4H"}},
    "ListManagedPoliciesInPermissionSet": {
        "AttachedManagedPolicies": [{"Arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}]
    },
    "ListCustomerManagedPolicyReferencesInPermissionSet": {
        "CustomerManagedPolicyReferences": [{"Name": "Boundary", "Path": "/org/"}]
    },
    "GetInlinePolicyForPermissionSet": {},
    "ListAccountAssignments": {
        "AccountAssignments": [
            {
                "AccountId": ACCOUNT,
                "PermissionSetArn": SET,
                "PrincipalType": "GROUP",
                "PrincipalId": "g-1",
            }
        ]
    },
}


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


def _collect(**changed: dict[str, Any]) -> Any:
    session = make_session(region="us-east-1")
    for operation, body in {**READABLE, **changed}.items():
        reply = {**body, "ResponseMetadata": {"HTTPStatusCode": 200}}
        answer = AWSResponse("https://sso.invalid/", 200, {}, None), reply
        session.events.register(
            f"before-call.sso-admin.{operation}", lambda answer=answer, **_: answer
        )
    return collect_identity_center(session, account_ids=[ACCOUNT], max_workers=1)


def test_readable_answers_are_collected(aws: None) -> None:
    center, state = _collect()
    assert state.state is DatasetState.AVAILABLE
    (permission_set,) = center.permission_sets
    assert permission_set.managed_policies == ("arn:aws:iam::aws:policy/ReadOnlyAccess",)
    assert permission_set.customer_managed_policies == ("/org/Boundary",)
    assert [(a.account_id, a.principal_id) for a in center.assignments] == [(ACCOUNT, "g-1")]
    assert center.failed_calls == ()


def test_an_instance_without_its_arn_fails_the_state(aws: None) -> None:
    center, state = _collect(ListInstances={"Instances": [{"IdentityStoreId": "d-1234567890"}]})
    assert center is None
    assert state.state is DatasetState.FAILED
    assert "UnreadableResponse" in state.reason
    assert "missing field 'InstanceArn' at /Instances" in state.reason


@pytest.mark.parametrize(
    ("operation", "body", "said"),
    [
        ("ListPermissionSets", {"PermissionSets": [5]}, "at /PermissionSets"),
        (
            "ListManagedPoliciesInPermissionSet",
            {"AttachedManagedPolicies": [{"Name": "ReadOnlyAccess"}]},
            "missing field 'Arn' at /AttachedManagedPolicies",
        ),
        (
            "ListCustomerManagedPolicyReferencesInPermissionSet",
            {"CustomerManagedPolicyReferences": [{"Path": "/org/"}]},
            "missing field 'Name' at /CustomerManagedPolicyReferences",
        ),
        (
            "ListAccountAssignments",
            {"AccountAssignments": [{"AccountId": ACCOUNT}]},
            "missing field 'PermissionSetArn' at /AccountAssignments",
        ),
        (
            "DescribePermissionSet",
            {"PermissionSet": {"Name": ["ReadOnly"]}},
            "at /PermissionSet",
        ),
        (
            # AWS's AccountId is \d{12}; collected, a snapshot of it could not be read back.
            # https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_AccountAssignment.html
            "ListAccountAssignments",
            {
                "AccountAssignments": [
                    {
                        "AccountId": "11111111111x",
                        "PermissionSetArn": SET,
                        "PrincipalType": "GROUP",
                        "PrincipalId": "g-1",
                    }
                ]
            },
            "AccountId",
        ),
    ],
    ids=[
        "set-number",
        "managed-no-arn",
        "reference-no-name",
        "assignment",
        "name-list",
        "assignment-account",
    ],
)
def test_an_unreadable_answer_is_a_failed_call(
    aws: None, operation: str, body: dict[str, Any], said: str
) -> None:
    center, state = _collect(**{operation: body})
    assert state.state is DatasetState.AVAILABLE
    (failure,) = [f for f in center.failed_calls if f.code == "UnreadableResponse"]
    assert failure.operation == operation
    assert said in failure.message


def test_a_session_duration_in_seconds_is_read(aws: None) -> None:
    """moto answers ``SessionDuration`` as a number of seconds (AWS: ``PT1H``)."""
    center, _ = _collect(DescribePermissionSet={"PermissionSet": {"SessionDuration": 3600}})
    (permission_set,) = center.permission_sets
    assert permission_set.session_duration == "PT3600S"
    assert center.failed_calls == ()
