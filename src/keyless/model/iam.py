"""Frozen values describing one account's IAM estate.

Policy documents are kept as the parsed JSON mappings they arrived as (never copied:
a 20,000-role account must not cost twice its size in memory); treat them as read-only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

PolicyDocument = Mapping[str, Any]
Tags = Mapping[str, str]
EMPTY_TAGS: Tags = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class AccessKey:
    """A long-lived access key. The credential report knows keys by slot (1 or 2), not ID."""

    slot: int
    active: bool
    key_id: str | None = None
    created: datetime | None = None
    last_used: datetime | None = None
    last_used_service: str | None = None
    last_used_region: str | None = None

    @property
    def label(self) -> str:
        """How to name the key to a person without revealing more than its ID."""
        return self.key_id or f"access key {self.slot}"


@dataclass(frozen=True, slots=True)
class MfaDevice:
    """An MFA device assigned to a user (virtual devices carry their serial ARN)."""

    serial: str
    virtual: bool = True
    enabled: datetime | None = None


@dataclass(frozen=True, slots=True)
class LoginProfile:
    """A console password."""

    created: datetime | None = None
    password_last_used: datetime | None = None
    password_last_changed: datetime | None = None


@dataclass(frozen=True, slots=True)
class PolicyRef:
    """A managed policy attached to a user, group or role."""

    arn: str
    name: str


@dataclass(frozen=True, slots=True)
class InlinePolicy:
    """A policy embedded in a user, group or role."""

    name: str
    document: PolicyDocument


@dataclass(frozen=True, slots=True)
class User:
    """An IAM user: the identity keyless exists to retire."""

    account_id: str
    name: str
    arn: str
    user_id: str
    path: str = "/"
    created: datetime | None = None
    login_profile: LoginProfile | None = None
    mfa_active: bool = False
    mfa_devices: tuple[MfaDevice, ...] = ()
    access_keys: tuple[AccessKey, ...] = ()
    groups: tuple[str, ...] = ()
    attached_policies: tuple[PolicyRef, ...] = ()
    inline_policies: tuple[InlinePolicy, ...] = ()
    tags: Tags = field(default_factory=lambda: EMPTY_TAGS)
    permissions_boundary: str | None = None

    @property
    def has_console_access(self) -> bool:
        """True when the user has a console password."""
        return self.login_profile is not None

    @property
    def has_mfa(self) -> bool:
        """True when the user has any MFA device."""
        return self.mfa_active or bool(self.mfa_devices)

    @property
    def active_keys(self) -> tuple[AccessKey, ...]:
        """The user's active access keys."""
        return tuple(key for key in self.access_keys if key.active)

    def tag(self, key: str) -> str | None:
        """A tag value, matching the key case-insensitively."""
        wanted = key.lower()
        for name, value in self.tags.items():
            if name.lower() == wanted:
                return value
        return None


@dataclass(frozen=True, slots=True)
class Group:
    """An IAM group."""

    name: str
    arn: str
    group_id: str = ""
    path: str = "/"
    attached_policies: tuple[PolicyRef, ...] = ()
    inline_policies: tuple[InlinePolicy, ...] = ()


@dataclass(frozen=True, slots=True)
class Role:
    """An IAM role and the trust policy that says who may assume it."""

    account_id: str
    name: str
    arn: str
    trust_policy: PolicyDocument
    role_id: str = ""
    path: str = "/"
    created: datetime | None = None
    description: str = ""
    attached_policies: tuple[PolicyRef, ...] = ()
    inline_policies: tuple[InlinePolicy, ...] = ()
    last_used: datetime | None = None
    last_used_region: str | None = None
    tags: Tags = field(default_factory=lambda: EMPTY_TAGS)
    permissions_boundary: str | None = None
    max_session_duration: int = 3600

    @property
    def is_service_linked(self) -> bool:
        """Service-linked roles are managed by AWS and trusted by one service only."""
        return self.path.startswith("/aws-service-role/")


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    """A managed policy with its default version's document."""

    arn: str
    name: str
    document: PolicyDocument
    policy_id: str = ""
    path: str = "/"
    default_version_id: str = "v1"
    attachment_count: int = 0

    @property
    def is_aws_managed(self) -> bool:
        """AWS managed policies live in the ``aws`` account namespace."""
        return ":iam::aws:policy/" in self.arn


@dataclass(frozen=True, slots=True)
class OidcProvider:
    """An IAM OIDC identity provider."""

    arn: str
    url: str
    client_ids: tuple[str, ...] = ()
    thumbprints: tuple[str, ...] = ()
    created: datetime | None = None


@dataclass(frozen=True, slots=True)
class SamlProvider:
    """An IAM SAML identity provider."""

    arn: str
    name: str
    valid_until: datetime | None = None
    created: datetime | None = None


@dataclass(frozen=True, slots=True)
class RootCredentials:
    """The root user's credentials, from the credential report's ``<root_account>`` row."""

    password_enabled: bool
    password_last_used: datetime | None = None
    mfa_active: bool = False
    access_keys: tuple[AccessKey, ...] = ()

    @property
    def active_keys(self) -> tuple[AccessKey, ...]:
        """The root user's active access keys."""
        return tuple(key for key in self.access_keys if key.active)

    @property
    def last_used(self) -> datetime | None:
        """The latest use of the root password or any root key."""
        dates = [self.password_last_used, *(key.last_used for key in self.access_keys)]
        known = [date for date in dates if date is not None]
        return max(known) if known else None


@dataclass(frozen=True, slots=True)
class TrustAnchor:
    """An IAM Roles Anywhere trust anchor."""

    arn: str
    name: str
    enabled: bool = True
    source_type: str = "CERTIFICATE_BUNDLE"


@dataclass(frozen=True, slots=True)
class RolesAnywhereProfile:
    """An IAM Roles Anywhere profile: which roles certificates may use."""

    arn: str
    name: str
    role_arns: tuple[str, ...] = ()
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class FailedCall:
    """An AWS call that failed while collecting: never swallowed, always reported."""

    service: str
    operation: str
    code: str
    message: str = ""

    def describe(self) -> str:
        """``iam:GetCredentialReport failed: AccessDenied (...)``."""
        text = f"{self.service}:{self.operation} failed: {self.code}"
        return f"{text} ({self.message})" if self.message else text


@dataclass(frozen=True, slots=True)
class PermissionSet:
    """An IAM Identity Center permission set."""

    arn: str
    name: str
    description: str = ""
    session_duration: str = "PT1H"
    managed_policies: tuple[str, ...] = ()
    customer_managed_policies: tuple[str, ...] = ()
    inline_policy: PolicyDocument | None = None


@dataclass(frozen=True, slots=True)
class AccountAssignment:
    """A user or group of the identity store given a permission set in an account."""

    account_id: str
    permission_set_arn: str
    principal_type: str
    principal_id: str
    principal_name: str | None = None


@dataclass(frozen=True, slots=True)
class IdentityCenter:
    """The organization's IAM Identity Center instance."""

    instance_arn: str
    identity_store_id: str
    permission_sets: tuple[PermissionSet, ...] = ()
    assignments: tuple[AccountAssignment, ...] = ()
    failed_calls: tuple[FailedCall, ...] = field(default=())
