"""A user the credential report has no row for is read from the IAM API (GetUser,
GetLoginProfile, ListAccessKeys, GetAccessKeyLastUsed). An answer of a shape keyless
cannot read there (no ``User``, a key without its ``AccessKeyId``, a ``LoginProfile`` or
``AccessKeyLastUsed`` that is no object) stopped the scan with a ``KeyError`` /
``TypeError`` traceback. It is now a failed call (``UnreadableResponse``): the user keeps
no row, the report is missing for the account, and the scan exits 3."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from moto import mock_aws

from keyless.collect.live.account import collect_account, make_session
from keyless.engine import run_checks
from keyless.model import Dataset, DatasetState
from tests.builders import make_inventory


def _answer(body: dict[str, Any]) -> Any:
    def answer(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        reply = {**body, "ResponseMetadata": {"HTTPStatusCode": 200}}
        return AWSResponse("https://iam.amazonaws.com/", 200, {}, None), reply

    return answer


@pytest.fixture
def session() -> Iterator[Any]:
    """An account whose credential report predates ``newcomer`` (who has a key)."""
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        iam.create_user(UserName="kept")
        iam.generate_credential_report()
        content = iam.get_credential_report()["Content"]
        iam.create_user(UserName="newcomer")
        iam.create_access_key(UserName="newcomer")
        iam.create_login_profile(UserName="newcomer", Password="Correct-Horse-9")
        session = make_session(region="us-east-1")
        session.events.register(
            "before-call.iam.GetCredentialReport",
            _answer({"Content": content, "ReportFormat": "text/csv"}),
        )
        yield session


@pytest.mark.parametrize(
    ("operation", "body", "said"),
    [
        ("GetUser", {}, "missing field 'User'"),
        (
            "ListAccessKeys",
            {"AccessKeyMetadata": [{"Status": "Active"}], "IsTruncated": False},
            "missing field 'AccessKeyId'",
        ),
        ("GetLoginProfile", {"LoginProfile": 5}, "LoginProfile must be an object"),
        ("GetAccessKeyLastUsed", {"AccessKeyLastUsed": "x"}, "AccessKeyLastUsed must be"),
    ],
)
def test_an_unreadable_answer_leaves_the_user_without_a_row(
    session: Any, operation: str, body: dict[str, Any], said: str
) -> None:
    session.events.register(f"before-call.iam.{operation}", _answer(body))
    account = collect_account(session, report_timeout=5)

    (failure,) = account.failed_calls
    assert (failure.operation, failure.code) == (operation, "UnreadableResponse")
    assert said in failure.message
    assert account.dataset(Dataset.CREDENTIAL_REPORT).state is DatasetState.MISSING
    newcomer = next(user for user in account.users if user.name == "newcomer")
    assert newcomer.access_keys == ()
    assert run_checks(make_inventory(account)).exit_code() == 3
