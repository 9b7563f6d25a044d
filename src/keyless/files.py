"""Reading the files users hand to keyless, and writing the files keyless makes.

Reading: every failure becomes an :class:`InputError` naming the file and what is wrong
(with a line and column for malformed JSON; JSON is parsed, a key twice in one object
refused, by :mod:`keyless.duplicate_keys`). Only regular files are read, and only up to
a size limit, so that a FIFO, a device or a directory named as a file is refused at once
instead of hanging, and a file of gigabytes is refused before it is loaded.

Writing: every file keyless writes goes through :func:`write_atomic`: whole or not at
all, never through a symlink."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from keyless.duplicate_keys import parse_json
from keyless.encodings import as_utf8
from keyless.errors import InputError

#: The largest file keyless reads unless a caller says otherwise. A single account's
#: `get-account-authorization-details` output at IAM's largest quotas (5,000 roles and
#: 5,000 managed policies of 5 versions of 6,144 characters) is a few hundred MB.
MAX_FILE_BYTES = 1 << 30


def open_regular(path: str | Path, what: str = "the file") -> BinaryIO:
    """``path`` opened for reading in binary mode. A missing or unreadable path, or one
    that is not a regular file (a directory, FIFO, device or socket), is an InputError:
    keyless never waits on a pipe or reads a device named as a file."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; the type is checked on
        # the opened descriptor, so a path swapped after a check cannot slip through.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise InputError(f"cannot read {what}: it does not exist", where=str(path)) from None
    except IsADirectoryError:
        raise InputError(f"cannot read {what}: it is a directory", where=str(path)) from None
    except OSError as error:
        raise InputError(f"cannot read {what}: {error.strerror}", where=str(path)) from None
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        kind = (
            "a directory" if stat.S_ISDIR(mode) else "not a regular file (a FIFO, device or socket)"
        )
        raise InputError(f"cannot read {what}: it is {kind}", where=str(path))
    return os.fdopen(descriptor, "rb")


#: The file name that stands for standard input, as in most command-line tools (a file
#: really named ``-`` is ``./-``).
STDIN = "-"
#: How standard input is named in messages.
STDIN_NAME = "(standard input)"


def source_name(path: str | Path) -> str:
    """How a file argument is named in messages: :data:`STDIN_NAME` for ``-``."""
    return STDIN_NAME if str(path) == STDIN else str(path)


def read_bytes(
    path: str | Path,
    what: str = "the file",
    *,
    limit: int = MAX_FILE_BYTES,
    limit_hint: str | None = None,
) -> bytes:
    """The file's bytes; ``-`` (:data:`STDIN`) reads standard input to its end. A missing,
    unreadable or non-regular file (see :func:`open_regular`), or one larger than ``limit``
    bytes, is an InputError (``limit_hint``: what it says about the limit)."""
    if str(path) == STDIN:
        return _read_stdin(what, limit, limit_hint)
    with open_regular(path, what) as file:
        size = os.fstat(file.fileno()).st_size
        if size > limit:
            too_big = f"{describe_size(size)}, larger than the {describe_size(limit)} keyless reads"
            raise InputError(f"{what} is {too_big}", where=str(path), hint=limit_hint)
        try:
            # Ask for what fstat saw plus one byte: read(limit + 1) would reserve a buffer
            # of the whole limit (1 GiB) for every file, which fails under `ulimit -v`.
            data = file.read(size + 1)
            if len(data) > size:  # it grew since fstat: read on, up to the limit
                data += file.read(limit + 1 - len(data))
        except OSError as error:
            raise InputError(f"cannot read {what}: {error.strerror}", where=str(path)) from None
    if len(data) > limit:  # it grew while being read
        raise InputError(
            f"{what} is larger than the {describe_size(limit)} keyless reads",
            where=str(path),
            hint=limit_hint,
        )
    return data


def _read_stdin(what: str, limit: int, limit_hint: str | None) -> bytes:
    # In chunks: read(limit + 1) would reserve a buffer of the whole limit. Never more
    # than one byte past the limit: a chunk of 1 MiB read a 1 MiB cap's input to 2 MiB.
    stream = sys.stdin.buffer
    chunks: list[bytes] = []
    size = 0
    try:
        while chunk := stream.read(min(1 << 20, limit + 1 - size)):
            size += len(chunk)
            if size > limit:
                raise InputError(
                    f"{what} is larger than the {describe_size(limit)} keyless reads",
                    where=STDIN_NAME,
                    hint=limit_hint,
                )
            chunks.append(chunk)
    except OSError as error:
        raise InputError(f"cannot read {what}: {error.strerror}", where=STDIN_NAME) from None
    return b"".join(chunks)


def describe_size(count: int) -> str:
    """A byte count for people: ``1,024 MiB`` or ``512 bytes``."""
    return f"{count / (1 << 20):,.0f} MiB" if count >= 1 << 20 else f"{count:,} bytes"


def read_text(
    path: str | Path,
    what: str = "the file",
    *,
    limit: int = MAX_FILE_BYTES,
    limit_hint: str | None = None,
    marked: bool = False,
    keep_byte_order_mark: bool = False,
) -> str:
    """The file as UTF-8 text (a leading byte-order mark is dropped, unless
    ``keep_byte_order_mark``: for a format that refuses one); ``-`` is standard input.
    ``marked``: text in UTF-16 or UTF-32 with its byte-order mark is read too
    (:func:`keyless.encodings.as_utf8`), for files AWS tools write (PowerShell's
    `aws iam get-role … > role.json`); never for files another tool reads as UTF-8 only."""
    data = read_bytes(path, what, limit=limit, limit_hint=limit_hint)
    if marked:
        data = as_utf8(data, what, source_name(path))
    try:
        return data.decode("utf-8" if keep_byte_order_mark else "utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            f"{what} is not UTF-8 text (line {line}, byte {error.start})",
            where=source_name(path),
        ) from None


def read_json(path: str | Path, what: str = "the file", *, limit: int = MAX_FILE_BYTES) -> Any:
    """The file parsed as JSON."""
    return parse_json(read_bytes(path, what, limit=limit), what, str(path))


def read_json_object(
    path: str | Path,
    what: str = "the file",
    *,
    limit: int = MAX_FILE_BYTES,
    limit_hint: str | None = None,
) -> dict[str, Any]:
    """The file parsed as a JSON object (at most ``limit`` bytes: see :func:`read_bytes`)."""
    data = parse_json(read_bytes(path, what, limit=limit, limit_hint=limit_hint), what, str(path))
    if not isinstance(data, dict):
        raise InputError(f"{what} must be a JSON object", where=str(path))
    return data


def _sync_directory(directory: Path) -> None:
    """Make the rename durable (POSIX); filesystems that cannot fsync a directory are
    left as they are: the file itself is already complete."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)


def display_path(path: Path, base: Path | None = None) -> str:
    """``path`` relative to ``base`` (default: the working directory) when inside it, as
    text every output can hold (:func:`path_text`)."""
    return path_text(relative_path(path, base).as_posix())


def relative_path(path: Path, base: Path | None = None) -> Path:
    """``path`` relative to ``base`` (default: the working directory) when inside it."""
    try:
        return path.resolve().relative_to((base or Path.cwd()).resolve())
    except (ValueError, OSError, RuntimeError):
        # Outside base; or a path that does not resolve, which a report still names: a
        # loop of links (Python 3.11 raises RuntimeError), a chain too long to follow
        # (RecursionError, a RuntimeError too), a name too long (OSError).
        return path


def path_text(path: str | os.PathLike[str]) -> str:
    """A path (or text holding one) as valid UTF-8 that a person can read. On POSIX a file
    name is bytes; Python keeps those that are not UTF-8 as lone surrogates (PEP 383),
    which no JSON, SARIF or terminal encoder accepts. They are written as ``\\xff``
    escapes of the bytes; every other character is kept."""
    text = os.fspath(path)
    if not has_undecodable_name(text):
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that is no escaped byte (not from a file name)
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def has_undecodable_name(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` holds bytes that are not UTF-8 (see :func:`path_text`): such a
    file cannot be named faithfully in a report, so the readers record it as unread."""
    try:
        os.fspath(path).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_writable(path: Path, what: str = "the output") -> None:
    """Refuse, before any work is done, an output keyless could not write whole: a
    symlink (never written through), a directory, a read-only file, or a place whose
    directory is missing or not writable."""
    if str(path) == STDIN:
        # `-` stands for standard input where keyless reads; as an output it made a file
        # named "-" in the working directory, and nothing on standard output.
        to_stdout = " (without --output, it goes to standard output)" if "--output" in what else ""
        raise InputError(
            f"refusing to write {what} to a file named '-': - is not standard output here",
            where=str(path),
            hint=f"Give a file name{to_stdout}; a file really named - by its full path.",
        )
    if path.is_symlink():
        raise InputError(f"refusing to write {what} through a symbolic link", where=str(path))
    refuse_git_internals(path)
    if path.exists() and not path.is_file():
        raise InputError(f"{what} must be a regular file", where=str(path))
    if path.exists() and is_read_only(path):
        # Renaming over a file needs only its directory to be writable: a report the user
        # made read-only (chmod a-w), or one they may not write, was replaced where the
        # shell's `>` refuses to write it.
        raise InputError(
            f"cannot write {what}: the file is read-only",
            where=str(path),
            hint="Make it writable (chmod u+w) or remove it to have keyless replace it.",
        )
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(f"cannot write {what}: its directory does not exist", where=str(path))
    if not os.access(directory, os.W_OK | os.X_OK):
        raise InputError(f"cannot write {what}: its directory is not writable", where=str(path))


def is_read_only(path: Path) -> bool:
    """Whether the existing file ``path`` is read-only: no write permission for anyone
    (``chmod a-w``), or none for this process."""
    try:
        mode = path.stat().st_mode
    except OSError:  # gone meanwhile: nothing to replace
        return False
    return not mode & 0o222 or not os.access(path, os.W_OK)


def refuse_git_internals(path: Path) -> None:
    """Refuse a place inside a repository's ``.git`` folder (git's own files: its config,
    hooks and objects): what is written there is never committed, and ``.git/config`` or
    ``.git/hooks/pre-commit`` are run by git (a hook is a program). The path as written and
    as resolved (a linked parent) are both looked at."""
    written, real = Path(os.path.abspath(path)), path.resolve()
    for folder in (written, *written.parents, real, *real.parents):
        if folder.name.casefold() == ".git":
            raise InputError(
                "refusing to write inside a git repository's .git folder (git's own files)",
                where=str(path),
                hint="Write the output to a folder of the checkout, such as infra/keyless.",
            )


def write_atomic(path: str | Path, data: bytes | Iterable[bytes], what: str = "the output") -> None:
    """Write ``path`` whole or not at all.

    The data goes to a temporary file in the same directory, is flushed and fsync'd, then
    renamed over ``path`` (atomic on POSIX): a reader sees the old file or the new one,
    and on a full disk or any failure the old file is left intact. A symlink is never
    written through. The new file keeps the old one's permission bits (or gets the
    process's default for a new file). Failures are :class:`InputError` naming ``path``;
    an ``OSError`` raised by ``data`` itself (the generator reading what goes into the file)
    is an :class:`InputError` naming what it was reading, not ``path``: the output did not
    fail, its input did.
    """
    path = Path(path)
    check_writable(path, what)
    chunks = (data,) if isinstance(data, bytes) else data
    directory = path.parent if str(path.parent) else Path(".")
    try:
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else _default_mode()
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    except OSError as error:
        raise InputError(f"cannot write {what}: {error.strerror}", where=str(path)) from None
    try:
        with os.fdopen(handle, "wb") as file:
            for chunk in _content(chunks):
                file.write(chunk)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, _ContentUnreadable):
            raise error.as_input_error(what, path) from None
        if isinstance(error, OSError):
            raise InputError(
                f"cannot write {what}: {error.strerror or error}", where=str(path)
            ) from None
        raise
    _sync_directory(directory)


class _ContentUnreadable(Exception):
    """The content of a file being written failed to read its own input (``reason``, an
    ``OSError`` of the generator, not of the file)."""

    def __init__(self, reason: OSError):
        super().__init__(str(reason))
        self.reason = reason

    def as_input_error(self, what: str, path: Path) -> InputError:
        reason = self.reason.strerror or str(self.reason)
        source = self.reason.filename
        hint = f"{path_text(str(path))} was not written (a file already there is unchanged)."
        if isinstance(source, str | bytes):
            return InputError(
                f"cannot read this file while making {what}: {reason}",
                where=path_text(os.fsdecode(source)),
                hint=hint,
            )
        return InputError(f"an input could not be read while making {what}: {reason}", hint=hint)


def _content(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """``chunks``, an ``OSError`` raised while they are made told apart from one raised by
    writing them (:class:`_ContentUnreadable`)."""
    iterator = iter(chunks)
    while True:
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        except OSError as error:
            raise _ContentUnreadable(error) from error
        yield chunk


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
