"""Small in-memory builders for Inventory values, shared by every test package.

Ages are given in days before ``NOW`` (a fixed instant); pass ``now=`` to anchor them
elsewhere. Every builder returns frozen model values and has defaults that make a
plain, clean object, so a test states only what matters to it::

    user = make_user("ci", keys=[make_key(age_days=400, last_used_days=2)])
    inventory = make_inventory(make_account(users=[user]))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

from keyless.model import (
    AVAILABLE,
    AccessKey,
    Account,
    Dataset,
    DatasetState,
    DatasetStatus,
    Group,
    InlinePolicy,
    Inventory,
    LoginProfile,
    ManagedPolicy,
    Organization,
    PolicyDocument,
    PolicyRef,
    Role,
    RootCredentials,
    User,
)
from keyless.model.arn import role_arn, user_arn

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
ACCOUNT_ID = "111122223333"
OTHER_ACCOUNT_ID = "444455556666"
ADMIN_POLICY_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"

ALLOW_ALL: PolicyDocument = MappingProxyType(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)
READ_ONLY: PolicyDocument = MappingProxyType(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}],
    }
)
# The AWS example "allow users to manage their own credentials, deny all else without MFA":
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_my-sec-creds-self-manage.html
DENY_WITHOUT_MFA: PolicyDocument = MappingProxyType(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyAllExceptListedIfNoMFA",
                "Effect": "Deny",
                "NotAction": [
                    "iam:CreateVirtualMFADevice",
                    "iam:EnableMFADevice",
                    "iam:GetUser",
                    "iam:ListMFADevices",
                    "iam:ListVirtualMFADevices",
                    "iam:ResyncMFADevice",
                    "sts:GetSessionToken",
                ],
                "Resource": "*",
                "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
            }
        ],
    }
)


def days_ago(days: float | None, now: datetime = NOW) -> datetime | None:
    """The instant ``days`` before ``now``; ``None`` stays ``None``."""
    return None if days is None else now - timedelta(days=days)


def make_key(
    slot: int = 1,
    *,
    active: bool = True,
    age_days: float | None = 10,
    last_used_days: float | None = 1,
    key_id: str | None = None,
    service: str | None = None,
    region: str | None = None,
    now: datetime = NOW,
) -> AccessKey:
    """An access key created ``age_days`` and last used ``last_used_days`` ago
    (``None``: unknown creation / never used)."""
    return AccessKey(
        slot=slot,
        active=active,
        key_id=key_id if key_id is not None else f"AKIAEXAMPLE{slot:09d}",
        created=days_ago(age_days, now),
        last_used=days_ago(last_used_days, now),
        last_used_service=service or ("s3" if last_used_days is not None else None),
        last_used_region=region,
    )


def make_login(
    *,
    created_days: float | None = 100,
    last_used_days: float | None = 1,
    changed_days: float | None = None,
    now: datetime = NOW,
) -> LoginProfile:
    """A console password created and last used so many days ago."""
    return LoginProfile(
        created=days_ago(created_days, now),
        password_last_used=days_ago(last_used_days, now),
        password_last_changed=days_ago(changed_days, now),
    )


def make_policy_ref(arn: str) -> PolicyRef:
    """A reference to a managed policy, named after the last part of its ARN."""
    return PolicyRef(arn=arn, name=arn.rsplit("/", 1)[-1])


def make_inline(name: str = "inline", document: PolicyDocument = READ_ONLY) -> InlinePolicy:
    """An inline policy."""
    return InlinePolicy(name=name, document=document)


def _refs(policies: Iterable[str | PolicyRef]) -> tuple[PolicyRef, ...]:
    return tuple(p if isinstance(p, PolicyRef) else make_policy_ref(p) for p in policies)


def _inlines(policies: Iterable[InlinePolicy | PolicyDocument]) -> tuple[InlinePolicy, ...]:
    return tuple(
        p if isinstance(p, InlinePolicy) else make_inline(f"inline-{n}", p)
        for n, p in enumerate(policies)
    )


def make_user(
    name: str = "alice",
    *,
    account_id: str = ACCOUNT_ID,
    keys: Iterable[AccessKey] = (),
    console: bool | LoginProfile = False,
    mfa: bool = False,
    groups: Iterable[str] = (),
    attached: Iterable[str | PolicyRef] = (),
    inline: Iterable[InlinePolicy | PolicyDocument] = (),
    created_days: float | None = 400,
    tags: Mapping[str, str] | None = None,
    path: str = "/",
    now: datetime = NOW,
) -> User:
    """An IAM user. ``console=True`` gives a password used yesterday; pass a
    :func:`make_login` for more control. ``attached`` takes ARNs or refs, ``inline``
    documents or :class:`InlinePolicy` values."""
    login: LoginProfile | None
    if isinstance(console, LoginProfile):
        login = console
    else:
        login = make_login(now=now) if console else None
    return User(
        account_id=account_id,
        name=name,
        arn=user_arn(account_id, name, path),
        user_id=f"AIDA{name.upper():0>17}"[:21],
        path=path,
        created=days_ago(created_days, now),
        login_profile=login,
        mfa_active=mfa,
        access_keys=tuple(keys),
        groups=tuple(groups),
        attached_policies=_refs(attached),
        inline_policies=_inlines(inline),
        tags=MappingProxyType(dict(tags or {})),
    )


def make_group(
    name: str = "developers",
    *,
    account_id: str = ACCOUNT_ID,
    attached: Iterable[str | PolicyRef] = (),
    inline: Iterable[InlinePolicy | PolicyDocument] = (),
) -> Group:
    """An IAM group with the given managed ARNs and inline documents."""
    return Group(
        name=name,
        arn=f"arn:aws:iam::{account_id}:group/{name}",
        group_id=f"AGPA{name.upper()}",
        attached_policies=_refs(attached),
        inline_policies=_inlines(inline),
    )


def make_managed_policy(
    name: str = "custom",
    document: PolicyDocument = READ_ONLY,
    *,
    account_id: str = ACCOUNT_ID,
    arn: str | None = None,
) -> ManagedPolicy:
    """A managed policy (customer managed unless ``arn`` says otherwise)."""
    return ManagedPolicy(
        arn=arn or f"arn:aws:iam::{account_id}:policy/{name}", name=name, document=document
    )


def make_role(
    name: str = "deploy",
    *,
    trust: PolicyDocument | None = None,
    account_id: str = ACCOUNT_ID,
    attached: Iterable[str | PolicyRef] = (),
    inline: Iterable[InlinePolicy | PolicyDocument] = (),
    path: str = "/",
    last_used_days: float | None = None,
    created_days: float | None = 400,
    tags: Mapping[str, str] | None = None,
    now: datetime = NOW,
) -> Role:
    """An IAM role; the default trust lets the account itself assume it."""
    document = trust or {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    return Role(
        account_id=account_id,
        name=name,
        arn=role_arn(account_id, name, path),
        trust_policy=document,
        role_id=f"AROA{name.upper()}",
        path=path,
        created=days_ago(created_days, now),
        attached_policies=_refs(attached),
        inline_policies=_inlines(inline),
        last_used=days_ago(last_used_days, now),
        tags=MappingProxyType(dict(tags or {})),
    )


def make_root(
    *,
    mfa: bool = True,
    keys: Iterable[AccessKey] = (),
    password_last_used_days: float | None = None,
    password_enabled: bool = True,
    now: datetime = NOW,
) -> RootCredentials:
    """The root user's credentials; by default MFA on, no keys, never used."""
    return RootCredentials(
        password_enabled=password_enabled,
        password_last_used=days_ago(password_last_used_days, now),
        mfa_active=mfa,
        access_keys=tuple(keys),
    )


# The root row make_account gives by default: MFA on, no keys, never used.
DEFAULT_ROOT = RootCredentials(password_enabled=True, mfa_active=True)


def make_account(
    account_id: str = ACCOUNT_ID,
    *,
    users: Iterable[User] = (),
    groups: Iterable[Group] = (),
    roles: Iterable[Role] = (),
    policies: Iterable[ManagedPolicy] = (),
    root: RootCredentials | None = DEFAULT_ROOT,
    missing: Iterable[Dataset] = (),
    failed: Mapping[Dataset, str] | None = None,
    alias: str | None = None,
    **fields: Any,
) -> Account:
    """A scanned account. Every source is available except those in ``missing``
    (recorded as not provided) and ``failed`` (source -> reason). ``root`` defaults to
    a root user with MFA and no keys (``None``: no root row). Further ``Account``
    fields pass through."""
    absent = set(missing)
    failures = dict(failed or {})
    sources: dict[Dataset, DatasetStatus] = {}
    for source in Dataset:
        if source in failures:
            sources[source] = DatasetStatus(DatasetState.FAILED, failures[source])
        elif source not in absent:
            sources[source] = AVAILABLE
    return Account(
        id=account_id,
        alias=alias,
        users=tuple(users),
        groups=tuple(groups),
        roles=tuple(roles),
        policies=tuple(policies),
        root=root,
        datasets=MappingProxyType(sources),
        **fields,
    )


def make_inventory(
    *accounts: Account,
    users: Iterable[User] = (),
    organization: Organization | None = None,
    source: str = "test",
    now: datetime = NOW,
) -> Inventory:
    """An inventory of ``accounts``; ``users=`` is a shortcut for one default account."""
    users = tuple(users)
    if accounts and users:
        raise ValueError("give accounts or users=, not both")
    chosen = accounts or (make_account(users=users),)
    return Inventory(accounts=chosen, organization=organization, origin=source, collected_at=now)
