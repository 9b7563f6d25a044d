"""What a ``keyless workflows fix`` result becomes: a unified diff to read, or the
changed files written back, all or nothing (:func:`write`). Planning the edits is
:mod:`keyless.workflows.fix`'s."""

from __future__ import annotations

import difflib
import os
import stat
from collections.abc import Callable
from pathlib import Path

from keyless.errors import InputError
from keyless.files import display_path, write_atomic
from keyless.workflows.hardcoded import redact_text
from keyless.workflows.model import FileRewrite, FixResult


def unified_diff(result: FixResult, shown: Callable[[str], str] = str) -> str:
    """One unified diff of every changed file (``a/`` and ``b/`` prefixes, like git).

    Hard-coded credentials are redacted as ``scan`` shows them (``AKIA…WXYZ``,
    ``[REDACTED]``): the diff is for reading; ``--write`` applies the change. ``shown``
    writes each line's text for where it is read (the CLI: a bidirectional override or a
    line separator in a workflow as an escape, not reordering or breaking the terminal's
    lines); each diff line ends with its own line end, or a newline.
    """
    chunks: list[str] = []
    for rewrite in result.changed:
        name = display_path(rewrite.file.path)
        chunks.extend(
            _diff_line(redact_text(line), shown)
            for line in difflib.unified_diff(
                rewrite.before.splitlines(keepends=True),
                rewrite.after.splitlines(keepends=True),
                fromfile=f"a/{name}" if not name.startswith("/") else name,
                tofile=f"b/{name}" if not name.startswith("/") else name,
            )
        )
    return "".join(chunks)


def _diff_line(line: str, shown: Callable[[str], str]) -> str:
    body = line.rstrip("\r\n")
    return shown(body) + (line[len(body) :] or "\n")


def write(result: FixResult) -> tuple[Path, ...]:
    """Write the changed files back, byte for byte, and return their paths.

    All or nothing: every target is checked first (a regular file, not a link, in a
    writable directory, unchanged since it was read) and nothing is written unless all
    pass; each file is then written atomically (:func:`keyless.files.write_atomic`), and
    if one write still fails the files already written are put back. Raises
    :class:`InputError` naming the files.
    """
    changed = result.changed
    problems = [f"{r.file.path}: {why}" for r in changed if (why := _cannot_write(r)) is not None]
    if problems:
        raise InputError(
            "nothing was written: " + "; ".join(problems),
            hint="Fix the files' permissions (or remove the links) and run again.",
        )
    written: list[FileRewrite] = []
    try:
        for rewrite in changed:
            write_atomic(rewrite.file.path, rewrite.after.encode("utf-8"), "the workflow")
            written.append(rewrite)
    except InputError as error:
        restored = _restore(written)
        raise InputError(
            f"{error.message}; {restored} file(s) already written were put back, nothing changed",
            where=error.where,
        ) from None
    return tuple(r.file.path for r in written)


def _cannot_write(rewrite: FileRewrite) -> str | None:
    path = rewrite.file.path
    try:
        info = os.lstat(path)
    except OSError as error:
        return f"cannot read it again: {error.strerror}"
    if stat.S_ISLNK(info.st_mode):
        return "it is a symbolic link; keyless never writes through one"
    if not stat.S_ISREG(info.st_mode):
        return "it is not a regular file"
    directory = path.parent
    if not os.access(path, os.W_OK) or not os.access(directory, os.W_OK | os.X_OK):
        return "it (or its directory) is not writable"
    try:
        current = path.read_bytes()
    except OSError as error:
        return f"cannot read it again: {error.strerror}"
    if current != rewrite.before.encode("utf-8"):
        return "it changed since keyless read it"
    return None


def _restore(written: list[FileRewrite]) -> int:
    count = 0
    for rewrite in written:
        try:
            write_atomic(rewrite.file.path, rewrite.before.encode("utf-8"), "the workflow")
            count += 1
        except InputError:
            continue
    return count
