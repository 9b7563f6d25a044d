"""Whose journal this is, before anything is read from it.

A journal drives what ``retire`` and ``rollback`` do: its quarantine dates decide when a
key may be deleted, its backups are what a rollback recreates, its unsettled actions are
settled against AWS. So it must be a record of what *this* user did, not a file that came
with a checkout, an archive or another user. keyless creates every journal readable and
writable by its owner only (0600); the checks below refuse anything else:

- a journal owned by another user (a file dropped in a shared or world-writable
  directory, or left by someone else's run);
- a journal any other user may read or write (group or other permission bits): a journal
  committed to a repository comes out of ``git checkout`` as 0644 (git records no finer
  mode), and a writable one may have been edited by anyone.

The same holds for SQLite's own files beside it (``-journal``, ``-wal``): SQLite plays a
"hot" rollback journal back into the database when it opens it, so one shipped beside a
journal would rewrite it. SQLite creates them with the database's owner and mode.

The checks look at the open file (``fstat`` of its descriptor), so what is checked is
what is read. Platforms without POSIX owners (Windows) have nothing to compare.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from keyless.retire.records import JournalError

_OTHERS = stat.S_IRWXG | stat.S_IRWXO

_NOT_YOURS = (
    "A journal is the record of what your own --apply runs did: name yours with --journal"
    " (or a new file). A journal from a checkout, an archive or another user is not followed."
)


#: The files SQLite keeps beside a database while it writes (rollback journal, WAL).
_SIBLINGS = ("-journal", "-wal")


def check_provenance(descriptor: int, path: Path) -> None:
    """Refuse the journal open at ``descriptor`` unless the current user owns it and no
    one else may read or write it, nor SQLite's files beside it (a
    :class:`JournalError`, exit 2)."""
    if getattr(os, "geteuid", None) is None:  # pragma: no cover - Windows: no POSIX owner
        return
    _check(os.fstat(descriptor), path)
    for suffix in _SIBLINGS:
        sibling = path.with_name(path.name + suffix)
        try:
            info = os.lstat(sibling)
        except FileNotFoundError:
            continue
        except OSError as error:
            raise JournalError(
                f"cannot read SQLite's file beside the journal: {error.strerror}",
                where=str(sibling),
            ) from None
        if not stat.S_ISREG(info.st_mode):
            raise JournalError(
                "SQLite's file beside the journal is not a regular file", where=str(sibling)
            )
        _check(info, sibling)


def _check(info: os.stat_result, path: Path) -> None:
    if info.st_uid != os.geteuid():
        raise JournalError(
            f"the journal belongs to another user (uid {info.st_uid})",
            where=str(path),
            hint=_NOT_YOURS,
        )
    if info.st_mode & _OTHERS:
        mode = stat.S_IMODE(info.st_mode)
        raise JournalError(
            f"the journal is open to other users (mode {mode:04o}); keyless creates it"
            " readable and writable by its owner only (0600)",
            where=str(path),
            hint=_NOT_YOURS + " If it is yours, `chmod 600` it and run again.",
        )


def probe_provenance(path: Path) -> None:
    """:func:`check_provenance` for a journal opened read-only by path (SQLite opens it
    again): the file, not a symbolic link put in its place since."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        raise JournalError(f"cannot open the journal: {error.strerror}", where=str(path)) from None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise JournalError("the journal must be a regular file", where=str(path))
        check_provenance(descriptor, path)
    finally:
        os.close(descriptor)
