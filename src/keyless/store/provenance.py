"""Whose history store this is, before ``diff``, ``history`` or a recording trusts it.

A store decides what ``keyless diff @previous @latest`` calls fixed and what a gate on
``keyless history`` sees, so a store handed over by someone else must not pass for the
user's own. Two rules (:mod:`keyless.ownership` does the looking):

- **Every store**, default or named: owned by the current user, and writable by no one
  else (nor SQLite's files beside it). Readable by others is allowed: a store downloaded
  as a CI artifact is 0644, and a store holds nothing secret (account IDs, user names and
  ARNs, access key IDs, which AWS does not treat as secret, findings; never a secret
  key, session token or password).
- **The default store** (``.keyless/history.sqlite3`` under the working directory, which
  is often a checkout that a pull request can add files to) must also look like one
  keyless made there: readable and writable by its owner only (keyless creates every
  store 0600; a file committed to a repository comes out of ``git checkout`` as 0644 or
  0664, as git records no finer mode), not a symbolic link, and ignored by the
  ``.keyless/.gitignore`` keyless writes beside it. The ignore file alone proves little
  (a pull request can force-add one), the mode is what a checkout cannot forge; a checkout
  made with ``umask 077`` is the one case neither catches without asking git, which
  keyless does not do. A store kept outside the checkout and named with ``--store`` is
  the answer for CI.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from keyless.errors import InputError
from keyless.ownership import OWNER_ONLY, OWNER_WRITES, FileRule, probe_owner

#: What keyless writes in the default store's directory when it creates it.
GITIGNORE = "# keyless history store\n*\n"
#: An ignore file longer than this is not one keyless wrote, nor one to read whole.
_MOST_IGNORE_BYTES = 64 * 1024

_CREATED = "readable and writable by its owner only (0600)"
_OUTSIDE = (
    "Keep the store outside the checkout and name it with --store PATH (docs/history.md:"
    " 'Whose store it is')."
)

#: A store named with ``--store``.
NAMED = FileRule(
    noun="the history store",
    refused=OWNER_WRITES,
    created=_CREATED,
    hint="A store is the record of your own scans: one another user owns or may edit is"
    " not followed.",
)
#: The default store of the working directory.
DEFAULT = FileRule(
    noun="the history store",
    refused=OWNER_ONLY,
    created=_CREATED,
    hint="The default store is in the working directory, often a checkout: a store that"
    " came with it (git checks files out 0644) is not followed. " + _OUTSIDE,
)


def check_store(path: Path, *, default: bool) -> None:
    """Refuse the existing store at ``path`` unless it is the user's (an InputError, exit
    2): :data:`DEFAULT` and the ignore file for the default store, :data:`NAMED` for
    another (whose symbolic links, the user's own path, are followed)."""
    if not default:
        probe_owner(path.resolve(), NAMED)
        return
    if path.is_symlink():
        raise InputError(
            "refusing a default store that is a symbolic link", where=str(path), hint=_OUTSIDE
        )
    check_ignored(path)
    probe_owner(path, DEFAULT)


def check_ignored(path: Path) -> None:
    """Refuse the default store unless the ``.gitignore`` beside it ignores it: ``*`` or
    its name on a line, and no ``!`` line that could take it back."""
    ignore = path.parent / ".gitignore"
    problem = _ignore_problem(ignore, path.name)
    if problem is not None:
        raise InputError(
            f"the default store is not ignored by git: {problem}",
            where=str(path),
            hint="keyless writes .keyless/.gitignore (`*`) when it creates the store, so that"
            " the history is never committed; a store without it may have come with the"
            " checkout. " + _OUTSIDE,
        )


def _ignore_problem(ignore: Path, name: str) -> str | None:
    try:
        info = os.lstat(ignore)
    except FileNotFoundError:
        return f"{ignore} is missing"
    except OSError as error:
        return f"{ignore} cannot be read ({error.strerror})"
    if not stat.S_ISREG(info.st_mode):
        return f"{ignore} is not a regular file"
    if info.st_size > _MOST_IGNORE_BYTES:
        return f"{ignore} is longer than {_MOST_IGNORE_BYTES:,} bytes"
    try:
        text = ignore.read_bytes().decode("utf-8", errors="replace")
    except OSError as error:
        return f"{ignore} cannot be read ({error.strerror})"
    patterns = [
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    ]
    if any(pattern.startswith("!") for pattern in patterns):
        return f"{ignore} has a negated pattern (!), which may take the store back"
    if not {"*", "/*", name, f"/{name}"} & set(patterns):
        return f"{ignore} ignores neither * nor {name}"
    return None


def write_gitignore(directory: Path, where: str) -> None:
    """Write the default store's ``.gitignore`` into ``directory`` unless it has one (a
    new file only: never through a link, never over the user's)."""
    try:
        descriptor = os.open(
            directory / ".gitignore", os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644
        )
    except FileExistsError:
        return
    except OSError as error:
        raise InputError(
            f"cannot write the store's .gitignore: {error.strerror}", where=where
        ) from None
    with os.fdopen(descriptor, "w") as file:
        file.write(GITIGNORE)


def create_store_file(path: Path) -> None:
    """Create the empty file of a new store, owner-only (0600) whatever the umask, so that
    the store is readable by no one else and the default store cannot be mistaken for a
    checked-out file. SQLite makes the database in it."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        return  # made meanwhile by another recording: checked as any existing store
    except OSError as error:
        raise InputError(f"cannot create the store: {error.strerror}", where=str(path)) from None
    os.close(descriptor)
