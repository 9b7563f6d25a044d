"""``GetAccountAuthorizationDetails`` pages turned into model values, shared by the live
collector and the offline export loader.

Policy documents are kept by reference (the parsed dicts, never copied) and everything
else in the pages is dropped as soon as it is read, so that the garbage collector can
free non-default policy versions while a large export is still being converted.
https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeVar
from urllib.parse import unquote

import orjson

from keyless.collect.formats.credential_report import CredentialReport, ReportRow
from keyless.collect.formats.dates import to_utc
from keyless.model import (
    Group,
    InlinePolicy,
    ManagedPolicy,
    MfaDevice,
    PolicyDocument,
    PolicyRef,
    Role,
    Tags,
    User,
)
from keyless.model.arn import account_of
from keyless.model.iam import EMPTY_TAGS

T = TypeVar("T")

#: The top-level lists of a page; a document with none of them is not authorization details.
PAGE_KEYS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")


class DetailsError(ValueError):
    """A page entry that cannot be read; ``pointer`` is a JSON pointer into the page."""

    def __init__(self, message: str, pointer: str):
        super().__init__(message)
        self.pointer = pointer


@dataclass(slots=True)
class AuthDetails:
    """Groups, roles and policies converted so far, and raw user entries waiting for the
    credential report and MFA devices to be merged in by :func:`build_users`."""

    raw_users: list[MutableMapping[str, Any]] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    policies: list[ManagedPolicy] = field(default_factory=list)
    account_id: str | None = None

    def add_page(self, page: Mapping[str, Any], page_index: int = 0) -> None:
        """Convert one page. Raises :class:`DetailsError` for an unreadable entry."""
        prefix = f"/{page_index}" if page_index else ""
        users = page.get("UserDetailList") or ()
        self.raw_users.extend(users)
        self.groups.extend(
            _convert(page.get("GroupDetailList"), _group, f"{prefix}/GroupDetailList")
        )
        self.roles.extend(_convert(page.get("RoleDetailList"), _role, f"{prefix}/RoleDetailList"))
        self.policies.extend(_convert(page.get("Policies"), _policy, f"{prefix}/Policies"))
        if self.account_id is None:
            arns = [e.get("Arn", "") for e in users[:1]]
            arns += [role.arn for role in self.roles[:1]] + [group.arn for group in self.groups[:1]]
            arns += [p.arn for p in self.policies if not p.is_aws_managed][:1]
            accounts = (account_of(arn) or "" for arn in arns)
            self.account_id = next((a for a in accounts if a.isdigit()), None)

    def referenced_aws_policies(self) -> None:
        """Keep only the AWS managed policies something is attached to (AWS returns
        only those, but a hand-made export or the emulator may hold them all)."""
        used = {ref.arn for group in self.groups for ref in group.attached_policies}
        used.update(ref.arn for role in self.roles for ref in role.attached_policies)
        used.update(
            ref["PolicyArn"]
            for user in self.raw_users
            for ref in user.get("AttachedManagedPolicies") or ()
        )
        self.policies = [
            p for p in self.policies if not p.is_aws_managed or p.attachment_count or p.arn in used
        ]


def _convert(entries: Any, convert: Callable[[Any], T], pointer: str) -> list[T]:
    converted: list[T] = []
    if not entries:
        return converted
    append = converted.append
    try:
        for entry in entries:
            append(convert(entry))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise DetailsError(_reason(error), f"{pointer}/{len(converted)}") from None
    return converted


def _reason(error: Exception) -> str:
    return f"missing field {error}" if isinstance(error, KeyError) else str(error)


def document(value: Any) -> PolicyDocument:
    """A policy document as parsed JSON: the API returns URL-encoded JSON strings (boto3
    and the CLI decode them; raw pages may not)."""
    if isinstance(value, Mapping):
        return value
    if isinstance(value, str):
        text = unquote(value) if value.lstrip().startswith("%") else value
        try:
            parsed = orjson.loads(text)
        except orjson.JSONDecodeError as error:
            raise ValueError(f"policy document is not JSON: {error}") from None
        if isinstance(parsed, Mapping):
            return parsed
    raise ValueError(f"policy document is a {type(value).__name__}, expected an object")


def _tags(entries: Any) -> Tags:
    if not entries:
        return EMPTY_TAGS
    return MappingProxyType({tag["Key"]: tag["Value"] for tag in entries})


def _refs(entries: Any) -> tuple[PolicyRef, ...]:
    if not entries:
        return ()
    return tuple(PolicyRef(ref["PolicyArn"], ref["PolicyName"]) for ref in entries)


def _inline(entries: Any) -> tuple[InlinePolicy, ...]:
    if not entries:
        return ()
    return tuple(InlinePolicy(p["PolicyName"], document(p["PolicyDocument"])) for p in entries)


def _boundary(entry: Mapping[str, Any]) -> str | None:
    boundary = entry.get("PermissionsBoundary")
    return boundary.get("PermissionsBoundaryArn") if boundary else None


def _group(entry: Mapping[str, Any]) -> Group:
    return Group(
        name=entry["GroupName"],
        arn=entry["Arn"],
        group_id=entry.get("GroupId", ""),
        path=entry.get("Path", "/"),
        attached_policies=_refs(entry.get("AttachedManagedPolicies")),
        inline_policies=_inline(entry.get("GroupPolicyList")),
    )


def _role(entry: Mapping[str, Any]) -> Role:
    arn = entry["Arn"]
    last = entry.get("RoleLastUsed") or {}
    return Role(
        account_id=account_of(arn) or "",
        name=entry["RoleName"],
        arn=arn,
        trust_policy=document(entry["AssumeRolePolicyDocument"]),
        role_id=entry.get("RoleId", ""),
        path=entry.get("Path", "/"),
        created=to_utc(entry.get("CreateDate")),
        description=entry.get("Description") or "",
        attached_policies=_refs(entry.get("AttachedManagedPolicies")),
        inline_policies=_inline(entry.get("RolePolicyList")),
        last_used=to_utc(last.get("LastUsedDate")),
        last_used_region=last.get("Region"),
        tags=_tags(entry.get("Tags")),
        permissions_boundary=_boundary(entry),
        max_session_duration=entry.get("MaxSessionDuration") or 3600,
    )


def _policy(entry: MutableMapping[str, Any]) -> ManagedPolicy:
    arn = entry["Arn"]
    default = entry.get("DefaultVersionId", "v1")
    versions = entry.get("PolicyVersionList") or ()
    chosen = next((v for v in versions if v.get("IsDefaultVersion")), None)
    if chosen is None:
        chosen = next((v for v in versions if v.get("VersionId") == default), None)
    if chosen is None:
        raise ValueError(f"policy {arn} has no default version ({default}) in PolicyVersionList")
    # Drop every version (the default one's document is kept by the ManagedPolicy) so
    # that the others are freed while the rest of a large export is converted.
    entry["PolicyVersionList"] = None
    # The emulator omits PolicyName and PolicyId; the name is the ARN's last segment.
    return ManagedPolicy(
        arn=arn,
        name=entry.get("PolicyName") or arn.rsplit("/", 1)[-1],
        document=document(chosen["Document"]),
        policy_id=entry.get("PolicyId", ""),
        path=entry.get("Path", "/"),
        default_version_id=chosen.get("VersionId", default),
        attachment_count=entry.get("AttachmentCount", 0),
    )


def build_users(
    raw_users: Iterable[Mapping[str, Any]],
    report: CredentialReport | None,
    mfa_devices: Mapping[str, tuple[MfaDevice, ...]] | None,
) -> tuple[User, ...]:
    """Users from authorization details, with keys, password and MFA state merged in
    from the credential report and the assigned virtual MFA devices (keyed by user ARN).

    Users the report knows but the authorization details do not (created in between, or
    the details could not be read) are built from the report alone.
    Raises :class:`DetailsError` for an unreadable entry.
    """
    rows: Mapping[str, ReportRow] = report.users if report else {}
    devices = mfa_devices or {}
    users: list[User] = []
    seen: set[str] = set()
    try:
        for entry in raw_users:
            arn = entry["Arn"]
            seen.add(arn)
            row = rows.get(arn)
            mine = devices.get(arn, ())
            users.append(
                User(
                    account_id=account_of(arn) or "",
                    name=entry["UserName"],
                    arn=arn,
                    user_id=entry.get("UserId", ""),
                    path=entry.get("Path", "/"),
                    created=to_utc(entry.get("CreateDate")),
                    login_profile=row.login_profile if row else None,
                    mfa_active=(row.mfa_active if row else False) or bool(mine),
                    mfa_devices=mine,
                    access_keys=row.access_keys if row else (),
                    groups=tuple(entry.get("GroupList") or ()),
                    attached_policies=_refs(entry.get("AttachedManagedPolicies")),
                    inline_policies=_inline(entry.get("UserPolicyList")),
                    tags=_tags(entry.get("Tags")),
                    permissions_boundary=_boundary(entry),
                )
            )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise DetailsError(_reason(error), f"/UserDetailList/{len(users)}") from None
    for arn, row in rows.items():
        if arn not in seen:
            users.append(
                User(
                    account_id=account_of(arn) or "",
                    name=row.name,
                    arn=arn,
                    user_id="",
                    path=_user_path(arn),
                    created=row.created,
                    login_profile=row.login_profile,
                    mfa_active=row.mfa_active or bool(devices.get(arn)),
                    mfa_devices=devices.get(arn, ()),
                    access_keys=row.access_keys,
                )
            )
    return tuple(users)


def _user_path(arn: str) -> str:
    resource = arn.split(":", 5)[-1]  # user/path/name
    path = resource[len("user") : resource.rfind("/") + 1]
    return path or "/"
