"""What a failure to reach AWS means, per botocore exception class
(keyless.collect.live.failures, docs/scan.md#reaching-aws): an estate that could not be
read is exit 3, said once; credentials that are missing or refused are exit 2.

The failures are real: a loopback port that refuses connections, a server that closes
every connection, and AWS's own error answers injected at botocore's ``before-call``
hook (what the SDK would have parsed from the wire)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from keyless.collect.live.account import collect_account, make_session
from keyless.collect.live.organization import collect_organization
from keyless.errors import AwsUnavailable, CollectionError
from tests.loopback import moto_server


@pytest.fixture
def moto_endpoint() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture
def closing() -> Iterator[str]:
    """A loopback server that accepts each connection and closes it without a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def serve() -> None:
        try:
            while True:
                connection, _ = server.accept()
                connection.close()
        except OSError:
            return

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        server.close()


def answering(code: str, status: int = 400) -> Any:
    """A ``before-call`` handler that makes botocore see AWS answer ``code``."""

    def answer(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        parsed = {
            "Error": {"Code": code, "Message": f"{code} from the test"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }
        return AWSResponse("https://sts.invalid/", status, {}, None), parsed

    return answer


def sts_answers(code: str, status: int = 400) -> Any:
    session = make_session(region="us-east-1")
    session.events.register("before-call.sts.GetCallerIdentity", answering(code, status))
    return session


# --- exit 3: nothing could be read ---


def test_a_refused_connection_is_unavailable_naming_the_endpoint_once(
    refused: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", refused)
    with pytest.raises(AwsUnavailable) as caught:
        collect_account(make_session(region="us-east-1"))
    assert caught.value.exit_code == 3
    assert caught.value.message == f"could not connect to {refused}/ (AWS STS)"
    assert caught.value.describe().count(refused) == 1


def test_a_closed_connection_is_unavailable(closing: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", closing)
    with pytest.raises(AwsUnavailable) as caught:
        collect_account(make_session(region="us-east-1"))
    assert caught.value.message.startswith(f"no answer from {closing}")


def test_iam_out_of_reach_while_sts_answers_is_said_once_for_iam(
    moto_endpoint: str, refused: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # IAM's endpoint is global; a network may block it while STS (regional) answers.
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("AWS_ENDPOINT_URL_IAM", refused)
    attempts: list[str] = []
    session = make_session(region="us-east-1")
    session.events.register("before-send.iam", lambda request, **_: attempts.append(request.url))
    with pytest.raises(AwsUnavailable) as caught:
        collect_account(session)
    assert caught.value.message == f"could not connect to {refused}/ (AWS IAM)"
    assert len(attempts) == 2


def test_sts_throttling_an_organization_scan_is_unavailable() -> None:
    with pytest.raises(AwsUnavailable) as caught:
        collect_organization(sts_answers("Throttling"))
    assert caught.value.message.startswith("AWS STS answered Throttling")


def test_an_organization_out_of_reach_is_unavailable(
    moto_endpoint: str, refused: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("AWS_ENDPOINT_URL_ORGANIZATIONS", refused)
    attempts: list[str] = []
    session = make_session(region="us-east-1")
    session.events.register(
        "before-send.organizations", lambda request, **_: attempts.append(request.url)
    )
    with pytest.raises(AwsUnavailable) as caught:
        collect_organization(session)
    assert caught.value.message.startswith(f"could not connect to {refused}")
    assert len(attempts) == 2


# --- exit 2: the credentials ---


@pytest.mark.parametrize(
    "code", ["InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "AccessDenied"]
)
def test_credentials_aws_refuses_are_bad_input(code: str) -> None:
    with pytest.raises(CollectionError) as caught:
        collect_account(sts_answers(code, 403))
    assert caught.value.exit_code == 2
    assert caught.value.message == f"AWS refused the credentials ({code})"


def test_credentials_refused_to_an_organization_scan_are_bad_input() -> None:
    with pytest.raises(CollectionError) as caught:
        collect_organization(sts_answers("InvalidClientTokenId", 403))
    assert caught.value.exit_code == 2


def test_no_credentials_are_bad_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(CollectionError) as caught:
        collect_account(make_session(region="us-east-1"))
    assert caught.value.exit_code == 2
    assert caught.value.message == "no AWS credentials found"


def test_a_denied_call_after_aws_was_reached_is_recorded_not_raised(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Reaching AWS succeeded: a denial of one call is a partial read (exit 3 by the
    # report), the rest of the account is still read.
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    session = make_session(region="us-east-1")
    session.events.register(
        "before-call.iam.GetAccountAuthorizationDetails", answering("AccessDenied", 403)
    )
    account = collect_account(session)
    assert [(c.operation, c.code) for c in account.failed_calls] == [
        ("GetAccountAuthorizationDetails", "AccessDenied")
    ]
