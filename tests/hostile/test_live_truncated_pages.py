"""An IAM page that says ``IsTruncated: true`` but gives no ``Marker`` (a proxy or an
emulator that dropped it) ended botocore's paginator as if it were the last page: a live
scan read part of the roles (or MFA devices, or a new user's keys) and called the account
complete (exit 0 or 1). The listing is now an unreadable answer: the call is recorded as
failed, its source failed, and the scan exits 3."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from moto import mock_aws

from keyless.collect.live.account import collect_account, make_session
from keyless.engine import run_checks
from keyless.model import Account, Dataset, DatasetState
from tests.builders import make_inventory
from tests.collect.test_aws import TRUST, _role

Reply = tuple[AWSResponse, dict[str, Any]]


def _reply(body: dict[str, Any]) -> Reply:
    body.setdefault("ResponseMetadata", {"HTTPStatusCode": 200})
    return AWSResponse("https://iam.amazonaws.com/", 200, {}, None), body


@pytest.fixture
def iam() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("iam", region_name="us-east-1")
        client.create_user(UserName="alice")
        client.create_role(RoleName="cross", AssumeRolePolicyDocument=json.dumps(TRUST))
        yield client


def _collect(operation: str, answer: Callable[..., Reply]) -> Account:
    session = make_session(region="us-east-1")
    session.events.register(f"before-call.iam.{operation}", answer)
    return collect_account(session, report_timeout=5)


def test_a_truncated_page_of_authorization_details_fails_the_source(iam: Any) -> None:
    def first_page_only(**_: Any) -> Reply:
        return _reply({"RoleDetailList": [_role("one")], "IsTruncated": True})

    account = _collect("GetAccountAuthorizationDetails", first_page_only)

    status = account.dataset(Dataset.AUTHORIZATION_DETAILS)
    assert status.state is DatasetState.FAILED
    assert "IsTruncated but gives no Marker" in status.reason
    assert account.roles == ()  # part of the roles is never shown as all of them
    assert run_checks(make_inventory(account)).exit_code() == 3


def test_a_truncated_page_of_mfa_devices_fails_the_source(iam: Any) -> None:
    def first_page_only(**_: Any) -> Reply:
        return _reply({"VirtualMFADevices": [], "IsTruncated": True})

    account = _collect("ListVirtualMFADevices", first_page_only)

    assert account.dataset(Dataset.MFA_DEVICES).state is DatasetState.FAILED
    (failure,) = account.failed_calls
    assert (failure.operation, failure.code) == ("ListVirtualMFADevices", "UnreadableResponse")
    assert run_checks(make_inventory(account)).exit_code() == 3


def test_a_last_page_with_a_marker_is_still_the_last(iam: Any) -> None:
    """``Marker`` without ``IsTruncated`` is no page to follow (botocore stops too)."""

    def last_page(**_: Any) -> Reply:
        return _reply({"VirtualMFADevices": [], "IsTruncated": False, "Marker": "m2"})

    account = _collect("ListVirtualMFADevices", last_page)

    assert account.dataset(Dataset.MFA_DEVICES).state is DatasetState.AVAILABLE
    assert account.failed_calls == ()
