"""The Inventory: everything keyless knows about an estate, however it was collected."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property

from keyless.model.iam import (
    FailedCall,
    Group,
    IdentityCenter,
    ManagedPolicy,
    OidcProvider,
    Role,
    RolesAnywhereProfile,
    RootCredentials,
    SamlProvider,
    TrustAnchor,
    User,
)


class AccountStatus(StrEnum):
    """Whether an account's IAM could be read."""

    SCANNED = "scanned"
    FAILED = "failed"
    SKIPPED = "skipped"


class Dataset(StrEnum):
    """A part of an account's data (the credential report, the authorization details...).
    Checks declare which they need; the engine skips a check (``not evaluated``) for an
    account that lacks one."""

    AUTHORIZATION_DETAILS = "authorization_details"
    CREDENTIAL_REPORT = "credential_report"
    OIDC_PROVIDERS = "oidc_providers"
    SAML_PROVIDERS = "saml_providers"
    MFA_DEVICES = "mfa_devices"
    ROOT = "root"
    ROLES_ANYWHERE = "roles_anywhere"
    IDENTITY_CENTER = "identity_center"

    @property
    def description(self) -> str:
        """What the data set is, for people (the check catalogue, reports)."""
        return _DATASET_DESCRIPTIONS[self]


_DATASET_DESCRIPTIONS = {
    Dataset.AUTHORIZATION_DETAILS: "authorization details (`iam:GetAccountAuthorizationDetails`)",
    Dataset.CREDENTIAL_REPORT: "credential report (`iam:GetCredentialReport`)",
    Dataset.OIDC_PROVIDERS: "OIDC identity providers (`iam:ListOpenIDConnectProviders`)",
    Dataset.SAML_PROVIDERS: "SAML identity providers (`iam:ListSAMLProviders`)",
    Dataset.MFA_DEVICES: "virtual MFA devices (`iam:ListVirtualMFADevices`)",
    Dataset.ROOT: "the root user's row of the credential report",
    Dataset.ROLES_ANYWHERE: "IAM Roles Anywhere trust anchors and profiles",
    Dataset.IDENTITY_CENTER: "the organization's IAM Identity Center (`sso:ListInstances`)",
}


class DatasetState(StrEnum):
    """What happened to a data set: read, not provided, or failed to read."""

    AVAILABLE = "available"
    MISSING = "missing"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class DatasetStatus:
    """The state of one data set of one account, with the reason when it is not available."""

    state: DatasetState
    reason: str = ""


AVAILABLE = DatasetStatus(DatasetState.AVAILABLE)


@dataclass(frozen=True)
class Account:
    """One AWS account's IAM estate, or the record of why it could not be read.

    ``notes`` say what the collector read but left out on purpose, for reports to show
    (credential report rows of users the authorization details lack: deleted since the
    report was generated).
    """

    id: str
    alias: str | None = None
    name: str | None = None
    email: str | None = None
    partition: str = "aws"
    status: AccountStatus = AccountStatus.SCANNED
    error: str | None = None
    users: tuple[User, ...] = ()
    groups: tuple[Group, ...] = ()
    roles: tuple[Role, ...] = ()
    policies: tuple[ManagedPolicy, ...] = ()
    oidc_providers: tuple[OidcProvider, ...] = ()
    saml_providers: tuple[SamlProvider, ...] = ()
    trust_anchors: tuple[TrustAnchor, ...] = ()
    rolesanywhere_profiles: tuple[RolesAnywhereProfile, ...] = ()
    root: RootCredentials | None = None
    datasets: Mapping[Dataset, DatasetStatus] = field(default_factory=dict)
    failed_calls: tuple[FailedCall, ...] = ()
    collected_at: datetime | None = None
    notes: tuple[str, ...] = ()

    def dataset(self, dataset: Dataset) -> DatasetStatus:
        """The state of ``dataset``; anything never recorded is missing."""
        if self.status is not AccountStatus.SCANNED:
            return DatasetStatus(DatasetState.FAILED, self.error or f"account {self.status}")
        return self.datasets.get(dataset, DatasetStatus(DatasetState.MISSING, "not collected"))

    def has(self, dataset: Dataset) -> bool:
        """True when ``dataset`` was read."""
        return self.dataset(dataset).state is DatasetState.AVAILABLE

    @property
    def label(self) -> str:
        """``alias (id)`` or the ID alone."""
        shown = self.alias or self.name
        return f"{shown} ({self.id})" if shown else self.id

    @cached_property
    def policies_by_arn(self) -> Mapping[str, ManagedPolicy]:
        """Managed policies keyed by ARN."""
        return {policy.arn: policy for policy in self.policies}

    @cached_property
    def groups_by_name(self) -> Mapping[str, Group]:
        """Groups keyed by name."""
        return {group.name: group for group in self.groups}

    @cached_property
    def roles_by_name(self) -> Mapping[str, Role]:
        """Roles keyed by name."""
        return {role.name: role for role in self.roles}


@dataclass(frozen=True)
class Organization:
    """An AWS Organization as seen from its management (or delegated admin) account."""

    id: str
    management_account_id: str
    identity_center: IdentityCenter | None = None
    identity_center_state: DatasetStatus = field(
        default_factory=lambda: DatasetStatus(DatasetState.MISSING, "not collected")
    )

    def dataset(self, dataset: Dataset) -> DatasetStatus:
        """The state of an organization-level data set (Identity Center)."""
        if dataset is Dataset.IDENTITY_CENTER:
            return self.identity_center_state
        return DatasetStatus(DatasetState.MISSING, "not an organization-level data set")


@dataclass(frozen=True)
class Inventory:
    """The whole estate: one account, or every account of an organization."""

    accounts: tuple[Account, ...]
    organization: Organization | None = None
    origin: str = "live"
    collected_at: datetime | None = None

    @cached_property
    def organization_account_ids(self) -> frozenset[str]:
        """Every account of the organization by ID, its management account's too; empty
        outside an organization. Kept with the inventory: trust checks ask it for every
        role, and building it each time cost an organization of N accounts O(N) per role."""
        organization = self.organization
        if organization is None:
            return frozenset()
        return frozenset(
            {account.id for account in self.accounts} | {organization.management_account_id}
        )

    @property
    def scanned_accounts(self) -> tuple[Account, ...]:
        """Accounts whose IAM was read."""
        return tuple(a for a in self.accounts if a.status is AccountStatus.SCANNED)

    @property
    def is_complete(self) -> bool:
        """False when an account, a call or the organization's Identity Center could not
        be read: exit code 3 territory."""
        org = self.organization
        if org is not None and (
            org.identity_center_state.state is DatasetState.FAILED
            or (org.identity_center is not None and org.identity_center.failed_calls)
        ):
            return False
        return all(
            a.status is not AccountStatus.FAILED and not a.failed_calls for a in self.accounts
        )
