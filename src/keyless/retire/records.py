"""What the journal holds, as values: runs, recorded actions, keys in quarantine,
backups; and the conversion of its rows into them (a damaged row is a JournalError)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from keyless.errors import InputError
from keyless.retire.model import Action, ActionKind


class JournalError(InputError):
    """The journal file cannot be used: not a journal, damaged, or held by another run."""


@dataclass(frozen=True, slots=True)
class Run:
    """A run as the journal knows it. ``resumed`` when it continues an interrupted run
    with the same request; ``changes`` counts the AWS changes it has made so far."""

    id: int
    resumed: bool
    changes: int


@dataclass(frozen=True, slots=True)
class Entry:
    """An action as recorded."""

    id: int
    run_id: int
    action: Action
    state: str
    intended_at: datetime
    settled_at: datetime | None
    error: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class Quarantine:
    """A key out of service since ``since``."""

    account: str
    key_id: str
    user: str
    since: datetime
    by_keyless: bool
    deleted_at: datetime | None


@dataclass(frozen=True, slots=True)
class Backup:
    """A stored backup of a user (``document``: keyless/retire-backup/v1)."""

    id: int
    account: str
    user: str
    taken_at: datetime
    document: Mapping[str, Any]
    restored_at: datetime | None


def _time(text: Any) -> Any:
    """An ISO time from the journal (``None`` stays ``None``)."""
    if text is None:
        return None
    if not isinstance(text, str):
        raise TypeError(f"not a time: {text!r}")
    return datetime.fromisoformat(text)


def to_entry(row: tuple[Any, ...]) -> Entry:
    """An ``actions`` row as an :class:`Entry`."""
    id_, run_id, account, user, kind, target, reason, detail, state, at, settled = row[:11]
    try:
        action = Action(ActionKind(kind), account, user, target, reason, json.loads(detail))
        return Entry(id_, run_id, action, state, _time(at), _time(settled), row[11], row[12])
    except (ValueError, TypeError) as error:
        raise JournalError(f"action {id_} of the journal is damaged: {error}") from None


def to_quarantine(row: tuple[Any, ...]) -> Quarantine:
    """A ``quarantine`` row as a :class:`Quarantine`."""
    account, key_id, user, since, by_keyless, deleted = row
    try:
        return Quarantine(account, key_id, user, _time(since), bool(by_keyless), _time(deleted))
    except (ValueError, TypeError) as error:
        raise JournalError(f"the quarantine of {key_id!r} is damaged: {error}") from None


def to_backup(row: tuple[Any, ...]) -> Backup:
    """A ``backups`` row as a :class:`Backup` (its document is checked when read)."""
    id_, account, user, taken, document, restored = row
    try:
        return Backup(id_, account, user, _time(taken), json.loads(document), _time(restored))
    except (ValueError, TypeError) as error:
        raise JournalError(f"backup {id_} of the journal is damaged: {error}") from None
