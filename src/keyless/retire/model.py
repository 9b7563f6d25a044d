"""The values retire works with: what an account holds for one user when retire looked
(:class:`UserState`), the actions it takes (:class:`Action`), and what became of each
(:class:`Step`).

No value here holds a secret: an access key is known by its ID, a console password only
by whether it exists and when it was last used, an MFA device by its serial.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Literal

EMPTY: Mapping[str, Any] = MappingProxyType({})


class ActionKind(StrEnum):
    """Every change retire makes to an account, named after what it does. The values are
    stored in the journal: never renamed."""

    DEACTIVATE_KEY = "deactivate-key"
    DELETE_KEY = "delete-key"
    BACKUP_USER = "backup-user"
    DELETE_LOGIN_PROFILE = "delete-login-profile"
    DEACTIVATE_MFA = "deactivate-mfa-device"
    DELETE_VIRTUAL_MFA = "delete-virtual-mfa-device"
    DELETE_SSH_KEY = "delete-ssh-public-key"
    DELETE_SIGNING_CERTIFICATE = "delete-signing-certificate"
    DELETE_SERVICE_CREDENTIAL = "delete-service-specific-credential"
    REMOVE_FROM_GROUP = "remove-from-group"
    DETACH_POLICY = "detach-user-policy"
    DELETE_INLINE_POLICY = "delete-user-policy"
    DELETE_BOUNDARY = "delete-permissions-boundary"
    DELETE_USER = "delete-user"
    # rollback
    REACTIVATE_KEY = "reactivate-key"
    CREATE_USER = "create-user"
    TAG_USER = "tag-user"
    PUT_BOUNDARY = "put-permissions-boundary"
    ADD_TO_GROUP = "add-to-group"
    ATTACH_POLICY = "attach-user-policy"
    PUT_INLINE_POLICY = "put-user-policy"
    UPLOAD_SSH_KEY = "upload-ssh-public-key"
    UPLOAD_SIGNING_CERTIFICATE = "upload-signing-certificate"

    @property
    def changes_aws(self) -> bool:
        """False only for the backup, which reads."""
        return self is not ActionKind.BACKUP_USER


@dataclass(frozen=True, slots=True)
class Action:
    """One change to one user's IAM, with the reason a person reads.

    ``target`` names what inside the user it acts on: an access key ID, a group name, a
    policy ARN or name, an MFA serial, an SSH key, certificate or credential ID (empty
    for the user itself). ``detail`` carries what a restoring action needs (a path, tags,
    a policy document, a public key body): JSON values, never a secret.
    """

    kind: ActionKind
    account: str
    user: str
    target: str = ""
    reason: str = ""
    detail: Mapping[str, Any] = field(default_factory=lambda: EMPTY)

    @property
    def subject(self) -> tuple[str, str, str, str]:
        """What makes two actions the same action: kind, account, user, target."""
        return (self.kind.value, self.account, self.user, self.target)


@dataclass(frozen=True, slots=True)
class KeyState:
    """An access key as IAM reports it (``ListAccessKeys``, ``GetAccessKeyLastUsed``)."""

    key_id: str
    active: bool
    created: datetime | None = None
    last_used: datetime | None = None
    last_used_service: str | None = None
    last_used_region: str | None = None


@dataclass(frozen=True, slots=True)
class MfaState:
    """An MFA device assigned to the user. Virtual devices have an ARN serial
    (``arn:aws:iam::ID:mfa/NAME``) and can be deleted; hardware and FIDO devices can
    only be deactivated."""

    serial: str
    enabled: datetime | None = None

    @property
    def is_virtual(self) -> bool:
        """True for a virtual (authenticator app) device."""
        return self.serial.startswith("arn:") and ":mfa/" in self.serial


@dataclass(frozen=True, slots=True)
class PublicMaterial:
    """An SSH public key or an X.509 signing certificate: public, so its body is kept and
    can be uploaded again."""

    id: str
    active: bool
    uploaded: datetime | None
    body: str


@dataclass(frozen=True, slots=True)
class ServiceCredential:
    """A service-specific credential (CodeCommit, Amazon Keyspaces): its password is a
    secret that IAM shows once, so only its ID, service and user name are known."""

    id: str
    service: str
    service_user_name: str
    active: bool


@dataclass(frozen=True, slots=True)
class InlinePolicyState:
    """An inline policy of the user, with its document."""

    name: str
    document: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class UserAttributes:
    """Everything else ``DeleteUser`` requires gone, read only when a user is about to be
    backed up, deleted or restored. ``service_credentials`` is ``None`` when they could
    not be listed (``service_credentials_error`` says why)."""

    mfa_devices: tuple[MfaState, ...] = ()
    ssh_keys: tuple[PublicMaterial, ...] = ()
    certificates: tuple[PublicMaterial, ...] = ()
    service_credentials: tuple[ServiceCredential, ...] | None = ()
    service_credentials_error: str | None = None
    groups: tuple[str, ...] = ()
    attached_policies: tuple[str, ...] = ()
    inline_policies: tuple[InlinePolicyState, ...] = ()
    #: Virtual MFA devices the user had (by its backup) that a retirement deactivated but
    #: did not get to delete: unassigned, so no longer listed as the user's.
    leftover_virtual_mfa: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UserState:
    """What one account holds for one IAM user when retire looked (``exists`` is False
    when it holds no such user). ``attributes`` is ``None`` until they were read."""

    account: str
    name: str
    exists: bool
    arn: str = ""
    user_id: str = ""
    path: str = "/"
    created: datetime | None = None
    tags: tuple[tuple[str, str], ...] = ()
    boundary: str | None = None
    login_profile: bool = False
    password_last_used: datetime | None = None
    keys: tuple[KeyState, ...] = ()
    attributes: UserAttributes | None = None

    def key(self, key_id: str) -> KeyState | None:
        """The user's key with this ID, if it still has it."""
        return next((key for key in self.keys if key.key_id == key_id), None)


class StepStatus(StrEnum):
    """What became of one thing retire considered."""

    PLANNED = "planned"  # a dry run: it would be done with --apply
    DONE = "done"
    FAILED = "failed"
    REFUSED = "refused"  # the evidence says no (recent use, the plan, a precondition)
    WAITING = "waiting"  # not yet: a key's quarantine, a user's remaining keys
    DEFERRED = "deferred"  # --max-actions reached: the next run does it
    SKIPPED = "skipped"  # not attempted: an earlier change to the same user failed
    UNREAD = "unread"  # the account or user could not be read
    NOTHING = "nothing"  # already as wanted


@dataclass(frozen=True, slots=True)
class Step:
    """One line of a report: an action done, planned or failed, or something retire did
    not do and why. ``action`` is set for actions; ``kind`` names the others (``key``,
    ``user``, ``account``)."""

    status: StepStatus
    account: str
    user: str
    reason: str
    action: Action | None = None
    kind: str = ""
    target: str = ""

    @property
    def label(self) -> str:
        """The action kind, or what the step is about."""
        return self.action.kind.value if self.action else self.kind

    @staticmethod
    def of(action: Action, status: StepStatus, reason: str | None = None) -> Step:
        """A step about ``action`` (its own reason unless another is given)."""
        return Step(
            status,
            action.account,
            action.user,
            reason if reason is not None else action.reason,
            action=action,
            kind=action.kind.value,
            target=action.target,
        )


@dataclass(frozen=True, slots=True)
class Report:
    """What a ``retire`` or ``rollback`` run did (or, dry, would do).

    ``settled``: actions an interrupted run had recorded as intended, checked against AWS
    at the start of this one. ``unreachable``: accounts that could not be reached, with
    the reason. ``lost``: (account, user, what) a rollback cannot bring back."""

    command: Literal["retire", "rollback"]
    apply: bool
    journal: str
    steps: tuple[Step, ...]
    settled: tuple[Step, ...] = ()
    unreachable: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    run_id: int | None = None
    resumed: bool = False
    lost: tuple[tuple[str, str, str], ...] = ()
    #: The plan a run followed (``--plan``): its path, fingerprint, ``as_of`` and the
    #: preconditions confirmed with ``--confirmed``, as the journal records them.
    plan: Mapping[str, Any] | None = None

    @property
    def exit_code(self) -> Literal[0, 1, 3]:
        """3 when an account or user could not be read; 1 when something was refused or
        failed; 0 otherwise."""
        every = (*self.settled, *self.steps)
        if self.unreachable or any(step.status is StepStatus.UNREAD for step in every):
            return 3
        if any(step.status in (StepStatus.REFUSED, StepStatus.FAILED) for step in every):
            return 1
        return 0

    def count(self, status: StepStatus) -> int:
        """How many steps ended in ``status``."""
        return sum(1 for step in self.steps if step.status is status)
