"""``AWS_ENDPOINT_URL`` is honoured (natively by botocore) against the moto server."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto.server import ThreadedMotoServer

from keyless.collect.live.account import collect_account, make_session


@pytest.fixture
def endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def test_aws_endpoint_url_is_honoured(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1").create_user(
        UserName="served"
    )
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    account = collect_account(make_session(region="us-east-1"))
    assert [u.name for u in account.users] == ["served"]
    assert account.failed_calls == ()
