"""A moto server on a loopback port, seeded with an organization of 50+ accounts.

The server is started and stopped here. It is not safe under parallel writes, so it is
seeded from this (one) thread before any test collects from it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from tests.loopback import moto_server

MANAGEMENT = "123456789012"
MEMBER_COUNT = 52
REGION = "us-east-1"


def make_session() -> boto3.Session:
    """A management-account session with the fake credentials moto accepts."""
    return boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )


def error_response(
    code: str, message: str, status: int = 403
) -> tuple[AWSResponse, dict[str, Any]]:
    """What a ``before-call`` handler returns to make botocore raise ``code``."""
    parsed = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return AWSResponse("https://aws.invalid/", status, {}, None), parsed


def assumed_account(params: dict[str, Any]) -> str:
    """The account of the RoleArn an AssumeRole request carries."""
    body = params.get("body") or {}
    return str(body.get("RoleArn", "")).split(":")[4]


def member_session(endpoint: str, account_id: str) -> boto3.Session:
    sts = make_session().client("sts", endpoint_url=endpoint)
    credentials = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole",
        RoleSessionName="seed",
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=REGION,
    )


def add_user(
    iam: Any,
    name: str,
    *,
    email: str | None = None,
    console: bool = False,
    keys: int = 0,
) -> None:
    tags = [{"Key": "email", "Value": email}] if email else []
    iam.create_user(UserName=name, Tags=tags)
    if console:
        iam.create_login_profile(UserName=name, Password="Not-a-secret-1!")
    for _ in range(keys):
        iam.create_access_key(UserName=name)


@dataclass
class Estate:
    """The seeded organization: its endpoint and the accounts tests refer to."""

    endpoint: str
    members: list[str]
    suspended: str
    denied: str
    people: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture(scope="session")
def estate(moto_endpoint: str) -> Estate:
    """52 members: one suspended, one whose role tests deny; alice in several accounts."""
    session = make_session()
    orgs = session.client("organizations", endpoint_url=moto_endpoint)
    orgs.create_organization(FeatureSet="ALL")
    members = []
    for n in range(MEMBER_COUNT):
        status = orgs.create_account(AccountName=f"member-{n:02d}", Email=f"m{n}@example.com")
        members.append(status["CreateAccountStatus"]["AccountId"])
    suspended, denied = members[-1], members[-2]
    orgs.close_account(AccountId=suspended)

    iam = session.client("iam", endpoint_url=moto_endpoint)
    add_user(iam, "alice", email="alice.smith@example.com", console=True)
    add_user(iam, "deploy", keys=1)
    people = {"alice": MANAGEMENT}
    seeds = {
        members[0]: [("Alice.Smith", {"console": True}), ("bob", {"keys": 1})],
        members[1]: [("alice-admin", {"email": "alice.smith@example.com", "keys": 2})],
        members[2]: [("alice.jones", {"email": "alice.jones@example.com", "console": True})],
        members[3]: [("bob", {"console": True, "keys": 1}), ("deploy", {"keys": 1})],
    }
    for account_id, users in seeds.items():
        member_iam = member_session(moto_endpoint, account_id).client(
            "iam", endpoint_url=moto_endpoint
        )
        for name, options in users:
            add_user(member_iam, name, **options)
            people[name] = account_id
    return Estate(moto_endpoint, members, suspended, denied, people)


@pytest.fixture
def deny_assume_role() -> Callable[[boto3.Session, str], None]:
    """Register on a session a handler that denies AssumeRole into one account."""

    def install(session: boto3.Session, account_id: str) -> None:
        def deny(params: dict[str, Any], **_: Any) -> Any:
            if assumed_account(params) == account_id:
                return error_response(
                    "AccessDenied", f"not authorized to assume a role in {account_id}"
                )
            return None

        session.events.register("before-call.sts.AssumeRole", deny)

    return install


@pytest.fixture(scope="session")
def seeded(estate: Estate) -> dict[str, Any]:
    """A permission set with every kind of policy, assigned to a user and a group."""
    session = make_session()
    sso = session.client("sso-admin", endpoint_url=estate.endpoint)
    store = session.client("identitystore", endpoint_url=estate.endpoint)
    instance = sso.list_instances()["Instances"][0]
    arn, store_id = instance["InstanceArn"], instance["IdentityStoreId"]
    ps = sso.create_permission_set(
        Name="ReadOnly", InstanceArn=arn, Description="read only", SessionDuration="PT4H"
    )["PermissionSet"]["PermissionSetArn"]
    sso.attach_managed_policy_to_permission_set(
        InstanceArn=arn,
        PermissionSetArn=ps,
        ManagedPolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess",
    )
    sso.attach_customer_managed_policy_reference_to_permission_set(
        InstanceArn=arn,
        PermissionSetArn=ps,
        CustomerManagedPolicyReference={"Name": "Boundary", "Path": "/org/"},
    )
    inline = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}],
    }
    sso.put_inline_policy_to_permission_set(
        InstanceArn=arn, PermissionSetArn=ps, InlinePolicy=json.dumps(inline)
    )
    user_id = store.create_user(
        IdentityStoreId=store_id,
        UserName="alice.smith",
        DisplayName="Alice Smith",
        Name={"GivenName": "Alice", "FamilyName": "Smith"},
    )["UserId"]
    group_id = store.create_group(IdentityStoreId=store_id, DisplayName="Auditors")["GroupId"]
    target = estate.members[7]
    for kind, principal in (("USER", user_id), ("GROUP", group_id), ("USER", "missing-user")):
        sso.create_account_assignment(
            InstanceArn=arn,
            TargetId=target,
            TargetType="AWS_ACCOUNT",
            PermissionSetArn=ps,
            PrincipalType=kind,
            PrincipalId=principal,
        )
    return {"instance": arn, "ps": ps, "user": user_id, "group": group_id, "target": target}
