"""Rows read back from the history store, every value checked against its column.

The store is the user's file and SQLite keeps any value in any column, so a store edited
by hand (a value of the wrong type, a date that is none, an unknown severity) becomes an
error naming the column and the scan, never a traceback or a wrong record.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from keyless.errors import InputError
from keyless.findings import Severity
from keyless.store.record import (
    AccountRecord,
    FindingRecord,
    KeyRecord,
    NotEvaluatedRecord,
    UserRecord,
)


class Cells:
    """Values read back from the store, each checked against its column's type: the file
    is the user's, and may have been edited (SQLite stores any value in any column)."""

    def __init__(self, damaged: Callable[[str], InputError], row: str) -> None:
        """``damaged`` makes the store's error for what is wrong; ``row`` names the row
        (``scan 3``) in it."""
        self._damaged = damaged
        self._row = row

    def _wrong(self, value: object, column: str, expected: str) -> InputError:
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        return self._damaged(
            f"{column} of {self._row} is {type(value).__name__} {shown}, expected {expected}"
        )

    def text(self, value: object, column: str) -> str:
        if type(value) is not str:
            raise self._wrong(value, column, "text")
        return value

    def optional_text(self, value: object, column: str) -> str | None:
        return None if value is None else self.text(value, column)

    def integer(self, value: object, column: str) -> int:
        if type(value) is not int:
            raise self._wrong(value, column, "an integer")
        return value

    def flag(self, value: object, column: str) -> bool:
        if value not in (0, 1) or type(value) is not int:
            raise self._wrong(value, column, "0 or 1")
        return bool(value)

    def choice(self, value: object, column: str, choices: tuple[str, ...]) -> str:
        if type(value) is not str or value not in choices:
            raise self._wrong(value, column, f"one of {', '.join(choices)}")
        return value

    def status(self, value: object, column: str) -> str:
        return self.choice(value, column, ("scanned", "failed", "skipped"))

    def severity(self, value: object, column: str) -> Severity:
        return Severity(self.choice(value, column, tuple(s.value for s in Severity)))

    def date(self, value: object, column: str) -> datetime:
        text = self.text(value, column)
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise self._wrong(value, column, "an ISO 8601 date") from None
        try:
            # In UTC now: a date at the edge of the calendar with an offset ("0001-01-01
            # T00:00+05:00") has no UTC value, and every later use of it would fail.
            return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
        except OverflowError:
            raise self._wrong(value, column, "a date with a UTC value") from None

    def optional_date(self, value: object, column: str) -> datetime | None:
        return None if value is None else self.date(value, column)


@dataclass(frozen=True, slots=True)
class Table:
    """How one table's rows of a scan become records: its name, its columns in the
    record's field order with the :class:`Cells` reader each is checked by, and the
    record type."""

    name: str
    columns: tuple[tuple[str, str], ...]
    record: Callable[..., Any]


ACCOUNTS = Table(
    "accounts",
    (("account", "text"), ("label", "text"), ("status", "status"), ("error", "optional_text")),
    AccountRecord,
)
USERS = Table(
    "users",
    (
        ("account", "text"),
        ("arn", "text"),
        ("name", "text"),
        ("console_access", "flag"),
        ("mfa_active", "flag"),
    ),
    UserRecord,
)
KEYS = Table(
    "access_keys",
    (
        ("account", "text"),
        ("user_arn", "text"),
        ("slot", "integer"),
        ("key_id", "optional_text"),
        ("active", "flag"),
        ("created", "optional_date"),
        ("last_used", "optional_date"),
    ),
    KeyRecord,
)
FINDINGS = Table(
    "findings",
    (
        ("check_id", "text"),
        ("severity", "severity"),
        ("account", "text"),
        ("resource", "text"),
        ("subject", "text"),
        ("message", "text"),
    ),
    FindingRecord,
)
SUPPRESSED = Table("suppressed_findings", FINDINGS.columns, FindingRecord)
NOT_EVALUATED = Table(
    "not_evaluated",
    (("check_id", "text"), ("account", "text"), ("reason", "text")),
    NotEvaluatedRecord,
)


def records(db: sqlite3.Connection, scan_id: int, cell: Cells, table: Table) -> Iterator[Any]:
    """The records of ``table`` for scan ``scan_id``, in the order they were written,
    every value checked by its column's reader (the query is made of the constant names
    above, never of stored text)."""
    names = ", ".join(column for column, _ in table.columns)
    query = f"SELECT {names} FROM {table.name} WHERE scan_id = ? ORDER BY rowid"  # noqa: S608
    readers = [(getattr(cell, kind), f"{table.name}.{column}") for column, kind in table.columns]
    for row in db.execute(query, (scan_id,)).fetchall():
        yield table.record(
            *(read(value, column) for (read, column), value in zip(readers, row, strict=True))
        )
