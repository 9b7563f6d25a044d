"""Reading the files users hand to keyless, and writing the files keyless makes.

Every failure becomes an :class:`InputError` naming the file and what is wrong (with a line
and column for malformed JSON). Every file keyless writes goes through
:func:`write_atomic`: whole or not at all, never through a symlink."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from keyless.errors import InputError


def read_bytes(path: str | Path, what: str = "the file") -> bytes:
    """The file's bytes; a missing or unreadable file is an InputError."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"cannot read {what}: it does not exist", where=str(path)) from None
    except OSError as error:
        raise InputError(f"cannot read {what}: {error.strerror}", where=str(path)) from None


def read_text(path: str | Path, what: str = "the file") -> str:
    """The file as UTF-8 text (a leading byte-order mark is dropped)."""
    try:
        return read_bytes(path, what).decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{what} is not UTF-8 text (byte {error.start})", where=str(path)
        ) from None


def read_json(path: str | Path, what: str = "the file") -> Any:
    """The file parsed as JSON."""
    data = read_bytes(path, what)
    if data.startswith(b"\xef\xbb\xbf"):  # editors on Windows write a BOM; JSON forbids it
        data = data[3:]
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise InputError(
            f"{what} is not valid JSON "
            f"(malformed JSON at line {error.lineno}, column {error.colno}: {error.msg})",
            where=str(path),
        ) from None


def read_json_object(path: str | Path, what: str = "the file") -> dict[str, Any]:
    """The file parsed as a JSON object."""
    data = read_json(path, what)
    if not isinstance(data, dict):
        raise InputError(f"{what} must be a JSON object", where=str(path))
    return data


def display_path(path: Path, base: Path | None = None) -> str:
    """``path`` relative to ``base`` (default: the working directory) when inside it."""
    try:
        return path.resolve().relative_to((base or Path.cwd()).resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def check_writable(path: Path, what: str = "the output") -> None:
    """Refuse, before any work is done, an output keyless could not write whole: a
    symlink (never written through), a directory, or a place whose directory is missing
    or not writable."""
    if path.is_symlink():
        raise InputError(f"refusing to write {what} through a symbolic link", where=str(path))
    if path.exists() and not path.is_file():
        raise InputError(f"{what} must be a regular file", where=str(path))
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(f"cannot write {what}: its directory does not exist", where=str(path))
    if not os.access(directory, os.W_OK | os.X_OK):
        raise InputError(f"cannot write {what}: its directory is not writable", where=str(path))


def write_atomic(path: Path, data: bytes | Iterable[bytes], what: str = "the output") -> None:
    """Write ``path`` whole or not at all.

    The data goes to a temporary file in the same directory, is flushed and fsync'd, then
    renamed over ``path`` (atomic on POSIX): a reader sees the old file or the new one,
    and on a full disk or any failure the old file is left intact. A symlink is never
    written through. The new file keeps the old one's permission bits (or gets the
    process's default for a new file). Failures are :class:`InputError` naming ``path``.
    """
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
            for chunk in chunks:
                file.write(chunk)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise InputError(
                f"cannot write {what}: {error.strerror or error}", where=str(path)
            ) from None
        raise


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
