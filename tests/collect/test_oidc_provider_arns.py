"""A provider ARN that ``ListOpenIDConnectProviders`` gives outside IAM's grammar is
recorded as an unreadable answer of that listing (with the entry's pointer), without a
``GetOpenIDConnectProvider`` call carrying it (it was recorded as a failed call of that
operation, which was never made); the other providers are still read (moto, which
accepts such a URL)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from keyless.collect.live.account import collect_account, make_session
from keyless.model import Dataset, DatasetState

GOOD = "https://token.actions.githubusercontent.com"


@pytest.fixture
def aws() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("iam", region_name="us-east-1")


@pytest.mark.parametrize("url", ["https://idp.example.com/a\u202eb", "https://idp.example.com/a b"])
def test_a_provider_arn_outside_the_grammar_is_never_sent(aws: Any, url: str) -> None:
    for each in (GOOD, url):
        aws.create_open_id_connect_provider(Url=each, ThumbprintList=["a" * 40])
    sent: list[str] = []
    session = make_session(region="us-east-1")
    session.events.register(
        "before-parameter-build.iam.GetOpenIDConnectProvider",
        lambda **kw: sent.append(kw["params"]["OpenIDConnectProviderArn"]),
    )
    account = collect_account(session)
    assert [arn.split("/", 1)[1] for arn in sent] == ["token.actions.githubusercontent.com"]
    assert [p.url for p in account.oidc_providers] == [GOOD]
    status = account.dataset(Dataset.OIDC_PROVIDERS)
    assert status.state is DatasetState.FAILED
    assert "is not one IAM allows" in status.reason
    # Recorded against the listing that gave the ARN, not a call that was never made.
    assert [(f.operation, f.code) for f in account.failed_calls] == [
        ("ListOpenIDConnectProviders", "UnreadableResponse")
    ]
    assert account.failed_calls[0].message.endswith(" at /OpenIDConnectProviderList/1/Arn")
