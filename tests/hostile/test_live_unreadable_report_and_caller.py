"""Two live answers of a shape keyless cannot read stopped a scan instead of being
recorded as unread. A credential report that is not one (not UTF-8, no header, missing
columns) raised the error of a bad *input file*: exit 2, nothing of the account analysed,
the user told to fix a file they never gave. A ``GetCallerIdentity`` answer without its
``Account`` was a ``KeyError`` traceback, and one with ``../x`` was taken as the account
ID. Each is now a failed call (``UnreadableResponse``): the report is unread and the scan
exits 3; the account ID comes from the authorization details; ``--org`` is an
organization that could not be read (exit 3)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from moto import mock_aws

from keyless.collect.live.account import collect_account, make_session
from keyless.collect.live.organization import collect_organization
from keyless.engine import run_checks
from keyless.errors import AwsUnavailable
from keyless.model import Account, Dataset, DatasetState
from tests.builders import make_inventory
from tests.collect.test_aws import ACCOUNT, TRUST


def _answer(body: dict[str, Any]) -> Any:
    def answer(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        reply = {**body, "ResponseMetadata": {"HTTPStatusCode": 200}}
        return AWSResponse("https://aws.invalid/", 200, {}, None), reply

    return answer


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        iam.create_user(UserName="alice")
        iam.create_role(RoleName="cross", AssumeRolePolicyDocument=json.dumps(TRUST))
        yield


def _collect(event: str, body: dict[str, Any]) -> Account:
    session = make_session(region="us-east-1")
    session.events.register(event, _answer(body))
    return collect_account(session, report_timeout=5)


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"\xff\xfe not text", "not UTF-8"),
        (b"", "empty"),
        (b"user,arn\nalice,arn:aws:iam::123456789012:user/alice\n", "missing column"),
    ],
    ids=["not-utf8", "empty", "no-columns"],
)
def test_an_unreadable_credential_report_is_unread(aws: None, content: bytes, said: str) -> None:
    account = _collect(
        "before-call.iam.GetCredentialReport", {"Content": content, "ReportFormat": "text/csv"}
    )
    status = account.dataset(Dataset.CREDENTIAL_REPORT)
    assert status.state is DatasetState.FAILED
    assert "UnreadableResponse" in status.reason
    assert said in status.reason
    assert {role.name for role in account.roles} == {"cross"}  # the rest is read
    assert run_checks(make_inventory(account)).exit_code() == 3


@pytest.mark.parametrize("answer", [{"UserId": "AIDA"}, {"Account": "../x"}], ids=["none", "path"])
def test_an_unreadable_caller_account_is_a_failed_call(aws: None, answer: dict[str, Any]) -> None:
    account = _collect("before-call.sts.GetCallerIdentity", answer)
    assert account.id == ACCOUNT  # from the ARNs of the authorization details
    (failure,) = account.failed_calls
    assert (failure.operation, failure.code) == ("GetCallerIdentity", "UnreadableResponse")
    assert "at /Account" in failure.message


def test_an_organization_caller_without_its_account_is_unread(aws: None) -> None:
    boto3.client("organizations", region_name="us-east-1").create_organization(FeatureSet="ALL")
    session = make_session(region="us-east-1")
    session.events.register("before-call.sts.GetCallerIdentity", _answer({"Account": 5}))
    with pytest.raises(AwsUnavailable) as raised:
        collect_organization(session, max_workers=1)
    assert raised.value.exit_code == 3
    assert "not a 12-digit account ID" in raised.value.message
