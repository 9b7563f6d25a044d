"""The plan as frozen values: one decision per IAM user, the targets that replace the
users, and the keys to retire. :mod:`keyless.plan.document` turns it into
``keyless/plan/v1``; nothing here knows JSON."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from keyless.model import PolicyDocument


class Destination(StrEnum):
    """What replaces an IAM user."""

    IDENTITY_CENTER = "identity-center"
    OIDC_ROLE = "oidc-role"
    ROLES_ANYWHERE = "roles-anywhere"
    WORKLOAD_ROLE = "workload-role"
    RETIRE = "retire"
    KEEP = "keep"
    UNDECIDED = "undecided"

    @property
    def is_role(self) -> bool:
        """A workload destination: a role that replaces the user's access keys."""
        return self in (
            Destination.OIDC_ROLE,
            Destination.ROLES_ANYWHERE,
            Destination.WORKLOAD_ROLE,
        )

    @property
    def migrates(self) -> bool:
        """A destination with a target whose permissions carry the user's over."""
        return self is Destination.IDENTITY_CENTER or self.is_role


#: The order destinations are listed in, everywhere.
DESTINATIONS = tuple(Destination)


class Confidence(StrEnum):
    """How strongly the evidence supports a decision."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True, slots=True)
class Signal:
    """One piece of evidence about a user. ``name`` is a stable ID (docs/plan.md lists
    them); ``points_to`` is the destination it argues for, ``None`` when neutral."""

    name: str
    detail: str
    points_to: Destination | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """One user's destination, how sure, the one-line reason and every signal.
    ``would_decide`` says what would settle an undecided user or complete a target."""

    destination: Destination
    confidence: Confidence
    reason: str
    signals: tuple[Signal, ...] = ()
    would_decide: tuple[str, ...] = ()


class LinkKind(StrEnum):
    """What a ``--link`` target names."""

    GITHUB = "github"
    GITLAB = "gitlab"
    CIRCLECI = "circleci"
    BITBUCKET = "bitbucket"
    HOST = "host"
    SERVICE = "aws"

    @property
    def destination(self) -> Destination:
        """The destination a link of this kind decides."""
        if self in (LinkKind.GITHUB, LinkKind.GITLAB, LinkKind.CIRCLECI, LinkKind.BITBUCKET):
            return Destination.OIDC_ROLE
        if self is LinkKind.HOST:
            return Destination.ROLES_ANYWHERE
        return Destination.WORKLOAD_ROLE


@dataclass(frozen=True, slots=True)
class LinkTarget:
    """What a user's keys are for: a repository (or a CircleCI project), a host's
    certificate CN or an AWS service. ``source`` says who said so (``--link`` or a
    ``keyless.toml`` entry)."""

    kind: LinkKind
    value: str
    source: str

    @property
    def label(self) -> str:
        """How the link is written: ``acme/app``, ``gitlab:g/p``, ``host:cn``, ``aws:ec2``."""
        return self.value if self.kind is LinkKind.GITHUB else f"{self.kind}:{self.value}"


# --------------------------------------------------------------------------- permissions


@dataclass(frozen=True, slots=True, order=True)
class PolicyName:
    """A customer managed policy by name and path, as Identity Center references it."""

    name: str
    path: str = "/"


@dataclass(frozen=True, slots=True)
class Permissions:
    """The permissions a target carries: AWS managed policies by ARN, customer managed
    policies by name and path (the same policy in the target's account), one inline
    document, and the user's permissions boundary."""

    aws_managed: tuple[str, ...] = ()
    customer_managed: tuple[PolicyName, ...] = ()
    inline: PolicyDocument | None = None
    boundary: str | None = None

    @property
    def is_empty(self) -> bool:
        """No policy at all: the target could do nothing."""
        return not (self.aws_managed or self.customer_managed or self.inline)


@dataclass(frozen=True, slots=True)
class DroppedStatement:
    """A statement left out of the target, and why."""

    policy: str
    statement: str
    why: str


class ProofStatus(StrEnum):
    """The outcome of the never-broaden proof for one target."""

    PROVED = "proved"
    FAILED = "failed"
    UNPROVED = "unproved"


@dataclass(frozen=True, slots=True)
class Proof:
    """Whether the target allows nothing the user could not do, and on what grounds.
    ``counterexample`` is an action and resource the target allows and the user could
    not (``failed``); ``assumptions`` are what the proof rests on."""

    status: ProofStatus
    detail: str
    assumptions: tuple[str, ...] = ()
    counterexample: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Carried:
    """A user's permissions as a target carries them, with the record of what changed."""

    permissions: Permissions
    sources: tuple[str, ...]
    dropped: tuple[DroppedStatement, ...] = ()
    flags: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    identity_dependent: bool = False


# --------------------------------------------------------------------------- targets


@dataclass(frozen=True, slots=True)
class IdentityCenterUser:
    """One Identity Center user for one person (however many IAM users they had)."""

    user_name: str
    display_name: str
    email: str | None
    iam_users: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PermissionSetPlan:
    """A permission set shared by every user with the same carried permissions."""

    name: str
    description: str
    permissions: Permissions
    flags: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, order=True)
class Assignment:
    """An Identity Center user given a permission set in an account."""

    account: str
    user_name: str
    permission_set: str


@dataclass(frozen=True, slots=True)
class Subject:
    """One ``sub`` value the role trusts, with the condition operator it needs."""

    value: str
    operator: str
    reason: str


@dataclass(frozen=True, slots=True)
class OidcProviderRef:
    """The OIDC provider a role trusts: issuer, audience, and its ARN when it exists, with
    the client IDs (audiences) it accepts when they are known (see
    :func:`keyless.plan.targets.oidc_provider`). ``providers_read`` is false when the
    account's providers were not read: one may exist (:func:`unread_providers_note`)."""

    issuer: str
    audience: str
    arn: str | None = None
    client_ids: tuple[str, ...] | None = None
    providers_read: bool = True

    @property
    def note(self) -> str:
        """What a person must know of a reused provider's audiences; empty when the
        provider is created, or exists and accepts the audience."""
        return provider_note(self.arn, self.audience, self.client_ids)


#: How :func:`unread_providers_note` begins (the plan's summary gathers these notes).
UNREAD_PROVIDERS_NOTE_OPENING = "the OIDC providers of account "


def unread_providers_note(account: str, issuer: str, partition: str) -> str:
    """What a person must check when the plan creates the provider of ``issuer`` in an
    account whose providers it did not read: IAM holds one provider per URL, so creating
    it fails (or the code fights the one that exists) when it is already there."""
    arn = f"arn:{partition}:iam::{account}:oidc-provider/{issuer}"
    return (
        f"{UNREAD_PROVIDERS_NOTE_OPENING}{account} were not read (no oidc-providers.json): "
        f"the plan creates the provider of {issuer}; if `aws iam "
        f"list-open-id-connect-providers` lists {arn}, import it rather than create it "
        "(IAM holds one provider per URL; the README of `keyless generate` says how)"
    )


def provider_note(arn: str | None, audience: str, client_ids: Sequence[str] | None) -> str:
    """See :attr:`OidcProviderRef.note` (also read from a plan document's provider)."""
    if arn is None:
        return ""
    if client_ids is None:
        return (
            f"the client IDs of the existing provider {arn} were not read: check that it "
            f"lists the audience {audience}, or no token is accepted"
        )
    if audience in client_ids:
        return ""
    return (
        f"the existing provider {arn} does not list the audience {audience} (it lists "
        f"{', '.join(client_ids)}): add it before the role is used (aws iam "
        f"add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn {arn} "
        f"--client-id {audience})"
    )


@dataclass(frozen=True, slots=True)
class OidcRolePlan:
    """A role for CI that trusts exactly the jobs that used the user's keys."""

    account: str
    name: str
    user: str
    platform: str
    provider: OidcProviderRef
    repositories: tuple[str, ...]
    subjects: tuple[Subject, ...]
    permissions: Permissions


@dataclass(frozen=True, slots=True)
class RolesAnywherePlan:
    """A role for a workload outside AWS that presents a certificate with ``common_name``.
    ``common_name_source`` is ``link`` when a person named it, ``proposed`` otherwise."""

    account: str
    name: str
    user: str
    common_name: str
    common_name_source: str
    trust_anchors: tuple[str, ...]
    permissions: Permissions


@dataclass(frozen=True, slots=True)
class WorkloadRolePlan:
    """A role an AWS service assumes (instance profile, task or function role)."""

    account: str
    name: str
    user: str
    service: str
    permissions: Permissions


RolePlan = OidcRolePlan | RolesAnywherePlan | WorkloadRolePlan


@dataclass(frozen=True, slots=True)
class KeyToRetire:
    """An access key to delete once its preconditions hold (``key_id`` is unknown when
    the inventory came from a credential report, which knows keys only by slot)."""

    slot: int
    key_id: str | None
    active: bool
    created: datetime | None
    last_used: datetime | None
    last_used_service: str | None
    last_used_region: str | None


@dataclass(frozen=True, slots=True)
class Precondition:
    """What must be true before a user's credentials go. ``kind`` is a stable ID
    (``keyless retire`` checks each kind its own way); ``text`` says it to a person."""

    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class Retirement:
    """One user's credentials to retire, and what must be true first."""

    account: str
    user: str
    arn: str
    keys: tuple[KeyToRetire, ...]
    console_password: bool
    mfa_devices: tuple[str, ...]
    preconditions: tuple[Precondition, ...]


@dataclass(frozen=True, slots=True)
class TargetRef:
    """Which target replaces a user: an Identity Center user (with the permission set,
    when there are permissions to carry) or a role by name."""

    identity_center_user: str | None = None
    permission_set: str | None = None
    role: str | None = None


@dataclass(frozen=True, slots=True)
class UserPlan:
    """Everything the plan says about one IAM user."""

    account: str
    arn: str
    name: str
    path: str
    decision: Decision
    target: TargetRef | None = None
    carried: Carried | None = None
    proof: Proof | None = None
    notes: tuple[str, ...] = ()

    @property
    def is_open(self) -> bool:
        """True when a person still has to act: undecided, a target missing inputs, or a
        target whose permissions were not proved."""
        if self.decision.destination is Destination.UNDECIDED:
            return True
        if self.decision.destination.migrates and self.decision.would_decide:
            return True
        return self.proof is not None and self.proof.status is not ProofStatus.PROVED


@dataclass(frozen=True, slots=True)
class AccountRef:
    """An account of the source inventory, with the alias people know it by."""

    id: str
    alias: str | None = None

    @property
    def label(self) -> str:
        """``alias (id)`` or the ID alone."""
        return f"{self.alias} ({self.id})" if self.alias else self.id


@dataclass(frozen=True, slots=True)
class SourceRef:
    """The inventory a plan was made from, to tell when the plan is stale."""

    origin: str
    organization: str | None
    accounts: tuple[AccountRef, ...]
    collected_at: datetime | None
    fingerprint: str
    unread_accounts: tuple[str, ...] = ()
    as_of: datetime | None = None
    not_read: tuple[str, ...] = ()
    """What the decisions rest on that was not read, one sentence per account and data
    set (``123456789012: credential report: not in the export``): a plan made anyway
    (``--allow-partial``) says so, and its decisions say their evidence was missing."""


@dataclass(frozen=True, slots=True)
class Plan:
    """The whole plan, in the order the document lists it."""

    source: SourceRef
    generated_at: datetime
    users: tuple[UserPlan, ...]
    identity_center_users: tuple[IdentityCenterUser, ...] = ()
    permission_sets: tuple[PermissionSetPlan, ...] = ()
    assignments: tuple[Assignment, ...] = ()
    oidc_roles: tuple[OidcRolePlan, ...] = ()
    roles_anywhere: tuple[RolesAnywherePlan, ...] = ()
    workload_roles: tuple[WorkloadRolePlan, ...] = ()
    retirements: tuple[Retirement, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def is_complete(self) -> bool:
        """False when part of the estate could not be read (exit code 3)."""
        return not self.source.unread_accounts

    @property
    def open_users(self) -> tuple[UserPlan, ...]:
        """Users a person still has to look at (exit code 1)."""
        return tuple(user for user in self.users if user.is_open)
