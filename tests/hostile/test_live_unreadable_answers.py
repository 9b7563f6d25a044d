"""A live answer of a shape keyless cannot read (a provider listed without its ARN, a
virtual MFA device without its serial, a user whose tag value is a number, an alias that
is no string) stopped the collection with a traceback: the conversion ran outside the
call that recorded failures. Each is now a failed call (``UnreadableResponse``, with the
JSON pointer), its source failed, the rest of the account read, and the scan exits 3."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from moto import mock_aws

from keyless.collect.live.account import collect_account, make_session
from keyless.engine import run_checks
from keyless.model import Account, Dataset, DatasetState
from tests.builders import make_inventory
from tests.collect.test_aws import ACCOUNT, TRUST

BOB = {
    "Path": "/",
    "UserName": "bob",
    "UserId": "AIDABOB",
    "Arn": f"arn:aws:iam::{ACCOUNT}:user/bob",
    "CreateDate": "2024-01-01T00:00:00Z",
    "Tags": [{"Key": "team", "Value": 5}],
}
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"

# operation, answer, source failed, pointer in the failure
CASES = [
    (
        "ListOpenIDConnectProviders",
        {"OpenIDConnectProviderList": [{}]},
        Dataset.OIDC_PROVIDERS,
        "missing field 'Arn' at /OpenIDConnectProviderList",
    ),
    (
        "GetOpenIDConnectProvider",
        {"Url": "token.actions.githubusercontent.com", "ClientIDList": [7]},
        Dataset.OIDC_PROVIDERS,
        "at /",
    ),
    (
        "ListSAMLProviders",
        {"SAMLProviderList": [{"ValidUntil": "2030-01-01T00:00:00Z"}]},
        Dataset.SAML_PROVIDERS,
        "missing field 'Arn' at /SAMLProviderList",
    ),
    (  # an issuer other than the one the provider's ARN names
        "GetOpenIDConnectProvider",
        {"Url": "attacker.example", "ClientIDList": ["sts.amazonaws.com"]},
        Dataset.OIDC_PROVIDERS,
        "is not the issuer the Arn names",
    ),
    (  # an ARN outside IAM's grammar (test_provider_arns.py)
        "ListSAMLProviders",
        {"SAMLProviderList": [{"Arn": f"arn:aws:iam::{ACCOUNT}:saml-provider/okta\u202e"}]},
        Dataset.SAML_PROVIDERS,
        "is not one IAM allows",
    ),
    (
        "ListVirtualMFADevices",
        {"VirtualMFADevices": [{"User": {"Arn": ALICE}}], "IsTruncated": False},
        Dataset.MFA_DEVICES,
        "missing field 'SerialNumber' at /VirtualMFADevices/0",
    ),
    (
        "GetAccountAuthorizationDetails",
        {"UserDetailList": [BOB], "IsTruncated": False},
        Dataset.AUTHORIZATION_DETAILS,
        "at /UserDetailList/0",
    ),
]


@pytest.fixture
def iam() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("iam", region_name="us-east-1")
        client.create_user(UserName="alice")
        client.create_role(RoleName="cross", AssumeRolePolicyDocument=json.dumps(TRUST))
        client.create_open_id_connect_provider(
            Url="https://token.actions.githubusercontent.com",
            ClientIDList=["sts.amazonaws.com"],
            ThumbprintList=["a" * 40],
        )
        client.create_saml_provider(Name="okta", SAMLMetadataDocument="<md/>" * 200)
        yield client


def _collect(operation: str, body: dict[str, Any]) -> Account:
    def answer(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        reply = {**body, "ResponseMetadata": {"HTTPStatusCode": 200}}
        return AWSResponse("https://iam.amazonaws.com/", 200, {}, None), reply

    session = make_session(region="us-east-1")
    session.events.register(f"before-call.iam.{operation}", answer)
    return collect_account(session, report_timeout=5)


@pytest.mark.parametrize(
    ("operation", "body", "source", "where"), CASES, ids=[case[0] for case in CASES]
)
def test_an_unreadable_answer_fails_its_source(
    iam: Any, operation: str, body: dict[str, Any], source: Dataset, where: str
) -> None:
    account = _collect(operation, body)

    failures = [f for f in account.failed_calls if f.code == "UnreadableResponse"]
    assert [f.operation for f in failures] == [operation]
    assert where in failures[0].message
    assert account.dataset(source).state is DatasetState.FAILED
    assert run_checks(make_inventory(account)).exit_code() == 3


def test_an_unreadable_user_leaves_no_half_account(iam: Any) -> None:
    account = _collect("GetAccountAuthorizationDetails", CASES[-1][1])
    assert account.roles == ()
    assert {user.name for user in account.users} == {"alice"}  # from the credential report


def test_an_alias_that_is_no_string_is_an_unreadable_answer(iam: Any) -> None:
    account = _collect("ListAccountAliases", {"AccountAliases": [5]})
    assert account.alias is None
    (failure,) = account.failed_calls
    assert (failure.operation, failure.code) == ("ListAccountAliases", "UnreadableResponse")
