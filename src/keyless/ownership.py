"""Whose file this is, before keyless follows what it says.

Some files keyless reads drive what it does next: the retire journal decides which keys
may be deleted and what a rollback recreates, the history store decides what ``keyless
diff`` calls fixed and what a ``history`` gate sees. Such a file must be a record of what
*this* user did, not one that came with a checkout, an archive or another user. A
:class:`FileRule` says what is accepted of one kind of file; :func:`check_owner` refuses
the rest:

- a file owned by another user (dropped in a shared or world-writable directory, or left
  by someone else's run);
- a file other users may write (group or other write bits): anyone may have edited it;
- for the kinds that are never shared (the journal), a file other users may read too: a
  file committed to a repository comes out of ``git checkout`` as 0644 (git records no
  finer mode than 644 or 755), never as the 0600 keyless creates.

The same holds for SQLite's own files beside a database (``-journal``, ``-wal``): SQLite
plays a "hot" rollback journal or a write-ahead log back into the database when it opens
it, so one shipped beside the database would rewrite it. SQLite creates them with the
database's owner and mode.

The checks look at the open file (``fstat`` of its descriptor), so what is checked is
what is read. Platforms without POSIX owners (Windows) have nothing to compare.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from keyless.errors import InputError

#: Every permission of the group and of others: a file for its owner's eyes only.
OWNER_ONLY = stat.S_IRWXG | stat.S_IRWXO
#: Write permission of the group and of others: a file only its owner may change.
OWNER_WRITES = stat.S_IWGRP | stat.S_IWOTH

#: The files SQLite keeps beside a database while it writes (rollback journal, WAL).
SQLITE_SIBLINGS = ("-journal", "-wal")


@dataclass(frozen=True, slots=True)
class FileRule:
    """What keyless accepts of one kind of file.

    ``noun`` names it in messages (``the journal``); ``refused`` is the mode bits it must
    not have (:data:`OWNER_ONLY` or :data:`OWNER_WRITES`); ``created`` says how keyless
    creates it (``readable and writable by its owner only (0600)``); ``hint`` says what to
    do instead; ``error`` is the :class:`InputError` subclass raised (exit 2)."""

    noun: str
    refused: int
    created: str
    hint: str
    error: type[InputError] = InputError

    @property
    def fix(self) -> str:
        """The command that makes an own file acceptable."""
        return "chmod 600" if self.refused & (stat.S_IRGRP | stat.S_IROTH) else "chmod go-w"


def check_owner(descriptor: int, path: Path, rule: FileRule) -> None:
    """Refuse the file open at ``descriptor`` (and SQLite's files beside it) unless the
    current user owns it and its mode has none of ``rule.refused``."""
    if getattr(os, "geteuid", None) is None:  # pragma: no cover - Windows: no POSIX owner
        return
    _check(os.fstat(descriptor), path, rule)
    for suffix in SQLITE_SIBLINGS:
        sibling = path.with_name(path.name + suffix)
        try:
            info = os.lstat(sibling)
        except FileNotFoundError:
            continue
        except OSError as error:
            raise rule.error(
                f"cannot read SQLite's file beside {rule.noun}: {error.strerror}",
                where=str(sibling),
            ) from None
        if not stat.S_ISREG(info.st_mode):
            raise rule.error(
                f"SQLite's file beside {rule.noun} is not a regular file", where=str(sibling)
            )
        _check(info, sibling, rule)


def probe_owner(path: Path, rule: FileRule) -> None:
    """:func:`check_owner` for a file opened by path afterwards (SQLite opens it again):
    the file itself, never a symbolic link put in its place, and a regular file."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        raise rule.error(f"cannot open {rule.noun}: {error.strerror}", where=str(path)) from None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise rule.error(f"{rule.noun} must be a regular file", where=str(path))
        check_owner(descriptor, path, rule)
    finally:
        os.close(descriptor)


def _check(info: os.stat_result, path: Path, rule: FileRule) -> None:
    if info.st_uid != os.geteuid():
        raise rule.error(
            f"{rule.noun} belongs to another user (uid {info.st_uid})",
            where=str(path),
            hint=rule.hint,
        )
    if info.st_mode & rule.refused:
        mode = stat.S_IMODE(info.st_mode)
        opened = "open to" if rule.refused & (stat.S_IRGRP | stat.S_IROTH) else "writable by"
        raise rule.error(
            f"{rule.noun} is {opened} other users (mode {mode:04o}); keyless creates it"
            f" {rule.created}",
            where=str(path),
            hint=f"{rule.hint} If it is yours, `{rule.fix}` it and run again.",
        )
