"""``--demo``: the estate of ``demo_estate`` seeded into an in-process moto emulator as a
small AWS Organization, then read back through the live collector.

Seeding goes through the AWS APIs wherever the emulator supports them; the emulator's
backend objects are touched only for what no API can do: back-dating keys, users and
password use, and loading the two AWS managed policies the estate attaches.
The seeding helpers are public so that the organization fan-out's tests can reuse them.

Two things the emulator cannot give are added by keyless, and said to be:

* **Fixed IDs.** The emulator draws account, user and key IDs from its random generator;
  the demo seeds that generator first, so every run has the same account IDs (and the
  same per-account report).
* **The root row.** The emulator's credential report has no ``<root_account>`` row (AWS
  always writes one), so the root checks would be "not evaluated". Each account's
  :class:`~keyless.collect.demo.estate.RootSpec` is added to what the collector read,
  and the root data set's reason says it was seeded by keyless.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from types import MappingProxyType
from typing import Any

from keyless.collect.demo.estate import (
    ESTATE,
    GITHUB,
    GITHUB_THUMBPRINT,
    MANAGEMENT,
    AccountSpec,
    KeySpec,
    RootSpec,
)
from keyless.collect.live.account import client
from keyless.collect.live.organization import collect_organization
from keyless.model import (
    AccessKey,
    Account,
    Dataset,
    DatasetState,
    DatasetStatus,
    Inventory,
    RootCredentials,
)
from keyless.model.arn import role_arn

REGION = "us-east-1"
MEMBER_ROLE = "OrganizationAccountAccessRole"
#: The emulator's random generator is seeded with this before anything is created, so
#: the demo's account IDs are the same on every run.
ID_SEED = 20240607
#: The root data set's reason on every demo account: available, and why.
SEEDED_ROOT = (
    "seeded by keyless: the emulator's credential report has no <root_account> row,"
    " so the demo adds one per account (keyless.collect.demo.estate.RootSpec)"
)
# IAM requires at least 1,000 characters of metadata; the certificate is filler.
_SAML_METADATA = (
    '<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"'
    ' entityID="http://www.okta.com/exk1demo"><md:IDPSSODescriptor'
    ' protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor'
    ' use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>'
    "<ds:X509Certificate>MIIDemo" + "A" * 1024 + "</ds:X509Certificate></ds:X509Data>"
    "</ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService"
    ' Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"'
    ' Location="https://example.okta.com/app/amazon_aws/exk1demo/sso/saml"/>'
    "</md:IDPSSODescriptor></md:EntityDescriptor>"
)


@dataclass(frozen=True, slots=True)
class DemoOrganization:
    """The seeded demo organization, while its emulator runs: a session into the
    management account, the account ID of each label, and a session into each account."""

    management: Any
    accounts: Mapping[str, str]
    sessions: Mapping[str, Any]


@contextmanager
def seeded_demo(now: datetime | None = None) -> Iterator[DemoOrganization]:
    """The demo organization seeded in a fresh in-process emulator, for as long as the
    context lasts (``keyless scan --demo`` reads it; ``keyless retire --demo`` changes
    it). Nothing outside this process is touched."""
    from moto import mock_aws

    now = now or demo_day()
    with _no_endpoint_override(), mock_aws():
        _seed_emulator_ids()
        management = management_session()
        _, accounts = create_organization(management, ESTATE)
        sessions = {}
        for spec in ESTATE:
            account_id = accounts[spec.label]
            session = (
                management if spec.label == MANAGEMENT else member_session(management, account_id)
            )
            seed_account(session, account_id, spec, accounts, now)
            sessions[account_id] = session
        yield DemoOrganization(
            management, MappingProxyType(dict(accounts)), MappingProxyType(sessions)
        )


def record_key_use(account_id: str, key_id: str, when: datetime, service: str = "s3") -> None:
    """Record in the emulator that a key was used at ``when`` (what a forgotten job
    signing requests with it would leave in IAM's last-used record). Only inside
    :func:`seeded_demo`."""
    from moto.iam.models import AccessKeyLastUsed

    for user in _iam_backend(account_id).users.values():
        for key in user.access_keys:
            if key.access_key_id == key_id:
                key.last_used = AccessKeyLastUsed(timestamp=when, service=service, region=REGION)
                return
    raise KeyError(key_id)


def demo_inventory(now: datetime | None = None) -> Inventory:
    """Seed the demo organization in a fresh in-process emulator and collect it. Its
    timeline is anchored at ``now`` (by default the start of today, UTC, so that two runs
    on one day give the same keys, dates and findings); it is collected at the moment it
    is read."""
    collected_at = now or datetime.now(UTC)
    now = now or demo_day()
    with seeded_demo(now) as demo:
        accounts = demo.accounts
        # Read it back the way `keyless scan --org` reads a real organization.
        inventory = collect_organization(demo.management, member_role=MEMBER_ROLE, max_workers=4)
    specs = {accounts[spec.label]: spec for spec in ESTATE}
    order = list(specs)  # management first, as declared
    return replace(
        inventory,
        accounts=tuple(
            with_seeded_root(
                replace(account, name=account.name or specs[account.id].label),
                specs[account.id].root,
                now,
            )
            for account in sorted(inventory.accounts, key=lambda a: order.index(a.id))
        ),
        origin="demo",
        collected_at=collected_at,
    )


def demo_day(moment: datetime | None = None) -> datetime:
    """The start of the day (UTC) of ``moment``, by default of today: where the demo's
    timeline is anchored unless a test gives one. The estate's ages are whole days, so
    they read the same all day, and a key is created at the same instant in every run of
    the day (``keyless diff`` of two demo snapshots shows no change)."""
    return (
        (moment or datetime.now(UTC))
        .astimezone(UTC)
        .replace(hour=0, minute=0, second=0, microsecond=0)
    )


def _seed_emulator_ids() -> None:
    """Make the emulator's IDs repeatable. Every ID moto makes (accounts, users, keys) is
    drawn from one generator; this is what its own ``POST /moto-api/seed?a=N`` endpoint
    does to it (``moto.moto_api._internal.responses.MotoAPIResponse.seed``), without an
    HTTP round trip."""
    from moto.moto_api._internal import mock_random

    mock_random.seed(ID_SEED)


def with_seeded_root(account: Account, spec: RootSpec, now: datetime) -> Account:
    """``account`` with the root row the emulator's credential report lacks (only where
    the report itself was read), its root data set available with :data:`SEEDED_ROOT`
    as the reason."""
    if not account.has(Dataset.CREDENTIAL_REPORT) or account.root is not None:
        return account
    root = RootCredentials(
        password_enabled=True,
        password_last_used=_ago(now, spec.password_used),
        mfa_active=spec.mfa,
        access_keys=tuple(_root_key(slot, key, now) for slot, key in enumerate(spec.keys, 1)),
    )
    datasets = {
        **account.datasets,
        Dataset.ROOT: DatasetStatus(DatasetState.AVAILABLE, SEEDED_ROOT),
    }
    return replace(account, root=root, datasets=MappingProxyType(datasets))


def _root_key(slot: int, key: KeySpec, now: datetime) -> AccessKey:
    return AccessKey(
        slot=slot,
        active=key.active,
        created=_ago(now, key.age),
        last_used=_ago(now, key.used),
        last_used_service="iam" if key.used is not None else None,
        last_used_region=REGION if key.used is not None else None,
    )


def _ago(now: datetime, days: int | None) -> datetime | None:
    return None if days is None else now - timedelta(days=days)


@contextmanager
def _no_endpoint_override() -> Iterator[None]:
    """The emulator answers only AWS's own endpoints: an ``AWS_ENDPOINT_URL`` in the
    user's shell would send the demo's calls elsewhere, so hide it while seeding."""
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("AWS_ENDPOINT_URL")}
    try:
        yield
    finally:
        os.environ.update(saved)


def management_session() -> Any:
    """A session into the emulator's management account, whatever the caller's
    environment holds (the emulator accepts any key; no real credential is read)."""
    import boto3

    return boto3.Session(
        aws_access_key_id="AKIADEMOMANAGEMENT01",
        aws_secret_access_key="demo",  # noqa: S106 - a placeholder the emulator accepts
        region_name=REGION,
    )


def create_organization(
    management: Any, estate: tuple[AccountSpec, ...]
) -> tuple[str, Mapping[str, str]]:
    """Create the organization and one member account per non-management spec.
    Returns the organization ID and the account ID of each label."""
    orgs = client(management, "organizations")
    org_id = orgs.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    accounts = {MANAGEMENT: management.client("sts").get_caller_identity()["Account"]}
    for spec in estate:
        if spec.label == MANAGEMENT:
            continue
        status = orgs.create_account(Email=spec.email, AccountName=spec.label)
        accounts[spec.label] = status["CreateAccountStatus"]["AccountId"]
    return org_id, accounts


def member_session(management: Any, account_id: str, role: str = MEMBER_ROLE) -> Any:
    """A session into a member account through the role Organizations creates in it."""
    import boto3

    credentials = client(management, "sts").assume_role(
        RoleArn=role_arn(account_id, role), RoleSessionName="keyless-demo"
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=REGION,
    )


def seed_account(
    session: Any,
    account_id: str,
    spec: AccountSpec,
    accounts: Mapping[str, str],
    now: datetime,
) -> None:
    """Create ``spec``'s IAM estate in the account ``session`` reaches, back-dated
    relative to ``now``. Only works against the in-process emulator."""
    iam = client(session, "iam")
    iam.create_account_alias(AccountAlias=spec.alias)
    backend = _iam_backend(account_id)
    _load_aws_policies(backend, account_id)

    def policy_arn(name: str) -> str:
        return name if name.startswith("arn:") else f"arn:aws:iam::{account_id}:policy/{name}"

    for name, versions in (spec.policies or {}).items():
        iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(versions[0]))
        for version in versions[1:]:
            iam.create_policy_version(
                PolicyArn=policy_arn(name), PolicyDocument=json.dumps(version), SetAsDefault=True
            )
    for group in spec.groups:
        iam.create_group(GroupName=group.name)
        for name in group.policies:
            iam.attach_group_policy(GroupName=group.name, PolicyArn=policy_arn(name))
        for name, document in (group.inline or {}).items():
            iam.put_group_policy(
                GroupName=group.name, PolicyName=name, PolicyDocument=json.dumps(document)
            )
    if spec.github_oidc:
        iam.create_open_id_connect_provider(
            Url=f"https://{GITHUB}",
            ClientIDList=["sts.amazonaws.com"],
            ThumbprintList=[GITHUB_THUMBPRINT],
        )
    if spec.saml_provider:
        iam.create_saml_provider(Name=spec.saml_provider, SAMLMetadataDocument=_SAML_METADATA)
    for role in spec.roles:
        trust = json.dumps(role.trust).replace("{self}", account_id)
        for label, other in accounts.items():
            trust = trust.replace(f"{{account:{label}}}", other)
        iam.create_role(
            RoleName=role.name, AssumeRolePolicyDocument=trust, Description=role.description
        )
        for name in role.policies:
            iam.attach_role_policy(RoleName=role.name, PolicyArn=policy_arn(name))
    for user in spec.users:
        tags = [{"Key": "email", "Value": user.email}] if user.email else []
        iam.create_user(UserName=user.name, Path=user.path, Tags=tags)
        for name in user.groups:
            iam.add_user_to_group(GroupName=name, UserName=user.name)
        for name in user.policies:
            iam.attach_user_policy(UserName=user.name, PolicyArn=policy_arn(name))
        if user.console or user.password_used is not None:
            iam.create_login_profile(UserName=user.name, Password=f"Demo-{user.name}-Pw1!")
        if user.mfa:
            serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=user.name)[
                "VirtualMFADevice"
            ]["SerialNumber"]
            # The emulator does not check the codes.
            iam.enable_mfa_device(
                UserName=user.name,
                SerialNumber=serial,
                AuthenticationCode1="123456",
                AuthenticationCode2="654321",
            )
        for key in user.keys:
            created = iam.create_access_key(UserName=user.name)["AccessKey"]
            if key.used is not None:
                _use_key(created["AccessKeyId"], created["SecretAccessKey"])
            if not key.active:
                iam.update_access_key(
                    UserName=user.name, AccessKeyId=created["AccessKeyId"], Status="Inactive"
                )
        backdate_user(backend, user.name, now, user.age, user.password_used, user.keys)


def backdate_user(
    backend: Any,
    name: str,
    now: datetime,
    age: int,
    password_used: int | None,
    keys: tuple[Any, ...],
) -> None:
    """Move a user's creation, password use and keys' creation and last use back in time
    on the emulator's backend (no API can). Keys are matched by position."""
    from moto.iam.models import AccessKeyLastUsed

    user = backend.users[name]
    user.create_date = now - timedelta(days=age)
    if password_used is not None:
        user.password_last_used = now - timedelta(days=password_used)
    for key, spec in zip(user.access_keys, keys, strict=True):
        key.create_date = now - timedelta(days=spec.age)
        if spec.used is not None and key.last_used is not None:
            key.last_used = AccessKeyLastUsed(
                timestamp=now - timedelta(days=spec.used),
                service=key.last_used.service,
                region=key.last_used.region,
            )


def _use_key(key_id: str, secret: str) -> None:
    """Sign one call with the key, so the emulator records its last use like AWS does."""
    import boto3

    boto3.client(
        "sts", aws_access_key_id=key_id, aws_secret_access_key=secret, region_name=REGION
    ).get_caller_identity()


def _iam_backend(account_id: str) -> Any:
    from moto.iam.models import iam_backends

    return iam_backends[account_id]["aws"]


def _load_aws_policies(backend: Any, account_id: str) -> None:
    """Load only the AWS managed policies the estate attaches: loading all 1,582 of them
    (``MOTO_IAM_LOAD_MANAGED_POLICIES``) costs seconds per account."""
    from moto.iam.models import AWSManagedPolicy

    for name, data in _aws_policy_data().items():
        policy = AWSManagedPolicy.from_data(name, account_id, REGION, data)
        if policy.arn not in backend.managed_policies:
            backend.aws_managed_policies.append(policy)
            backend.managed_policies[policy.arn] = policy


@cache
def _aws_policy_data() -> Mapping[str, Any]:
    """The emulator's data for the AWS managed policies the estate attaches, parsed once
    (the whole catalogue is ~5 MB of JSON) rather than once per seeded account."""
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    data = json.loads(aws_managed_policies_data)
    return {name: data[name] for name in ("AdministratorAccess", "ReadOnlyAccess")}
