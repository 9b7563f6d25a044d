"""The live collector against moto (in-process), with boto3's own event hooks standing
in for what moto cannot do: pagination and denied calls."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.iam.models import iam_backends

from keyless.collect.live.account import collect_account, make_session
from keyless.model import Dataset, DatasetState

ACCOUNT = DEFAULT_ACCOUNT_ID
ALLOW_ALL = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
            "Action": "sts:AssumeRole",
        }
    ],
}


@pytest.fixture
def aws() -> Iterator[Any]:
    """An emulated account and an IAM client into it."""
    with mock_aws():
        yield boto3.client("iam", region_name="us-east-1")


@pytest.fixture
def seeded(aws: Any) -> Any:
    aws.create_account_alias(AccountAlias="acme")
    aws.create_group(GroupName="admins")
    aws.put_group_policy(GroupName="admins", PolicyName="all", PolicyDocument=ALLOW_ALL)
    aws.create_user(UserName="alice", Tags=[{"Key": "email", "Value": "alice@example.com"}])
    aws.add_user_to_group(GroupName="admins", UserName="alice")
    aws.create_login_profile(UserName="alice", Password="Correct-Horse-9!")
    serial = aws.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"][
        "SerialNumber"
    ]
    aws.enable_mfa_device(
        UserName="alice",
        SerialNumber=serial,
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )
    aws.create_user(UserName="ci", Path="/ci/")
    aws.create_access_key(UserName="ci")
    aws.create_access_key(UserName="ci")
    policy = aws.create_policy(PolicyName="deploy", PolicyDocument=ALLOW_ALL)["Policy"]["Arn"]
    aws.attach_user_policy(UserName="ci", PolicyArn=policy)
    aws.create_role(RoleName="cross", AssumeRolePolicyDocument=json.dumps(TRUST))
    aws.create_open_id_connect_provider(
        Url="https://token.actions.githubusercontent.com",
        ClientIDList=["sts.amazonaws.com"],
        ThumbprintList=["a" * 40],
    )
    aws.create_saml_provider(Name="okta", SAMLMetadataDocument="<md/>" * 200)
    return aws


def _collect(**kwargs: Any) -> Any:
    return collect_account(make_session(region="us-east-1"), **kwargs)


def test_full_account(seeded: Any) -> None:
    account = _collect()
    assert account.id == ACCOUNT
    assert account.alias == "acme"
    assert account.failed_calls == ()
    users = {u.name: u for u in account.users}
    assert users["alice"].groups == ("admins",)
    assert users["alice"].has_console_access
    assert users["alice"].mfa_active
    assert users["alice"].mfa_devices[0].serial == f"arn:aws:iam::{ACCOUNT}:mfa/alice"
    assert users["alice"].tag("email") == "alice@example.com"
    assert [k.slot for k in users["ci"].active_keys] == [1, 2]
    assert users["ci"].path == "/ci/"
    assert [p.name for p in users["ci"].attached_policies] == ["deploy"]
    assert (
        account.groups_by_name["admins"].inline_policies[0].document["Statement"][0]["Action"]
        == "*"
    )
    assert account.roles_by_name["cross"].trust_policy == TRUST
    (policy,) = account.policies
    assert policy.name == "deploy"  # moto omits PolicyName; derived from the ARN
    assert account.oidc_providers[0].url == "https://token.actions.githubusercontent.com"
    assert account.oidc_providers[0].client_ids == ("sts.amazonaws.com",)
    assert account.saml_providers[0].name == "okta"


def test_sources_and_missing_root_row(seeded: Any) -> None:
    account = _collect()
    for source in (
        Dataset.AUTHORIZATION_DETAILS,
        Dataset.CREDENTIAL_REPORT,
        Dataset.MFA_DEVICES,
        Dataset.OIDC_PROVIDERS,
        Dataset.SAML_PROVIDERS,
    ):
        assert account.has(source), source
    root = account.dataset(Dataset.ROOT)
    assert root.state is DatasetState.MISSING
    assert root.reason == "the credential report has no <root_account> row"


def test_key_dates_come_from_the_report(seeded: Any) -> None:
    backend = iam_backends[ACCOUNT]["aws"]
    old = datetime.now(UTC) - timedelta(days=400)
    backend.users["ci"].access_keys[0].create_date = old
    (first, _second) = next(u for u in _collect().users if u.name == "ci").access_keys
    assert first.created == old.replace(microsecond=0)


def test_account_id_may_be_given(seeded: Any) -> None:
    calls: list[str] = []
    session = make_session(region="us-east-1")
    session.events.register("before-call.sts.*", lambda **kw: calls.append(kw["model"].name))
    account = collect_account(session, account_id=ACCOUNT, name="Prod", email="p@example.com")
    assert calls == []
    assert (account.name, account.email) == ("Prod", "p@example.com")


def _reply(status: int, body: dict[str, Any]) -> tuple[AWSResponse, dict[str, Any]]:
    body.setdefault("ResponseMetadata", {"HTTPStatusCode": status})
    return AWSResponse("https://iam.amazonaws.com/", status, {}, None), body


def _denied(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
    return _reply(403, {"Error": {"Code": "AccessDenied", "Message": "not allowed"}})


def test_denied_credential_report_is_recorded(seeded: Any) -> None:
    session = make_session(region="us-east-1")
    session.events.register("before-call.iam.GetCredentialReport", _denied)
    account = collect_account(session)
    (failure,) = account.failed_calls
    assert (failure.service, failure.operation, failure.code) == (
        "iam",
        "GetCredentialReport",
        "AccessDenied",
    )
    for source in (Dataset.CREDENTIAL_REPORT, Dataset.ROOT):
        status = account.dataset(source)
        assert status.state is DatasetState.FAILED
        assert "AccessDenied" in status.reason
    assert account.has(Dataset.AUTHORIZATION_DETAILS)
    assert {u.name for u in account.users} == {"alice", "ci"}
    assert all(u.access_keys == () for u in account.users)


def test_denied_auth_details_still_returns_the_account(seeded: Any) -> None:
    session = make_session(region="us-east-1")
    session.events.register("before-call.iam.GetAccountAuthorizationDetails", _denied)
    account = collect_account(session)
    assert account.id == ACCOUNT
    assert account.dataset(Dataset.AUTHORIZATION_DETAILS).state is DatasetState.FAILED
    assert [f.operation for f in account.failed_calls] == ["GetAccountAuthorizationDetails"]
    assert account.roles == ()
    # Users still come from the credential report, so key checks can run.
    assert {u.name for u in account.users} == {"alice", "ci"}


def test_denied_provider_listing_is_recorded(seeded: Any) -> None:
    session = make_session(region="us-east-1")
    session.events.register("before-call.iam.GetOpenIDConnectProvider", _denied)
    account = collect_account(session)
    assert account.dataset(Dataset.OIDC_PROVIDERS).state is DatasetState.FAILED
    assert [f.operation for f in account.failed_calls] == ["GetOpenIDConnectProvider"]
    assert not account.has(Dataset.OIDC_PROVIDERS)


def _role(name: str) -> dict[str, Any]:
    return {
        "Path": "/",
        "RoleName": name,
        "RoleId": f"AROA{name.upper():0<17}",
        "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
        "CreateDate": datetime(2024, 1, 1, tzinfo=UTC),
        "AssumeRolePolicyDocument": json.dumps(TRUST),
        "RolePolicyList": [],
        "AttachedManagedPolicies": [],
    }


def test_every_page_of_auth_details_is_read(aws: Any) -> None:
    markers: list[str | None] = []

    def pages(params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        marker = params["body"].get("Marker")
        markers.append(marker)
        if marker is None:
            return _reply(
                200, {"RoleDetailList": [_role("one")], "IsTruncated": True, "Marker": "m2"}
            )
        if marker == "m2":
            return _reply(
                200, {"RoleDetailList": [_role("two")], "IsTruncated": True, "Marker": "m3"}
            )
        return _reply(200, {"RoleDetailList": [_role("three")], "IsTruncated": False})

    session = make_session(region="us-east-1")
    session.events.register("before-call.iam.GetAccountAuthorizationDetails", pages)
    account = collect_account(session)
    assert markers == [None, "m2", "m3"]
    assert [r.name for r in account.roles] == ["one", "two", "three"]
    assert account.roles[0].trust_policy == TRUST


def test_failure_on_a_later_page_fails_the_source(aws: Any) -> None:
    def pages(params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        if params["body"].get("Marker") is None:
            return _reply(
                200, {"RoleDetailList": [_role("one")], "IsTruncated": True, "Marker": "m2"}
            )
        return _reply(400, {"Error": {"Code": "Throttling", "Message": "slow down"}})

    session = make_session(region="us-east-1")
    session.events.register("before-call.iam.GetAccountAuthorizationDetails", pages)
    account = collect_account(session)
    assert account.dataset(Dataset.AUTHORIZATION_DETAILS).state is DatasetState.FAILED
    assert account.roles == ()  # half an account is never shown as a whole one


def test_api_calls_do_not_grow_with_users(aws: Any) -> None:
    def count(users: int) -> int:
        for index in range(users):
            aws.create_user(UserName=f"user-{len(aws.list_users()['Users'])}-{index}")
        calls: list[str] = []
        session = make_session(region="us-east-1")
        session.events.register("before-call.*.*", lambda **kw: calls.append(kw["model"].name))
        collect_account(session, report_timeout=5)
        return len([c for c in calls if c != "GenerateCredentialReport"])

    assert count(1) == count(30)
