"""The AWS calls retire makes in one account, and nothing else: reading a user's state
and changing it one action at a time.

Clients come from :func:`keyless.collect.live.account.client`: botocore's adaptive retry
mode backs off on throttling and rate-limits each account's clients on its own (IAM's
request quota is per account). Every write names its user explicitly (``UserName``):
without it, IAM acts on the caller's own identity, which retire must never touch.
A failed call is an :class:`AwsFailure`; a delete of something already gone is a success
("already gone"), so an action repeated after a lost response is harmless.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from keyless.collect.live.account import client
from keyless.duplicate_keys import parse_json
from keyless.errors import CollectionError, InputError
from keyless.retire.model import (
    Action,
    InlinePolicyState,
    KeyState,
    MfaState,
    PublicMaterial,
    ServiceCredential,
    UserAttributes,
    UserState,
)
from keyless.retire.writes import CREATIONS, DELETIONS, request

if TYPE_CHECKING:
    import boto3

#: Errors that mean "it is not there": a delete that finds nothing to delete succeeded.
_GONE = frozenset({"NoSuchEntity", "NoSuchEntityException"})
#: Errors that mean "it is already there": a create that finds it created succeeded.
_THERE = frozenset({"EntityAlreadyExists", "DuplicateSSHPublicKey", "DuplicateCertificate"})


class AwsFailure(Exception):
    """An AWS call that failed after botocore's retries."""

    def __init__(self, operation: str, code: str, message: str = "") -> None:
        super().__init__(f"{operation}: {code}")
        self.operation = operation
        self.code = code
        self.message = message

    def describe(self) -> str:
        """``iam:DeleteUser failed: DeleteConflict (...)``."""
        text = f"{self.operation} failed: {self.code}"
        return f"{text} ({self.message})" if self.message else text


class UnfaithfulDocument(AwsFailure):
    """A document IAM returned that keyless cannot keep exactly as it is (a key twice in
    one object, or not a JSON object): a backup of it would restore something else."""

    def describe(self) -> str:
        """What is wrong with the document and what to do."""
        return self.message


@dataclass(frozen=True, slots=True)
class TrailEvidence:
    """What CloudTrail's ``LookupEvents`` holds for a key since a date, in one region
    (up to one page: 50 events)."""

    region: str
    events: int
    latest_name: str | None = None
    latest_time: datetime | None = None
    latest_error: str | None = None


@dataclass(frozen=True, slots=True)
class RoleUse:
    """A role as ``GetRole`` reports it: its ARN and its last use (``None``: none seen)."""

    arn: str
    last_used: datetime | None
    region: str | None


class AccountApi:
    """One account's IAM (and CloudTrail), through a boto3 session into it."""

    def __init__(
        self, session: boto3.Session, account_id: str, *, endpoint_url: str | None = None
    ) -> None:
        self.session = session
        self.account_id = account_id
        self._endpoint_url = endpoint_url
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        """The account's client for ``service`` (one per service, reused)."""
        if service not in self._clients:
            self._clients[service] = client(self.session, service, self._endpoint_url)
        return self._clients[service]

    @property
    def region(self) -> str:
        """The region CloudTrail is asked in."""
        return str(self.session.region_name or "us-east-1")

    # -- reads ------------------------------------------------------------------------

    def key_owner(self, key_id: str) -> str | None:
        """The IAM user that owns an access key of this account, or ``None``. Confirmed
        with ``ListAccessKeys``: a root user's key is never taken for an IAM user's."""
        found = call(
            "iam:GetAccessKeyLastUsed",
            self.client("iam").get_access_key_last_used,
            missing=True,
            AccessKeyId=key_id,
        )
        name = found.get("UserName") if found else None
        if not name:
            return None
        keys = self._keys(name)
        return name if keys is not None and any(k.key_id == key_id for k in keys) else None

    def role_use(self, role: str) -> RoleUse | None:
        """Whether the role exists and when it was last used (``GetRole``'s
        ``RoleLastUsed``; ``None``: no such role). IAM tracks the last use over a trailing
        400-day window, and may report it a few hours late.
        https://docs.aws.amazon.com/IAM/latest/APIReference/API_RoleLastUsed.html"""
        found = call("iam:GetRole", self.client("iam").get_role, missing=True, RoleName=role)
        if found is None:
            return None
        record = found["Role"]
        used = record.get("RoleLastUsed") or {}
        return RoleUse(record.get("Arn", ""), _utc(used.get("LastUsedDate")), used.get("Region"))

    def observe(self, user: str, *, attributes: bool = False) -> UserState:
        """The user as IAM holds it now; its attributes too when asked."""
        iam = self.client("iam")
        found = call("iam:GetUser", iam.get_user, missing=True, UserName=user)
        if found is None:
            return UserState(self.account_id, user, exists=False)
        record = found["User"]
        profile = call("iam:GetLoginProfile", iam.get_login_profile, missing=True, UserName=user)
        boundary = record.get("PermissionsBoundary") or {}
        return UserState(
            account=self.account_id,
            name=user,
            exists=True,
            arn=record.get("Arn", ""),
            user_id=record.get("UserId", ""),
            path=record.get("Path", "/"),
            created=_utc(record.get("CreateDate")),
            tags=tuple((tag["Key"], tag["Value"]) for tag in record.get("Tags", ())),
            boundary=boundary.get("PermissionsBoundaryArn"),
            login_profile=profile is not None,
            password_last_used=_utc(record.get("PasswordLastUsed")),
            keys=self._keys(user) or (),
            attributes=self.attributes(user) if attributes else None,
        )

    def _keys(self, user: str) -> tuple[KeyState, ...] | None:
        iam = self.client("iam")
        pages = _pages(iam, "list_access_keys", "iam:ListAccessKeys", UserName=user)
        if pages is None:
            return None
        keys = []
        for entry in (item for page in pages for item in page.get("AccessKeyMetadata", ())):
            used = call(
                "iam:GetAccessKeyLastUsed",
                iam.get_access_key_last_used,
                AccessKeyId=entry["AccessKeyId"],
            ).get("AccessKeyLastUsed", {})
            keys.append(
                KeyState(
                    key_id=entry["AccessKeyId"],
                    active=entry.get("Status") == "Active",
                    created=_utc(entry.get("CreateDate")),
                    last_used=_utc(used.get("LastUsedDate")),
                    # "N/A" is how IAM says "never": not a service.
                    last_used_service=_known(used.get("ServiceName")),
                    last_used_region=_known(used.get("Region")),
                )
            )
        return tuple(keys)

    def attributes(self, user: str) -> UserAttributes:
        """Everything ``DeleteUser`` needs gone first, and the documents to restore it.
        https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteUser.html"""
        iam = self.client("iam")

        def each(method: str, operation: str, key: str) -> Iterator[Any]:
            for page in _pages(iam, method, operation, UserName=user) or ():
                yield from page.get(key, ())

        credentials, credentials_error = self._service_credentials(user)
        return UserAttributes(
            mfa_devices=tuple(
                MfaState(device["SerialNumber"], _utc(device.get("EnableDate")))
                for device in each("list_mfa_devices", "iam:ListMFADevices", "MFADevices")
            ),
            ssh_keys=tuple(
                self._ssh_key(user, entry)
                for entry in each("list_ssh_public_keys", "iam:ListSSHPublicKeys", "SSHPublicKeys")
            ),
            certificates=tuple(
                PublicMaterial(
                    cert["CertificateId"],
                    cert.get("Status") == "Active",
                    _utc(cert.get("UploadDate")),
                    cert.get("CertificateBody", ""),
                )
                for cert in each(
                    "list_signing_certificates", "iam:ListSigningCertificates", "Certificates"
                )
            ),
            service_credentials=credentials,
            service_credentials_error=credentials_error,
            groups=tuple(
                group["GroupName"]
                for group in each("list_groups_for_user", "iam:ListGroupsForUser", "Groups")
            ),
            attached_policies=tuple(
                policy["PolicyArn"]
                for policy in each(
                    "list_attached_user_policies",
                    "iam:ListAttachedUserPolicies",
                    "AttachedPolicies",
                )
            ),
            inline_policies=tuple(
                InlinePolicyState(name, self._inline_document(user, name))
                for name in each("list_user_policies", "iam:ListUserPolicies", "PolicyNames")
            ),
        )

    def _ssh_key(self, user: str, entry: Any) -> PublicMaterial:
        key = call(
            "iam:GetSSHPublicKey",
            self.client("iam").get_ssh_public_key,
            UserName=user,
            SSHPublicKeyId=entry["SSHPublicKeyId"],
            Encoding="SSH",
        )["SSHPublicKey"]
        return PublicMaterial(
            entry["SSHPublicKeyId"],
            entry.get("Status") == "Active",
            _utc(entry.get("UploadDate")),
            key.get("SSHPublicKeyBody", ""),
        )

    def _inline_document(self, user: str, name: str) -> Any:
        document = call(
            "iam:GetUserPolicy", self.client("iam").get_user_policy, UserName=user, PolicyName=name
        )["PolicyDocument"]
        # The client leaves IAM's URL-encoded JSON as it came (keyless.collect.live.account
        # .client): read here with keyless's own parse, so a key given twice is refused
        # instead of one copy being backed up and the other lost on rollback.
        what = f"inline policy {name}"
        if not isinstance(document, str):  # pragma: no cover - the client never decodes it
            raise UnfaithfulDocument("iam:GetUserPolicy", "Decoded", f"{what} was decoded")
        try:
            parsed = parse_json(urllib.parse.unquote(document).encode(), what, what)
        except InputError as error:
            problem = f"{error.where}: {error.message}" if error.where else error.message
            raise UnfaithfulDocument(
                "iam:GetUserPolicy",
                "UnfaithfulDocument",
                f"{problem}; a backup would not restore it as it is: correct it in IAM "
                "and run again",
            ) from None
        if not isinstance(parsed, dict):
            raise UnfaithfulDocument(
                "iam:GetUserPolicy", "UnfaithfulDocument", f"{what} is not a JSON object"
            )
        return parsed

    def _service_credentials(
        self, user: str
    ) -> tuple[tuple[ServiceCredential, ...] | None, str | None]:
        """Optional evidence: a caller without ``iam:ListServiceSpecificCredentials`` still
        retires the user (``DeleteUser`` refuses if any remain), and the backup says so."""
        found: list[ServiceCredential] = []
        arguments: dict[str, Any] = {"UserName": user}
        try:
            while True:
                page = call(
                    "iam:ListServiceSpecificCredentials",
                    self.client("iam").list_service_specific_credentials,
                    **arguments,
                )
                found += [
                    ServiceCredential(
                        entry["ServiceSpecificCredentialId"],
                        entry.get("ServiceName", ""),
                        entry.get("ServiceUserName", ""),
                        entry.get("Status") == "Active",
                    )
                    for entry in page.get("ServiceSpecificCredentials", ())
                ]
                if not page.get("IsTruncated") or not page.get("Marker"):
                    return tuple(found), None
                arguments["Marker"] = page["Marker"]
        except AwsFailure as failure:
            return None, failure.describe()

    def unassigned_virtual_mfa(self) -> frozenset[str]:
        """Serials of the account's virtual MFA devices assigned to no one."""
        pages = call(
            "iam:ListVirtualMFADevices",
            lambda: list(
                self.client("iam")
                .get_paginator("list_virtual_mfa_devices")
                .paginate(AssignmentStatus="Unassigned")
            ),
        )
        return frozenset(
            device["SerialNumber"] for page in pages for device in page.get("VirtualMFADevices", ())
        )

    def trail_events(self, key_id: str, since: datetime) -> TrailEvidence:
        """CloudTrail events made with the key since ``since``, in this session's region
        (``LookupEvents`` sees one region's management events, and IAM and STS record
        theirs in us-east-1). https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html"""
        page = call(
            "cloudtrail:LookupEvents",
            self.client("cloudtrail").lookup_events,
            LookupAttributes=[{"AttributeKey": "AccessKeyId", "AttributeValue": key_id}],
            StartTime=since,
            MaxResults=50,
        )
        events = page.get("Events", ())
        if not events:
            return TrailEvidence(self.region, 0)
        latest = max(events, key=lambda event: _utc(event.get("EventTime")) or since)
        try:
            error = json.loads(latest.get("CloudTrailEvent") or "{}").get("errorCode")
        except ValueError:
            error = None
        return TrailEvidence(
            self.region,
            len(events),
            latest.get("EventName"),
            _utc(latest.get("EventTime")),
            error if isinstance(error, str) else None,
        )

    # -- writes -----------------------------------------------------------------------

    def perform(self, action: Action) -> str | None:
        """Make one change; a note when it found the change already made."""
        if action.account != self.account_id:  # pragma: no cover - the run routes by account
            raise ValueError(f"{action.subject} is not for account {self.account_id}")
        operation, method, arguments = request(action)
        try:
            call(f"iam:{operation}", getattr(self.client("iam"), method), **arguments)
        except AwsFailure as failure:
            if failure.code in _GONE and action.kind in DELETIONS:
                return "already gone"
            if failure.code in _THERE and action.kind in CREATIONS:
                return "already there"
            raise
        return None


def call(
    operation: str, method: Callable[..., Any], *, missing: bool = False, **params: Any
) -> Any:
    """``method(**params)``; failures become :class:`AwsFailure` (with ``missing``, an
    entity that does not exist is ``None``). No credentials at all is a user error."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    try:
        return method(**params)
    except NoCredentialsError:
        raise CollectionError(
            "no AWS credentials found",
            hint="Configure credentials (aws configure, AWS_PROFILE, SSO login) or use --profile.",
        ) from None
    except ClientError as error:
        details = error.response.get("Error", {})
        code = str(details.get("Code", "Unknown"))
        if missing and code in _GONE:
            return None
        raise AwsFailure(operation, code, str(details.get("Message", ""))) from None
    except BotoCoreError as error:
        raise AwsFailure(operation, type(error).__name__, str(error)) from None


def _pages(iam: Any, method: str, operation: str, **params: Any) -> list[Any] | None:
    """Every page of a listing; ``None`` when the user does not exist."""
    pages: list[Any] | None = call(
        operation, lambda: list(iam.get_paginator(method).paginate(**params)), missing=True
    )
    return pages


def _utc(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return None


def _known(value: Any) -> str | None:
    return value if isinstance(value, str) and value and value != "N/A" else None
