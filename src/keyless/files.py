"""Reading the files users hand to keyless: every failure becomes an :class:`InputError`
naming the file and what is wrong (with a line and column for malformed JSON)."""

from __future__ import annotations

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
