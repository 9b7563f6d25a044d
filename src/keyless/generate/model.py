"""What ``keyless generate`` makes, as frozen values every emitter reads.

The concern modules (:mod:`.identity_center`, :mod:`.oidc`, :mod:`.roles_anywhere`,
:mod:`.workload`, :mod:`.own_access`, :mod:`.guardrails`) turn a validated plan into
these; :mod:`.terraform`, :mod:`.cloudformation` and :mod:`.aws_config` write them.
Policy documents are plain JSON values, except for :class:`Placeholder` leaves that stand
for an ARN known only once a resource exists (an OIDC provider, a trust anchor, an
account ID that is a variable): each emitter writes them as its own reference, the proof
reads their ``concrete`` value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from keyless.plan.model import Permissions
from keyless.policy.evaluate import Request


class OutputFormat(StrEnum):
    """What ``--format`` writes."""

    TERRAFORM = "terraform"
    CLOUDFORMATION = "cloudformation"
    AWS_CONFIG = "aws-config"
    SCP = "scp"


class IdentitySource(StrEnum):
    """Where Identity Center's users come from: created in its own store, or an external
    IdP (Entra ID, Okta, Google…) that provisions them, so they are looked up."""

    IDENTITY_CENTER = "identity-center"
    EXTERNAL = "external"


class PlaceholderKind(StrEnum):
    """What a placeholder stands for."""

    OIDC_PROVIDER = "oidc-provider"
    TRUST_ANCHOR = "trust-anchor"


@dataclass(frozen=True, slots=True)
class Placeholder:
    """An ARN inside a policy that the emitted code computes. ``key`` names the resource
    (the account and issuer, or the role the anchor serves); ``concrete`` is the value
    the proof evaluates with (the real one, or a stand-in of the same shape)."""

    kind: PlaceholderKind
    account: str
    key: str
    concrete: str


def concrete(value: object) -> str:
    """The concrete ARN of a :class:`Placeholder` (a ``json.dumps`` ``default``: anything
    else is no JSON, a ``TypeError``)."""
    if isinstance(value, Placeholder):
        return value.concrete
    raise TypeError(f"{type(value).__name__} is not JSON")


@dataclass(frozen=True, slots=True)
class Probe:
    """A request the proof evaluates against a trust policy, and what it must decide."""

    label: str
    request: Request
    allowed: bool


class RoleKind(StrEnum):
    """Why a role is generated."""

    OIDC = "oidc"
    ROLES_ANYWHERE = "roles-anywhere"
    WORKLOAD = "workload"
    KEYLESS = "keyless-read-only"


@dataclass(frozen=True, slots=True)
class RoleSpec:
    """One IAM role to create: its trust policy, its permissions, and the probes that
    prove the trust admits the plan's callers and denies their near misses."""

    kind: RoleKind
    account: str
    name: str
    description: str
    trust: Mapping[str, Any]
    permissions: Permissions
    probes: tuple[Probe, ...]
    pointer: str
    max_session_duration: int = 3600
    #: The CI platform of an OIDC role (``github``, ``gitlab``, ``circleci``, ``bitbucket``).
    platform: str | None = None


@dataclass(frozen=True, slots=True)
class OidcProviderSpec:
    """An IAM OIDC identity provider, created once per account and issuer; an existing one
    is reused, and ``notes`` say what a person must do to its client IDs first (an audience
    to add, a list the plan did not know). ``providers_read`` is false when the plan did not
    read the account's providers: the one created here may exist already."""

    account: str
    issuer: str
    audiences: tuple[str, ...]
    existing_arn: str | None = None
    notes: tuple[str, ...] = ()
    providers_read: bool = True


@dataclass(frozen=True, slots=True)
class TrustAnchorSpec:
    """A Roles Anywhere trust anchor and the profile of the roles it serves, in one
    account: from a CA certificate (PEM) or an AWS Private CA, or one that exists."""

    account: str
    name: str
    role_names: tuple[str, ...]
    ca_pem: str | None = None
    pca_arn: str | None = None
    existing_arn: str | None = None


@dataclass(frozen=True, slots=True)
class IcUser:
    """An Identity Center user: created, or looked up by user name (external source)."""

    user_name: str
    display_name: str
    given_name: str
    family_name: str
    email: str | None


@dataclass(frozen=True, slots=True)
class PermissionSetSpec:
    """A permission set with everything it attaches."""

    name: str
    description: str
    permissions: Permissions
    session_duration: str


@dataclass(frozen=True, slots=True, order=True)
class AssignmentSpec:
    """An Identity Center user given a permission set in an account."""

    account: str
    user_name: str
    permission_set: str


@dataclass(frozen=True, slots=True)
class IdentityCenterSpec:
    """Everything Identity Center needs for the plan's people."""

    source: IdentitySource
    users: tuple[IcUser, ...] = ()
    permission_sets: tuple[PermissionSetSpec, ...] = ()
    assignments: tuple[AssignmentSpec, ...] = ()


@dataclass(frozen=True, slots=True)
class PolicyFile:
    """A standalone policy (an SCP or a permissions boundary): name, kind, document."""

    name: str
    kind: str
    description: str
    document: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class AccountLabel:
    """An account and the label generated names use for it (its alias, else its ID)."""

    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Skipped:
    """Something of the plan that was not generated, and what a person must do."""

    pointer: str
    what: str
    why: str


@dataclass(frozen=True, slots=True)
class Generated:
    """Every resource of a plan, in the order files list them."""

    accounts: tuple[AccountLabel, ...]
    management_account: str
    organization: str | None
    region: str
    identity_center: IdentityCenterSpec
    oidc_providers: tuple[OidcProviderSpec, ...] = ()
    roles: tuple[RoleSpec, ...] = ()
    trust_anchors: tuple[TrustAnchorSpec, ...] = ()
    guardrails: tuple[PolicyFile, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    sso_session: str = "keyless"
    sso_start_url: str | None = None
    sso_region: str | None = None
    keyless_scanner_role: str = ""
    #: The AWS partition of every ARN written (:mod:`keyless.plan.partition`).
    partition: str = "aws"

    def label(self, account: str) -> str:
        """The label of ``account`` (its ID when the plan did not list it)."""
        return next((a.label for a in self.accounts if a.id == account), account)


@dataclass(frozen=True, slots=True)
class OutputFile:
    """One file of the output folder: a relative POSIX path and its bytes."""

    path: str
    content: bytes


@dataclass(frozen=True, slots=True)
class Output:
    """What ``keyless generate`` writes, and what it left for a person."""

    format: OutputFormat
    files: tuple[OutputFile, ...]
    generated: Generated
    findings: tuple[str, ...] = field(default=())

    @property
    def is_complete(self) -> bool:
        """False when part of the plan was not generated (exit code 1)."""
        return not self.generated.skipped

    def paths(self) -> tuple[Path, ...]:
        """The files' relative paths."""
        return tuple(Path(f.path) for f in self.files)
