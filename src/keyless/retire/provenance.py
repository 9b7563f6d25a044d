"""Whose journal this is, before anything is read from it.

A journal drives what ``retire`` and ``rollback`` do: its quarantine dates decide when a
key may be deleted, its backups are what a rollback recreates, its unsettled actions are
settled against AWS. So it must be a record of what *this* user did, not a file that came
with a checkout, an archive or another user. keyless creates every journal readable and
writable by its owner only (0600), and refuses anything else (:mod:`keyless.ownership`):
a journal owned by another user, or one any other user may read or write (a journal
committed to a repository comes out of ``git checkout`` as 0644), and the same of
SQLite's files beside it.
"""

from __future__ import annotations

from pathlib import Path

from keyless.ownership import OWNER_ONLY, FileRule, check_owner, probe_owner
from keyless.retire.records import JournalError

JOURNAL = FileRule(
    noun="the journal",
    refused=OWNER_ONLY,
    created="readable and writable by its owner only (0600)",
    hint="A journal is the record of what your own --apply runs did: name yours with"
    " --journal (or a new file). A journal from a checkout, an archive or another user is"
    " not followed.",
    error=JournalError,
)


def check_provenance(descriptor: int, path: Path) -> None:
    """Refuse the journal open at ``descriptor`` unless the current user owns it and no
    one else may read or write it, nor SQLite's files beside it (a
    :class:`JournalError`, exit 2)."""
    check_owner(descriptor, path, JOURNAL)


def probe_provenance(path: Path) -> None:
    """:func:`check_provenance` for a journal opened read-only by path (SQLite opens it
    again): the file, not a symbolic link put in its place since."""
    probe_owner(path, JOURNAL)
