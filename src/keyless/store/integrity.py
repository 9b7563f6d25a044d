"""Rows keyless never writes into a recorded scan, found when the scan is read.

SQLite keeps whatever a file holds, so a store edited by hand may hold rows that would
change what ``history`` and ``diff`` count without a value of the wrong type anywhere:

* a user, access key or finding on an account the scan did not read. keyless writes the
  users and keys of the scanned accounts only, and a finding only where its check ran (a
  scanned account), except a finding of an organization check: its account is the one
  its resource names, or the management account, which the scan may not have read (left
  out with ``--exclude-accounts``, or failed). Such a row was dropped without a word: a
  crafted critical finding on an unlisted account made "0 new";
* a check not evaluated on an account the scan does not list: keyless records gaps on
  the accounts it visited, and an organization check's on the management account or
  ``*``;
* a user listed twice in one scan (or an access key: a user's slot twice): the collectors
  refuse a user listed twice, so each is one row, and a second one counted it twice.

Two findings equal in every column are not refused: keyless 0.1.0 reported two problems
of one role that read alike (two paths described by the same words) and recorded both, and
this keyless carries the same version number, so a scan's version cannot tell them apart.

A finding or gap of a check this keyless does not know, in a scan another version of
keyless recorded, is refused as a store of that version (a later keyless's organization
check may write where this one's never do), not as damage.

Every row is checked with a few grouped queries, each stopping at the first offender (a
UNIQUE index would refuse these rows when written, but would make every older store
unreadable: this is checked when reading instead).
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Iterable

from keyless import __version__
from keyless.errors import InputError, quoted
from keyless.store.record import ScanRecord

#: An account the scan read (users, keys and findings belong to one).
_SCANNED = (
    "EXISTS (SELECT 1 FROM accounts a WHERE a.scan_id = t.scan_id AND a.account = t.account"
    " AND a.status = 'scanned')"
)
#: An account the scan lists, read or not (a failed account's checks are not evaluated).
_LISTED = "EXISTS (SELECT 1 FROM accounts a WHERE a.scan_id = t.scan_id AND a.account = t.account)"
#: A row of an organization check in a scan of an organization (the IDs are bound).
_OF_ORGANIZATION = (
    "t.check_id IN ({ids}) AND"
    " (SELECT s.organization FROM scans s WHERE s.id = t.scan_id) IS NOT NULL"
)


@functools.cache
def organization_checks() -> tuple[str, ...]:
    """The IDs of the checks that judge the organization as a whole (their findings and
    gaps may name an account the scan did not read)."""
    from keyless.checks import Scope
    from keyless.engine import select_checks

    return tuple(c.id for c in select_checks(None) if c.scope is Scope.ORGANIZATION)


@functools.cache
def known_checks() -> frozenset[str]:
    """The IDs of every check this keyless runs."""
    from keyless.engine import select_checks

    return frozenset(c.id for c in select_checks(None))


def check_scan_rows(
    db: sqlite3.Connection,
    damaged: Callable[[str], InputError],
    scan_id: int,
    *,
    suppressed_kept: bool,
    where: str | None,
) -> None:
    """Refuse (``damaged``) the first row of scan ``scan_id`` keyless would never have
    written. ``suppressed_kept``: the store has that table; ``where`` names the store."""
    only = ("t.scan_id = ?", (scan_id,))
    _check(db, damaged, where, _placed(only, suppressed_kept) + _gaps(only) + _twice(only))


def check_history_rows(
    db: sqlite3.Connection,
    damaged: Callable[[str], InputError],
    unread: Iterable[tuple[int, str]],
    *,
    suppressed_kept: bool,
    where: str | None,
) -> None:
    """What :func:`check_scan_rows` refuses, for every scan of the store, at a cost the
    history hardly notices: ``unread`` holds the (scan, account) pairs the history's
    counts found rows for on an account the scan did not read (only their rows are looked
    at); the counts themselves refuse a user or key listed twice
    (:func:`~keyless.store.counts.account_counts`)."""
    queries = _gaps(("1", ()))
    for scan_id, account in unread:
        queries += _placed(("t.scan_id = ? AND t.account = ?", (scan_id, account)), suppressed_kept)
    _check(db, damaged, where, queries)


#: A query, its parameters, and what is wrong with the row it finds.
_Query = tuple[str, tuple[object, ...], str]
#: The kinds of row whose name is a check ID.
_OF_CHECK = ("a finding of", "a check not evaluated:")
#: A condition on the rows (``t``) to check, and its parameters.
_Only = tuple[str, tuple[object, ...]]
_UNREAD = "on an account the scan did not read"


def _placed(only: _Only, suppressed_kept: bool) -> list[_Query]:
    """Users, keys and findings on an account the scan did not read (an organization
    check's findings excepted)."""
    where, bound = only
    ids = organization_checks()
    organization = _OF_ORGANIZATION.format(ids=", ".join("?" * len(ids)))
    tables = ["findings", *(["suppressed_findings"] if suppressed_kept else [])]
    return [
        (
            f"SELECT t.scan_id, t.account, 'a user', t.arn FROM users t"  # noqa: S608
            f" WHERE {where} AND NOT {_SCANNED} LIMIT 1",
            bound,
            _UNREAD,
        ),
        (
            f"SELECT t.scan_id, t.account, 'an access key of', t.user_arn"  # noqa: S608
            f" FROM access_keys t WHERE {where} AND NOT {_SCANNED} LIMIT 1",
            bound,
            _UNREAD,
        ),
        *(
            (
                f"SELECT t.scan_id, t.account, 'a finding of', t.check_id FROM {table} t"  # noqa: S608
                f" WHERE {where} AND NOT {_SCANNED} AND NOT ({organization}) LIMIT 1",
                (*bound, *ids),
                _UNREAD,
            )
            for table in tables
        ),
    ]


def _gaps(only: _Only) -> list[_Query]:
    """A check not evaluated on an account the scan does not list (an organization
    check's excepted)."""
    where, bound = only
    ids = organization_checks()
    organization = _OF_ORGANIZATION.format(ids=", ".join("?" * len(ids)))
    return [
        (
            "SELECT t.scan_id, t.account, 'a check not evaluated:', t.check_id"  # noqa: S608
            f" FROM not_evaluated t WHERE {where} AND NOT {_LISTED} AND NOT ({organization})"
            " LIMIT 1",
            (*bound, *ids),
            "on an account the scan does not list",
        )
    ]


def _twice(only: _Only) -> list[_Query]:
    """A user listed twice, or a user's key slot."""
    where, bound = only
    return [
        (
            "SELECT t.scan_id, t.account, 'a user', t.arn FROM users t"  # noqa: S608
            f" WHERE {where} GROUP BY t.scan_id, t.arn HAVING count(*) > 1 LIMIT 1",
            bound,
            "listed twice",
        ),
        (
            "SELECT t.scan_id, t.account, 'an access key of', t.user_arn"  # noqa: S608
            f" FROM access_keys t WHERE {where} GROUP BY t.scan_id, t.user_arn, t.slot"
            " HAVING count(*) > 1 LIMIT 1",
            bound,
            "twice in one slot",
        ),
    ]


def _check(
    db: sqlite3.Connection,
    damaged: Callable[[str], InputError],
    where: str | None,
    queries: list[_Query],
) -> None:
    for query, parameters, wrong in queries:
        row = db.execute(query, parameters).fetchone()
        if row is not None:
            number, account, kind, name = row
            if kind in _OF_CHECK:
                _refuse_another_version(db, where, number, name)
            raise damaged(
                f"scan {number} has {kind} {quoted(name, 80)} {wrong}"
                f" ({quoted(account, 40)}): keyless never writes one"
            )


def _refuse_another_version(
    db: sqlite3.Connection, where: str | None, scan_id: int, check_id: object
) -> None:
    """Refuse scan ``scan_id`` as recorded by another version of keyless when it was, and
    ``check_id`` is a check this one does not know: otherwise return (the row is damage)."""
    if not isinstance(check_id, str) or check_id in known_checks():
        return
    found = db.execute("SELECT keyless_version FROM scans WHERE id = ?", (scan_id,)).fetchone()
    version = found[0] if found is not None else None
    if not isinstance(version, str) or version == __version__:
        return
    raise InputError(
        f"scan {scan_id} was recorded by keyless {quoted(version, 40)}, whose check"
        f" {quoted(check_id, 80)} this keyless ({__version__}) does not know",
        where=where,
        hint="Read this store with the version of keyless that recorded it or a later one"
        " (upgrade keyless), or record into another store with --store PATH.",
    )


def listed_twice(record: ScanRecord) -> str | None:
    """The first user (by ARN) or key slot ``record`` lists twice, described; None when
    each is listed once. A snapshot edited to list a user twice is read as it is: such a
    scan is not recorded, since reading it back would refuse the store."""
    users: set[str] = set()
    for user in record.users:
        if user.arn in users:
            return f"the user {quoted(user.arn, 80)}"
        users.add(user.arn)
    slots: set[tuple[str, int]] = set()
    for key in record.keys:
        if (key.user_arn, key.slot) in slots:
            return f"access key slot {key.slot} of {quoted(key.user_arn, 80)}"
        slots.add((key.user_arn, key.slot))
    return None
