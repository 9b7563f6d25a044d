"""Users the credential report has no row for, read one by one.

AWS generates the credential report at most every four hours and returns the last one in
between (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html),
so a user created since is missing from it while ``GetAccountAuthorizationDetails``, read
fresh, lists it. Its keys, password and MFA are then unknown, not absent. A live scan can
ask for them directly, as the report would have said them:

* access keys: ``ListAccessKeys`` (ID, status, creation) and ``GetAccessKeyLastUsed`` (date,
  service, region; ``N/A`` when never used), oldest key in slot 1 as the report numbers them;
* the console password: ``GetLoginProfile`` (none when ``NoSuchEntity``) and ``GetUser``'s
  ``PasswordLastUsed``;
* MFA: ``ListMFADevices`` (virtual and hardware devices alike, as the report's ``mfa_active``).

Only for the users the report lacks, and at most :data:`MAX_USERS` of them: a user whose
answers are not all read keeps no row, and the report is then missing for the account
(:meth:`keyless.collect.formats.credential_report.CredentialReport.status_for`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from types import MappingProxyType
from typing import Any

from keyless.collect.formats import values
from keyless.collect.formats.credential_report import CredentialReport, ReportRow
from keyless.collect.formats.dates import to_utc
from keyless.collect.live.answers import converted, iam_pages
from keyless.model import AccessKey, LoginProfile

#: The most users read one by one (about five calls each); past it, the report is missing.
MAX_USERS = 200

#: What GetAccessKeyLastUsed says for a key never used.
_NOT_USED = "N/A"


class _Unanswered(Exception):
    """A call failed (already recorded): the user keeps no row."""


def complete_report(
    iam: Any, calls: Any, report: CredentialReport, users: Iterable[Mapping[str, Any]]
) -> CredentialReport:
    """``report`` with a row, read from the IAM API, for each of ``users`` (raw
    ``UserDetailList`` entries) it lacks; ``calls`` is the collector's
    :class:`keyless.collect.live.account.CallRecorder`."""
    lacking = [
        (user["UserName"], user["Arn"])
        for user in users
        if isinstance(user.get("Arn"), str)
        and isinstance(user.get("UserName"), str)
        and user["Arn"] not in report.users
    ]
    if not lacking or len(lacking) > MAX_USERS:
        return report
    rows = dict(report.users)
    for name, arn in lacking:
        try:
            rows[arn] = _row(iam, calls, name, arn)
        except _Unanswered:
            continue
    return replace(report, users=MappingProxyType(rows))


def _row(iam: Any, calls: Any, name: str, arn: str) -> ReportRow:
    user = _ask(calls, "GetUser", lambda: _object(iam.get_user(UserName=name), "User"))
    profile = _ask(calls, "GetLoginProfile", lambda: _login_profile(iam, name))
    login = None
    if profile is not None:
        login = LoginProfile(
            created=_moment(profile.get("CreateDate")),
            password_last_used=_moment(user.get("PasswordLastUsed")),
        )
    devices = _ask(calls, "ListMFADevices", lambda: _all(iam, "list_mfa_devices", name))
    listed = _ask(calls, "ListAccessKeys", lambda: _keys(_all(iam, "list_access_keys", name)))
    keys = sorted(listed, key=lambda key: _moment(key.get("CreateDate")) or datetime.max)
    return ReportRow(
        name=name,
        arn=arn,
        created=_moment(user.get("CreateDate")),
        login_profile=login,
        mfa_active=bool(devices),
        access_keys=tuple(
            _key(iam, calls, slot, key) for slot, key in enumerate(keys[:2], start=1)
        ),
    )


def _key(iam: Any, calls: Any, slot: int, key: Mapping[str, Any]) -> AccessKey:
    key_id = key["AccessKeyId"]
    used = _ask(
        calls,
        "GetAccessKeyLastUsed",
        lambda: _object(
            iam.get_access_key_last_used(AccessKeyId=key_id), "AccessKeyLastUsed", optional=True
        ),
    )
    service = used.get("ServiceName")
    region = used.get("Region")
    return AccessKey(
        slot=slot,
        active=key.get("Status") == "Active",
        key_id=key_id,
        created=_moment(key.get("CreateDate")),
        last_used=_moment(used.get("LastUsedDate")),
        last_used_service=service if service and service != _NOT_USED else None,
        last_used_region=region if region and region != _NOT_USED else None,
    )


def _login_profile(iam: Any, name: str) -> Mapping[str, Any] | None:
    try:
        return dict(_object(iam.get_login_profile(UserName=name), "LoginProfile"))
    except iam.exceptions.NoSuchEntityException:
        return None


def _object(answer: Any, key: str, *, optional: bool = False) -> Mapping[str, Any]:
    """``answer[key]`` as an object (``{}`` when ``optional`` and absent)."""
    found = values.obj(answer, "the answer").get(key)
    if found is None and optional:
        return {}
    if found is None:
        raise ValueError(f"missing field {key!r}")
    return values.obj(found, key)


def _keys(listed: list[Any]) -> list[Mapping[str, Any]]:
    keys = [values.obj(key, "an access key") for key in listed]
    for key in keys:
        values.text(key, "AccessKeyId")
    return keys


def _all(iam: Any, operation: str, name: str) -> list[Mapping[str, Any]]:
    field = "MFADevices" if operation == "list_mfa_devices" else "AccessKeyMetadata"
    return [
        item for page in iam_pages(iam, operation, UserName=name) for item in page.get(field, ())
    ]


def _ask(calls: Any, operation: str, function: Any) -> Any:
    # A profile that does not exist is an answer (None); any failure is recorded by
    # ``calls`` and leaves the user without a row.
    found = calls.call("iam", operation, lambda: _Answer(converted(function, "/")))
    if found is None:
        raise _Unanswered(operation)
    return found.value


class _Answer:
    """A call's result, even when it is None (``calls.call`` returns None on failure)."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value


def _moment(value: Any) -> datetime | None:
    # botocore parses IAM's timestamps into aware datetimes; anything else is no date.
    return to_utc(value) if isinstance(value, datetime) else None
