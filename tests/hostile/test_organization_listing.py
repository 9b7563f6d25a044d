"""AWS Organizations' answers read strictly. An account listed without its ``Id`` (or an
organization described without one) stopped ``--org`` with a ``KeyError`` traceback; an
ID such as ``../x`` or a number was collected as an account of the inventory (it becomes
a role ARN, a shard's file name, a history key); an account listed twice was collected
twice. Each is now an organization that could not be read: exit 3, the entry named."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from moto import mock_aws

from keyless.collect.live.account import make_session
from keyless.collect.live.organization import collect_organization
from keyless.errors import AwsUnavailable

MEMBER = {"Id": "111111111111", "Name": "prod", "Email": "p@example.com", "State": "ACTIVE"}


@pytest.fixture
def organization() -> Iterator[None]:
    with mock_aws():
        boto3.client("organizations", region_name="us-east-1").create_organization(FeatureSet="ALL")
        yield


def _collect(operation: str, body: dict[str, Any]) -> Any:
    def answer(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        reply = {**body, "ResponseMetadata": {"HTTPStatusCode": 200}}
        return AWSResponse("https://organizations.invalid/", 200, {}, None), reply

    session = make_session(region="us-east-1")
    session.events.register(f"before-call.organizations.{operation}", answer)
    return collect_organization(session, max_workers=1)


@pytest.mark.parametrize(
    ("accounts", "said"),
    [
        ([{"Name": "prod", "State": "ACTIVE"}], "account 1 of the listing has no Id"),
        ([{**MEMBER, "Id": "../../x"}], "Id '../../x' is no account ID"),
        ([{**MEMBER, "Id": 111111111111}], "Id 111111111111 is no account ID"),
        ([{**MEMBER, "Id": "1111111111111"}], "is no account ID"),
        ([MEMBER, {**MEMBER, "Name": "copy"}], "account 111111111111 is listed twice"),
        ([{**MEMBER, "Name": ["prod"]}], "account 111111111111: Name is no string"),
        (["111111111111"], "account 1 of the listing is not an object"),
    ],
    ids=["no-id", "path", "number", "13-digits", "twice", "name-list", "not-object"],
)
def test_an_unreadable_account_listing_is_an_unread_organization(
    organization: None, accounts: list[Any], said: str
) -> None:
    with pytest.raises(AwsUnavailable) as raised:
        _collect("ListAccounts", {"Accounts": accounts})
    assert raised.value.exit_code == 3
    assert "AWS Organizations answered ListAccounts" in raised.value.message
    assert said in raised.value.message


def test_an_organization_described_without_its_id_is_unread(organization: None) -> None:
    with pytest.raises(AwsUnavailable) as raised:
        _collect("DescribeOrganization", {"Organization": {"MasterAccountId": "123456789012"}})
    assert raised.value.exit_code == 3
    assert "DescribeOrganization" in raised.value.message


def test_a_readable_listing_is_collected(organization: None) -> None:
    inventory = _collect("ListAccounts", {"Accounts": [MEMBER]})
    assert [(a.id, a.name) for a in inventory.accounts] == [("111111111111", "prod")]
