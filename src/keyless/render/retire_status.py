"""The ``keyless/retire-status/v1`` document (``keyless retire status --format json``)
and its JSON Schema, generated from the types its converter returns:

    python -m keyless.render.retire_status > docs/schemas/retire-status-v1.schema.json

mypy holds :func:`status_document` to :class:`StatusDocument`, and a test fails when the
file in docs/schemas and this output differ, so the schema cannot describe another
document than the one written.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Annotated, Literal, TypedDict

from keyless.dates import iso
from keyless.render.typed_schema import Doc, typed_schema
from keyless.retire.model import Step, StepStatus
from keyless.retire.status import KeyState, KeyWatch, StatusReport, UserWatch

STATUS_SCHEMA = "keyless/retire-status/v1"
SCHEMA_ID = "https://keyless.invalid/schemas/retire-status-v1.schema.json"

Time = Annotated[str, Doc(format="date-time")]
MaybeTime = Annotated[str | None, Doc(format="date-time")]
UserState = Literal["restored", "superseded", "deleted", "unfinished"]


class StepDocument(TypedDict):
    """Something retire did, planned or left, and why."""

    status: Annotated[
        StepStatus,
        Doc(
            "planned (dry run), done, failed, refused (the evidence says no), waiting (not "
            "yet), deferred (--max-actions), skipped (an earlier change to the user failed), "
            "unread (could not be read), nothing (already as wanted)"
        ),
    ]
    kind: Annotated[
        str,
        Doc(
            "The action (deactivate-key, delete-key, backup-user, delete-login-profile, ..., "
            "reactivate-key, create-user, ...) or what the step is about (key, user)."
        ),
    ]
    account: str
    user: str
    target: Annotated[
        str,
        Doc(
            "Access key ID, group name, policy ARN or name, MFA serial, SSH key, certificate "
            "or credential ID; empty for the user itself."
        ),
    ]
    reason: str


class TrailDocument(TypedDict):
    """What CloudTrail's LookupEvents holds for the key since it was taken out of
    service, in one region (up to one page: 50 events)."""

    region: str
    events: Annotated[int, Doc(minimum=0)]
    latest_event: str | None
    latest_time: MaybeTime
    latest_error: str | None


class KeyDocument(TypedDict):
    """A key out of service, as AWS shows it now."""

    account: str
    user: str
    key_id: str
    state: Annotated[
        KeyState,
        Doc(
            "inactive; active (reactivated outside keyless); gone (deleted outside keyless); "
            "deleted (by keyless); unread"
        ),
    ]
    since: Time
    deactivated_by_keyless: bool
    inactive_days: int
    quarantine_ends: Time
    last_used: MaybeTime
    last_used_service: str | None
    cloudtrail: TrailDocument | None
    cloudtrail_error: str | None
    flag: Annotated[
        str | None,
        Doc(
            "Why a person should look (used or reactivated since it was taken out of "
            "service); null when quiet."
        ),
    ]
    error: str | None


class UserDocument(TypedDict):
    """A user keyless backed up."""

    account: str
    user: str
    state: Annotated[
        UserState,
        Doc(
            "restored (by a rollback); superseded (a later backup of the name is the one "
            "`keyless retire rollback` restores); deleted (`keyless retire rollback` "
            "recreates it, unless another user holds the name: see user_id and recreated); "
            "unfinished (its retirement started, the next `keyless retire --apply` goes on)."
        ),
    ]
    backed_up: Time
    deleted: MaybeTime
    restored: MaybeTime
    superseded: Annotated[
        str | None,
        Doc(
            "When the later backup of the name that supersedes this one was taken; null "
            "for a restored backup or the latest.",
            format="date-time",
        ),
    ]
    recreated: Annotated[
        str | None,
        Doc(
            "When a rollback created the user again from this backup without finishing its "
            "restoration (the next rollback goes on with it).",
            format="date-time",
        ),
    ]
    user_id: Annotated[
        str | None,
        Doc(
            "The user's unique ID as backed up: a rollback restores onto a user of the name "
            "only if it has this ID; null when the backup did not record it."
        ),
    ]


class StatusDocument(TypedDict):
    """What `keyless retire status` watches."""

    schema: Literal["keyless/retire-status/v1"]
    journal: str
    now: Time
    quarantine_days: Annotated[int, Doc(minimum=1)]
    cloudtrail: bool
    keys: list[KeyDocument]
    users: list[UserDocument]
    interrupted: list[StepDocument]
    unreachable: dict[str, str]
    exit_code: Literal[0, 1, 3]


def status_document(report: StatusReport) -> StatusDocument:
    """The ``keyless/retire-status/v1`` document."""
    return {
        "schema": "keyless/retire-status/v1",
        "journal": report.journal,
        "now": _at(report.now),
        "quarantine_days": report.quarantine_days,
        "cloudtrail": report.cloudtrail,
        "keys": [_key_document(key) for key in report.keys],
        "users": [_user_document(user) for user in report.users],
        "interrupted": [step_document(step) for step in report.interrupted],
        "unreachable": dict(sorted(report.unreachable.items())),
        "exit_code": report.exit_code,
    }


def step_document(step: Step) -> StepDocument:
    """One step, as ``keyless/retire/v1`` and ``keyless/retire-status/v1`` write it."""
    return {
        "status": step.status,
        "kind": step.label,
        "account": step.account,
        "user": step.user,
        "target": step.target,
        "reason": step.reason,
    }


def user_state(user: UserWatch) -> UserState:
    """What became of a backed-up user, as text and JSON both say it: ``restored`` (by a
    rollback), ``superseded`` (a later backup of the name is the one a rollback restores),
    ``deleted`` (a rollback would restore it), ``unfinished`` (its retirement started)."""
    if user.restored:
        return "restored"
    if user.superseded:
        return "superseded"
    return "deleted" if user.deleted else "unfinished"


def _user_document(user: UserWatch) -> UserDocument:
    return {
        "account": user.account,
        "user": user.user,
        "state": user_state(user),
        "backed_up": _at(user.backed_up),
        "deleted": iso(user.deleted),
        "restored": iso(user.restored),
        "superseded": iso(user.superseded),
        "recreated": iso(user.recreated),
        "user_id": user.user_id,
    }


def _key_document(key: KeyWatch) -> KeyDocument:
    trail = key.trail
    return {
        "account": key.account,
        "user": key.user,
        "key_id": key.key_id,
        "state": key.state,
        "since": _at(key.since),
        "deactivated_by_keyless": key.by_keyless,
        "inactive_days": key.inactive_days,
        "quarantine_ends": _at(key.quarantine_ends),
        "last_used": iso(key.last_used),
        "last_used_service": key.last_used_service,
        "cloudtrail": None
        if trail is None
        else {
            "region": trail.region,
            "events": trail.events,
            "latest_event": trail.latest_name,
            "latest_time": iso(trail.latest_time),
            "latest_error": trail.latest_error,
        },
        "cloudtrail_error": key.trail_error,
        "flag": key.flag,
        "error": key.error,
    }


def _at(moment: datetime) -> str:
    text = iso(moment)
    assert text is not None  # a datetime, never None
    return text


def status_schema() -> dict[str, object]:
    """The JSON Schema of :class:`StatusDocument`."""
    return typed_schema(
        StatusDocument,
        title=STATUS_SCHEMA,
        schema_id=SCHEMA_ID,
        description=(
            "What `keyless retire status` watches: keys out of service and users backed up. "
            "See docs/retire.md. Generated from the code by keyless.render.retire_status; "
            "do not edit."
        ),
    )


if __name__ == "__main__":
    sys.stdout.write(json.dumps(status_schema(), indent=2) + "\n")
