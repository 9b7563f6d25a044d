"""``GetAccountAuthorizationDetails`` pages turned into model values, shared by the live
collector and the offline export loader.

Policy documents are kept by reference (the parsed dicts, never copied) and everything
else in the pages is dropped as soon as it is read, so that the garbage collector can
free non-default policy versions while a large export is still being converted.
https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, TypeVar
from urllib.parse import unquote

import orjson

from keyless.collect.formats import values
from keyless.collect.formats.credential_report import CredentialReport, ReportRow
from keyless.collect.formats.names import NameOutsideGrammar, checked_name, tag_problem
from keyless.duplicate_keys import find_duplicate_key
from keyless.errors import quoted
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
    #: Dates after this cannot be true (the export was written before): refused.
    latest: datetime | None = None

    def add_page(self, page: Mapping[str, Any], page_index: int = 0) -> None:
        """Convert one page. Raises :class:`DetailsError` for an unreadable entry."""
        prefix = f"/{page_index}" if page_index else ""
        users = _raw_users(page.get("UserDetailList"), f"{prefix}/UserDetailList")
        self.raw_users.extend(users)
        self.groups.extend(
            _convert(page.get("GroupDetailList"), _group, f"{prefix}/GroupDetailList")
        )
        role = functools.partial(_role, latest=self.latest)
        self.roles.extend(_convert(page.get("RoleDetailList"), role, f"{prefix}/RoleDetailList"))
        self.policies.extend(_convert(page.get("Policies"), _policy, f"{prefix}/Policies"))
        if self.account_id is None:
            arns = [e.get("Arn") or "" for e in users[:1]]
            arns += [role.arn for role in self.roles[:1]] + [group.arn for group in self.groups[:1]]
            arns += [p.arn for p in self.policies if not p.is_aws_managed][:1]
            accounts = (account_of(arn) or "" for arn in arns)
            self.account_id = next((a for a in accounts if a.isascii() and a.isdigit()), None)

    def referenced_aws_policies(self) -> None:
        """Keep only the AWS managed policies something is attached to (AWS returns
        only those, but a hand-made export or the emulator may hold them all)."""
        used = {ref.arn for group in self.groups for ref in group.attached_policies}
        used.update(ref.arn for role in self.roles for ref in role.attached_policies)
        # Raw users are checked only by build_users: skip what it will refuse anyway.
        used.update(
            str(ref["PolicyArn"])
            for user in self.raw_users
            if isinstance(user.get("AttachedManagedPolicies"), list)
            for ref in user["AttachedManagedPolicies"]
            if isinstance(ref, dict) and isinstance(ref.get("PolicyArn"), str)
        )
        self.policies = [
            p for p in self.policies if not p.is_aws_managed or p.attachment_count or p.arn in used
        ]


def _raw_users(entries: Any, pointer: str) -> list[MutableMapping[str, Any]]:
    """User entries wait for the credential report (see :func:`build_users`); until then
    they must at least be objects with a string ARN."""
    try:
        users = values.listing(entries, "UserDetailList")
    except ValueError as error:
        raise DetailsError(str(error), pointer) from None
    for index, entry in enumerate(users):
        try:
            values.text(values.obj(entry, "a user"), "Arn")
        except ValueError as error:
            raise DetailsError(str(error), f"{pointer}/{index}") from None
    return users


def _convert(entries: Any, convert: Callable[[Any], T], pointer: str) -> list[T]:
    converted: list[T] = []
    if not entries:
        return converted
    append = converted.append
    try:
        for entry in values.listing(entries, pointer.rsplit("/", 1)[-1]):
            append(convert(entry if type(entry) is dict else values.obj(entry, "an entry")))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise DetailsError(_reason(error), f"{pointer}/{len(converted)}{_field(error)}") from None
    return converted


def _reason(error: Exception) -> str:
    return f"missing field {error}" if isinstance(error, KeyError) else str(error)


def _field(error: Exception) -> str:
    # A name outside IAM's grammar is pointed at itself, not only at its entry.
    return f"/{error.key}" if isinstance(error, NameOutsideGrammar) else ""


def document(value: Any, key: str = "PolicyDocument") -> PolicyDocument:
    """A policy document as parsed JSON: the API returns URL-encoded JSON strings (boto3
    and the CLI decode them; raw pages may not)."""
    if type(value) is dict or isinstance(value, Mapping):  # dict first: ABCs are slow
        return value
    if value is None:
        raise ValueError(f"missing field {key!r}")
    if isinstance(value, str):
        text = unquote(value) if value.lstrip().startswith("%") else value
        try:
            parsed = orjson.loads(text)
        except orjson.JSONDecodeError as error:
            raise ValueError(f"policy document is not JSON: {error}") from None
        try:
            # A key twice: orjson kept the last, and which one IAM reads is not documented
            # (keyless.duplicate_keys.refuse_duplicate_keys), so the document is not judged.
            repeated = find_duplicate_key(text)
        except RecursionError:
            raise ValueError("policy document is nested too deeply") from None
        if repeated is not None:
            raise ValueError(
                f"policy document has a key twice in one object ({repeated[:200]}): which"
                " one counts depends on the program reading it"
            )
        if isinstance(parsed, Mapping):
            return parsed
    raise ValueError(f"policy document is a {type(value).__name__}, expected an object")


def _tags(entries: Any) -> Tags:
    if not entries:
        return EMPTY_TAGS
    tags = {}
    seen: set[str] = set()
    for tag in values.listing(entries, "Tags"):
        key, value = values.fields(values.obj(tag, "a tag"), _TAG)
        if key.lower() in seen:
            # IAM keeps one tag per key of a user or role, ignoring case: a list with two
            # (``email`` and ``Email``) was edited, and which value a reader kept (a plan's
            # email, an ``aws:PrincipalTag`` of its proof) depended on the reader.
            # https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html#id_tags_rules_creating
            raise ValueError(
                f"the tag key {quoted(key)} is listed twice (IAM tag keys ignore case):"
                " AWS lists each once"
            )
        seen.add(key.lower())
        problem = tag_problem(key, value)
        if problem is not None:
            raise ValueError(problem)
        tags[key] = value
    return MappingProxyType(tags)


_TAG = (("Key", None), ("Value", ""))
_REF = (("PolicyArn", None), ("PolicyName", None))


def _refs(entries: Any) -> tuple[PolicyRef, ...]:
    if not entries:
        return ()
    refs = []
    for ref in values.listing(entries, "AttachedManagedPolicies"):
        arn, name = values.fields(values.obj(ref, "a policy attachment"), _REF)
        refs.append(PolicyRef(arn, name))
    return tuple(refs)


def _inline(entries: Any) -> tuple[InlinePolicy, ...]:
    if not entries:
        return ()
    policies = []
    for policy in values.listing(entries, "policies"):
        entry = values.obj(policy, "an inline policy")
        name = values.text(entry, "PolicyName")
        policies.append(InlinePolicy(name, document(entry.get("PolicyDocument"))))
    return tuple(policies)


def _boundary(entry: Mapping[str, Any]) -> str | None:
    boundary = entry.get("PermissionsBoundary")
    if not boundary:
        return None
    return values.optional_text(
        values.obj(boundary, "PermissionsBoundary"), "PermissionsBoundaryArn"
    )


_GROUP = (("GroupName", None), ("Arn", None), ("GroupId", ""), ("Path", "/"))


def _group(entry: Mapping[str, Any]) -> Group:
    name, arn, group_id, path = values.fields(entry, _GROUP)
    return Group(
        name=checked_name("GroupName", name),
        arn=arn,
        group_id=group_id,
        path=checked_name("Path", path),
        attached_policies=_refs(entry.get("AttachedManagedPolicies")),
        inline_policies=_inline(entry.get("GroupPolicyList")),
    )


_ROLE = (("Arn", None), ("RoleName", None), ("RoleId", ""), ("Path", "/"), ("Description", ""))


def _role(entry: Mapping[str, Any], latest: datetime | None = None) -> Role:
    arn, name, role_id, path, description = values.fields(entry, _ROLE)
    last = entry.get("RoleLastUsed") or {}
    if type(last) is not dict:
        values.obj(last, "RoleLastUsed")
    region = last.get("Region")
    duration = entry.get("MaxSessionDuration")
    if type(duration) is not int or not 3600 <= duration <= 43200:
        # One to twelve hours; absent is one.
        # https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
        duration = values.whole(entry, "MaxSessionDuration", 3600, 3600, 43200)
    return Role(
        account_id=account_of(arn) or "",
        name=checked_name("RoleName", name),
        arn=arn,
        trust_policy=document(entry.get("AssumeRolePolicyDocument"), "AssumeRolePolicyDocument"),
        role_id=role_id,
        path=checked_name("Path", path),
        created=values.moment(entry.get("CreateDate"), "CreateDate", latest),
        description=description,
        attached_policies=_refs(entry.get("AttachedManagedPolicies")),
        inline_policies=_inline(entry.get("RolePolicyList")),
        last_used=values.moment(last.get("LastUsedDate"), "RoleLastUsed.LastUsedDate", latest),
        last_used_region=region if type(region) is str else values.optional_text(last, "Region"),
        tags=_tags(entry.get("Tags")),
        permissions_boundary=_boundary(entry),
        max_session_duration=duration,
    )


_POLICY = (("Arn", None), ("DefaultVersionId", "v1"), ("PolicyId", ""), ("Path", "/"))


def _policy(entry: MutableMapping[str, Any]) -> ManagedPolicy:
    arn, default, policy_id, path = values.fields(entry, _POLICY)
    listed = values.listing(entry.get("PolicyVersionList"), "PolicyVersionList")
    versions = [values.obj(version, "a policy version") for version in listed]
    chosen = _default_version(arn, entry, versions)
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
        name=values.text(entry, "PolicyName", arn.rsplit("/", 1)[-1]),
        document=document(chosen.get("Document"), "Document"),
        policy_id=policy_id,
        path=path,
        default_version_id=values.text(chosen, "VersionId", default),
        # Attachments per policy are bounded by the entities of an account.
        attachment_count=values.whole(entry, "AttachmentCount", 0, 0, 2**31 - 1),
    )


def _default_version(
    arn: str, entry: Mapping[str, Any], versions: list[Mapping[str, Any]]
) -> Mapping[str, Any] | None:
    """The version ``IsDefaultVersion`` marks (None when none is marked: the emulator marks
    none, and ``DefaultVersionId`` names it). A policy has exactly one default version,
    the one ``DefaultVersionId`` names
    (https://docs.aws.amazon.com/IAM/latest/APIReference/API_ManagedPolicyDetail.html):
    two marked, or one that is not the version ``DefaultVersionId`` names, is a file
    edited or merged by hand, and which document IAM applies is unknown; analysing the
    first one marked (as keyless did) could judge a policy IAM does not apply."""
    marked = [version for version in versions if values.flag(version, "IsDefaultVersion")]
    ids = [quoted(version.get("VersionId")) for version in marked]
    if len(marked) > 1:
        raise ValueError(
            f"policy {arn} has {len(marked)} versions marked IsDefaultVersion "
            f"({', '.join(ids[:5])}): IAM applies exactly one"
        )
    named = entry.get("DefaultVersionId")
    if marked and named is not None and marked[0].get("VersionId") != named:
        raise ValueError(
            f"policy {arn} names {quoted(named)} its DefaultVersionId but marks version "
            f"{ids[0]} IsDefaultVersion: which one IAM applies is unknown"
        )
    return marked[0] if marked else None


_USER = (("Arn", None), ("UserName", None), ("UserId", ""), ("Path", "/"))


def build_users(
    raw_users: Iterable[Mapping[str, Any]],
    report: CredentialReport | None,
    mfa_devices: Mapping[str, tuple[MfaDevice, ...]] | None,
    latest: datetime | None = None,
    *,
    details_read: bool = True,
) -> tuple[User, ...]:
    """Users from authorization details, with keys, password and MFA state merged in
    from the credential report and the assigned virtual MFA devices (keyed by user ARN).

    A report row (or an MFA device) of a user the authorization details lack is not made
    a user: the report is generated up to four hours before it is fetched and the details
    are read fresh, so such a user was almost always deleted in between
    (:func:`left_out_notes` says which). Only when the details could not be read
    (``details_read`` false) are users built from the report alone, so that the checks
    that need no more than the report still see them.
    Raises :class:`DetailsError` for an unreadable entry.
    """
    rows: Mapping[str, ReportRow] = report.users if report else {}
    devices = mfa_devices or {}
    users: list[User] = []
    try:
        for entry in raw_users:
            arn, name, user_id, path = values.fields(entry, _USER)
            row = rows.get(arn)
            mine = devices.get(arn, ())
            users.append(
                User(
                    account_id=account_of(arn) or "",
                    name=checked_name("UserName", name),
                    arn=arn,
                    user_id=user_id,
                    path=checked_name("Path", path),
                    created=values.moment(entry.get("CreateDate"), "CreateDate", latest),
                    login_profile=row.login_profile if row else None,
                    mfa_active=(row.mfa_active if row else False) or bool(mine),
                    mfa_devices=mine,
                    access_keys=row.access_keys if row else (),
                    groups=values.texts(entry.get("GroupList"), "GroupList"),
                    attached_policies=_refs(entry.get("AttachedManagedPolicies")),
                    inline_policies=_inline(entry.get("UserPolicyList")),
                    tags=_tags(entry.get("Tags")),
                    permissions_boundary=_boundary(entry),
                )
            )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise DetailsError(_reason(error), f"/UserDetailList/{len(users)}{_field(error)}") from None
    if details_read:
        return tuple(users)
    for arn, row in rows.items():
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


#: How many user names a note lists before it only counts the rest.
NOTE_NAMES = 10


def left_out_notes(
    users: Iterable[User],
    report: CredentialReport | None,
    mfa_devices: Mapping[str, tuple[MfaDevice, ...]] | None,
) -> tuple[str, ...]:
    """What :func:`build_users` left out, said once per source: the credential report's
    rows and the MFA devices of users absent from ``users`` (the users built). Nothing is
    lost silently; nothing is made a user the account may no longer have."""
    known = {user.arn for user in users}
    notes = []
    rows = [row.name for arn, row in (report.users if report else {}).items() if arn not in known]
    if rows:
        notes.append(
            f"the credential report has rows for {_users(rows)} the authorization details"
            " lack (deleted after the report was generated, up to four hours before it"
            f" was read); not scanned: {_names(rows)}"
        )
    # The root user's virtual MFA device is listed too, under the account's root ARN: not
    # a user, and not missing from anything.
    devices = sorted(
        arn for arn in (mfa_devices or {}) if arn not in known and not arn.endswith(":root")
    )
    if devices:
        names = [arn.rsplit("/", 1)[-1] for arn in devices]
        notes.append(
            f"virtual MFA devices are assigned to {_users(names)} the authorization"
            f" details lack; not scanned: {_names(names)}"
        )
    return tuple(notes)


def _users(names: list[str]) -> str:
    return f"{len(names)} user{'s' if len(names) != 1 else ''}"


def _names(names: list[str]) -> str:
    shown = ", ".join(name[:64] for name in names[:NOTE_NAMES])
    more = len(names) - NOTE_NAMES
    return f"{shown} and {more} more" if more > 0 else shown


def _user_path(arn: str) -> str:
    resource = arn.split(":", 5)[-1]  # user/path/name
    path = resource[len("user") : resource.rfind("/") + 1]
    return path or "/"
