"""``keyless retire status``: the watch stage. For every key keyless took out of service:
how long it has been inactive, when its quarantine ends, and whether anything tried to use
it since (IAM's last-used record, and CloudTrail events made with the key ID where the
caller may read them). A key something used, or that is active again, is flagged:
``keyless retire rollback --access-key-id`` brings it back.

Read-only: it changes nothing in AWS and writes nothing to the journal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from keyless.dates import days_since
from keyless.errors import KeylessError
from keyless.retire.aws import AccountApi, AwsFailure, TrailEvidence
from keyless.retire.execute import Clock, Tally, no_tally, utc_now
from keyless.retire.journal import DEFAULT_PATH, Journal
from keyless.retire.model import ActionKind, Step, StepStatus
from keyless.retire.reach import Reach
from keyless.retire.records import Backup, Quarantine
from keyless.retire.rollback import Scope, recreated_users
from keyless.retire.run import open_journal

#: What became of a key out of service (:class:`KeyWatch`).
KeyState = Literal["inactive", "active", "gone", "deleted", "unread"]


@dataclass(frozen=True, slots=True)
class KeyWatch:
    """One key out of service, as AWS shows it now. ``state``: ``inactive``, ``active``
    (reactivated outside keyless), ``gone`` (deleted outside keyless), ``deleted`` (by
    keyless) or ``unread``. ``flag`` says why a person should look, if they should."""

    account: str
    user: str
    key_id: str
    since: datetime
    by_keyless: bool
    state: KeyState
    quarantine_ends: datetime
    inactive_days: int
    last_used: datetime | None = None
    last_used_service: str | None = None
    trail: TrailEvidence | None = None
    trail_error: str | None = None
    flag: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class UserWatch:
    """A user keyless backed up: deleted (and when), restored, or part-way."""

    account: str
    user: str
    backed_up: datetime
    deleted: datetime | None
    restored: datetime | None
    #: When a later backup of the name was taken, for an unrestored backup a rollback no
    #: longer restores (it restores a user's latest backup only).
    superseded: datetime | None = None
    #: The user's unique ID as backed up (None in a backup that did not record it): a
    #: rollback restores onto a user of the name only if it has this ID.
    user_id: str | None = None
    #: When a rollback created the user again from this backup without finishing its
    #: restoration (the next rollback goes on with it).
    recreated: datetime | None = None


@dataclass(frozen=True, slots=True)
class StatusReport:
    """The watch: keys, users, and actions an interrupted run left unsettled."""

    journal: str
    now: datetime
    quarantine_days: int
    keys: tuple[KeyWatch, ...] = ()
    users: tuple[UserWatch, ...] = ()
    interrupted: tuple[Step, ...] = ()
    unreachable: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    cloudtrail: bool = True

    @property
    def exit_code(self) -> Literal[0, 1, 3]:
        """3 when an account or key could not be read, 1 when a key is flagged, else 0."""
        if self.unreachable or any(key.state == "unread" for key in self.keys):
            return 3
        return 1 if any(key.flag for key in self.keys) else 0


def status(
    reach: Reach,
    *,
    journal_path: Path = DEFAULT_PATH,
    scope: Scope | None = None,
    quarantine_days: int = 14,
    cloudtrail: bool = True,
    clock: Clock = utc_now,
    progress: Tally = no_tally,
) -> StatusReport:
    """Watch the keys and users the journal at ``journal_path`` records.
    ``progress(done, total)`` counts the keys looked at."""
    scope = scope or Scope()
    now = clock()
    with open_journal(journal_path, writable=False) as journal:
        if journal is None:
            raise KeylessError(
                "no journal here: keyless has not retired anything with it",
                where=str(journal_path),
                hint="Name the journal of the retire runs with --journal.",
            )
        records = [
            r for r in journal.quarantined() if scope.covers_key(r.account, r.user, r.key_id)
        ]
        live = [r for r in records if r.deleted_at is None]
        opened = reach.open({r.account for r in live})
        keys = []
        progress(0, len(records))
        for done, record in enumerate(records, start=1):
            api = opened.apis.get(record.account)
            if record.deleted_at is None and api is None:
                reason = opened.unreachable.get(record.account, "account not reached")
                keys.append(_watch(record, now, quarantine_days, "unread", error=reason))
            else:
                keys.append(_look(record, api, now, quarantine_days, cloudtrail))
            progress(done, len(records))
        users = _users(journal, scope)
        interrupted = tuple(
            Step.of(e.action, StepStatus.WAITING, "interrupted: the next --apply settles it")
            for e in journal.pending()
        )
    return StatusReport(
        journal=str(journal_path),
        now=now,
        quarantine_days=quarantine_days,
        keys=tuple(keys),
        users=users,
        interrupted=interrupted,
        unreachable=opened.unreachable,
        cloudtrail=cloudtrail,
    )


def _look(
    record: Quarantine, api: AccountApi | None, now: datetime, days: int, cloudtrail: bool
) -> KeyWatch:
    if record.deleted_at is not None or api is None:
        return _watch(record, now, days, "deleted")
    try:
        state = api.observe(record.user)
    except AwsFailure as failure:
        return _watch(record, now, days, "unread", error=failure.describe())
    key = state.key(record.key_id)
    if key is None:
        return _watch(record, now, days, "gone", flag="deleted outside keyless")
    trail: TrailEvidence | None = None
    trail_error: str | None = None
    if cloudtrail:
        try:
            trail = api.trail_events(record.key_id, record.since)
        except AwsFailure as failure:
            trail_error = failure.describe()
    flag = None
    if key.active:
        flag = "active again: reactivated outside keyless"
    elif key.last_used is not None and key.last_used > record.since:
        flag = f"used on {key.last_used.date().isoformat()} after it was taken out of service"
    elif trail is not None and trail.events:
        flag = f"{trail.events} CloudTrail event(s) with this key since it was taken out of service"
    return _watch(
        record,
        now,
        days,
        "active" if key.active else "inactive",
        last_used=key.last_used,
        last_used_service=key.last_used_service,
        trail=trail,
        trail_error=trail_error,
        flag=flag,
    )


def _watch(
    record: Quarantine,
    now: datetime,
    days: int,
    state: KeyState,
    *,
    error: str | None = None,
    flag: str | None = None,
    last_used: datetime | None = None,
    last_used_service: str | None = None,
    trail: TrailEvidence | None = None,
    trail_error: str | None = None,
) -> KeyWatch:
    return KeyWatch(
        account=record.account,
        user=record.user,
        key_id=record.key_id,
        since=record.since,
        by_keyless=record.by_keyless,
        state=state,
        quarantine_ends=record.since + timedelta(days=days),
        inactive_days=days_since(record.deleted_at or now, record.since),
        last_used=last_used,
        last_used_service=last_used_service,
        trail=trail,
        trail_error=trail_error,
        flag=flag,
        error=error,
    )


def _users(journal: Journal, scope: Scope) -> tuple[UserWatch, ...]:
    deleted: dict[tuple[str, str], datetime] = {}
    for entry in journal.entries():
        action = entry.action
        if action.kind is ActionKind.DELETE_USER and entry.state == "done":
            deleted[(action.account, action.user)] = entry.settled_at or entry.intended_at
    watches = []
    backups = journal.backups()
    recreated = recreated_users(journal)
    # When the next backup of the same user was taken (backups come oldest first).
    following: dict[int, datetime] = {}
    latest: dict[tuple[str, str], Backup] = {}
    for backup in backups:
        earlier = latest.get((backup.account, backup.user))
        if earlier is not None:
            following[earlier.id] = backup.taken_at
        latest[(backup.account, backup.user)] = backup
    for backup in backups:
        if not scope.covers_user(backup.account, backup.user):
            continue
        when = deleted.get((backup.account, backup.user))
        created = recreated.get((backup.account, backup.user))
        user_id = backup.document.get("user_id")
        watches.append(
            UserWatch(
                backup.account,
                backup.user,
                backup.taken_at,
                when if when and when >= backup.taken_at else None,
                backup.restored_at,
                None if backup.restored_at else following.get(backup.id),
                user_id=user_id if isinstance(user_id, str) and user_id else None,
                recreated=created if created and created >= backup.taken_at else None,
            )
        )
    return tuple(watches)
