"""Reaching AWS: ``AWS_ENDPOINT_URL`` is honoured (natively by botocore) against the moto
server, and an endpoint that cannot be reached is said once, after a bounded number of
attempts, instead of being retried silently for most of a minute."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from keyless.collect.live.account import collect_account, make_session
from keyless.collect.live.organization import collect_organization
from keyless.errors import AwsUnavailable
from tests.loopback import moto_server, own_account_credentials


@pytest.fixture
def endpoint() -> Iterator[str]:
    with moto_server() as url:
        yield url


def counting_session(attempts: list[str]) -> Any:
    """A session that records every HTTP request botocore sends (retries included)."""
    session = make_session(region="us-east-1")
    session.events.register("before-send", lambda request, **_: attempts.append(request.url))
    return session


def test_aws_endpoint_url_is_honoured(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every moto server of the process shares one state (the organization tests seed
    # alice and deploy in the default account): this test works in an account of its own,
    # whose credentials reach keyless through the standard chain, so any order passes.
    for name, value in own_account_credentials(endpoint).items():
        monkeypatch.setenv(name, value)
    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1")
    iam.create_user(UserName="served")
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    account = collect_account(make_session(region="us-east-1"))
    assert [u.name for u in account.users] == ["served"]
    assert account.failed_calls == ()


def test_an_unreachable_endpoint_is_one_error(
    refused: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", refused)
    with pytest.raises(AwsUnavailable) as caught:
        collect_account(make_session(region="us-east-1"))
    text = caught.value.describe()
    assert caught.value.message.startswith(f"could not connect to {refused}")
    assert caught.value.exit_code == 3
    assert text.count(refused) == 1
    assert text.count("GetCallerIdentity") == 0


def test_an_unreachable_endpoint_is_tried_twice_not_ten_times(
    refused: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", refused)
    attempts: list[str] = []
    with pytest.raises(AwsUnavailable):
        collect_account(counting_session(attempts))
    assert len(attempts) == 2


def test_an_unreachable_organization_is_one_error(
    refused: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", refused)
    attempts: list[str] = []
    with pytest.raises(AwsUnavailable) as caught:
        collect_organization(counting_session(attempts))
    assert caught.value.message.startswith(f"could not connect to {refused}")
    assert len(attempts) == 2


def test_failed_calls_are_recorded_not_also_logged(
    endpoint: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # A denied call is recorded once in the account (and shown once, by the report),
    # never printed again as a warning on the way.
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    session = make_session(region="us-east-1")
    session.events.register("before-call.iam.GetCredentialReport", deny)
    caplog.set_level(logging.WARNING)
    account = collect_account(session)
    assert [c.operation for c in account.failed_calls] == ["GetCredentialReport"]
    assert not [r for r in caplog.records if r.name.startswith("keyless")]


def deny(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
    """A ``before-call`` answer that makes botocore raise AccessDenied."""
    parsed = {
        "Error": {"Code": "AccessDenied", "Message": "not allowed"},
        "ResponseMetadata": {"HTTPStatusCode": 403},
    }
    return AWSResponse("https://iam.invalid/", 403, {}, None), parsed
