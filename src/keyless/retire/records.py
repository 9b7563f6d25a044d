"""What the journal holds, as values: runs, recorded actions, keys in quarantine,
backups; and the conversion of its rows into them (a damaged row is a JournalError)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from keyless.duplicate_keys import parse_json
from keyless.errors import InputError, quoted
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
    """An ISO time from the journal (``None`` stays ``None``; one without an offset, as an
    edit may leave it, is UTC, so it compares with the clock instead of raising)."""
    if text is None:
        return None
    if not isinstance(text, str):
        raise TypeError(f"not a time: {quoted(text)}")
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _text(value: Any, what: str) -> str:
    """A text column: SQLite keeps a BLOB (or a number) in any column of an edited file."""
    if not isinstance(value, str):
        raise TypeError(f"{what} is not text: {quoted(value)}")
    return value


def _optional_text(value: Any, what: str) -> str | None:
    return None if value is None else _text(value, what)


def _integer(value: Any, what: str) -> int:
    if type(value) is not int:
        raise TypeError(f"{what} is not an integer: {quoted(value)}")
    return value


def _json(text: Any, what: str) -> Any:
    """A JSON column, read as strictly as every file keyless reads
    (:func:`keyless.duplicate_keys.parse_json`): a key twice in one object, ``NaN`` or
    ``Infinity`` (which keyless never writes, and which the standard library's parser
    accepts silently), nesting too deep, or text that is not JSON are damage."""
    try:
        return parse_json(_text(text, what).encode(), what, what)
    except InputError as error:
        at = "" if error.where in (None, what) else f"{error.where}: "
        raise ValueError(f"{at}{error.message}") from None


def check_request(row: tuple[Any, ...]) -> None:
    """A ``runs`` row's ``request``: a JSON object (a damaged one is a JournalError)."""
    id_, request = row
    try:
        if not isinstance(_json(request, "request"), dict):
            raise TypeError("request is not a JSON object")
    except (ValueError, TypeError) as error:
        raise JournalError(f"run {quoted(id_)} of the journal is damaged: {error}") from None


def to_entry(row: tuple[Any, ...]) -> Entry:
    """An ``actions`` row as an :class:`Entry`."""
    id_, run_id, account, user, kind, target, reason, detail, state, at, settled = row[:11]
    try:
        detail_value = _json(detail, "detail")
        if not isinstance(detail_value, dict):
            raise TypeError(f"detail is not a JSON object: {quoted(detail_value)}")
        action = Action(
            ActionKind(kind),
            _text(account, "account"),
            _text(user, "user_name"),
            _text(target, "target"),
            _text(reason, "reason"),
            detail_value,
        )
        return Entry(
            _integer(id_, "id"),
            _integer(run_id, "run_id"),
            action,
            _text(state, "state"),
            _time(at),
            _time(settled),
            _optional_text(row[11], "error"),
            _optional_text(row[12], "note"),
        )
    except (ValueError, TypeError) as error:
        raise JournalError(f"action {quoted(id_)} of the journal is damaged: {error}") from None


def to_quarantine(row: tuple[Any, ...]) -> Quarantine:
    """A ``quarantine`` row as a :class:`Quarantine`."""
    account, key_id, user, since, by_keyless, deleted = row
    try:
        if by_keyless not in (0, 1) or type(by_keyless) is not int:
            raise TypeError(f"by_keyless is not 0 or 1: {quoted(by_keyless)}")
        return Quarantine(
            _text(account, "account"),
            _text(key_id, "key_id"),
            _text(user, "user_name"),
            _time(since),
            bool(by_keyless),
            _time(deleted),
        )
    except (ValueError, TypeError) as error:
        raise JournalError(f"the quarantine of {quoted(key_id)} is damaged: {error}") from None


def to_backup(row: tuple[Any, ...]) -> Backup:
    """A ``backups`` row as a :class:`Backup` (its document is checked when read)."""
    id_, account, user, taken, document, restored = row
    try:
        return Backup(
            _integer(id_, "id"),
            _text(account, "account"),
            _text(user, "user_name"),
            _time(taken),
            _json(document, "document"),
            _time(restored),
        )
    except (ValueError, TypeError) as error:
        raise JournalError(f"backup {quoted(id_)} of the journal is damaged: {error}") from None
