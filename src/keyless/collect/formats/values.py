"""Reading one field of a JSON object that AWS (or a person) wrote: each helper returns
the value with the type the model needs, or raises ``ValueError`` naming the field, for
the caller to add the file and JSON pointer. Nothing of the wrong type reaches the model,
where it would surface later as a traceback or, worse, as a silently wrong finding."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from keyless.collect.formats.dates import to_utc
from keyless.dates import iso
from keyless.errors import quoted

#: The longest string kept from an export (names, ARNs, descriptions, tag values). IAM's
#: longest is an ARN of 2,048 characters; anything near this bound is not IAM's.
MAX_TEXT = 65536


def kind(value: object) -> str:
    """A JSON value's type as a person reads it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"the number {quoted(value)}"
    if isinstance(value, str):
        return f"a string of {len(value):,} characters" if len(value) > 40 else repr(value)
    return "a list" if isinstance(value, list) else "an object"


def obj(value: Any, what: str) -> Mapping[str, Any]:
    """``value`` as a JSON object."""
    if isinstance(value, dict):
        return value
    raise ValueError(f"{what} must be an object, found {kind(value)}")


def listing(value: Any, what: str) -> list[Any]:
    """``value`` as a JSON array; absent (None) is an empty one."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    raise ValueError(f"{what} must be a list, found {kind(value)}")


def text(entry: Mapping[str, Any], key: str, default: str | None = None) -> str:
    """The string ``entry[key]``; when absent or null, ``default`` (required if None)."""
    value = entry.get(key)
    if value is None:
        if default is None:
            raise ValueError(f"missing field {key!r}")
        return default
    return checked_text(value, key)


def fields(entry: Mapping[str, Any], spec: tuple[tuple[str, str | None], ...]) -> list[str]:
    """The strings ``entry[key]`` for each ``(key, default)`` of ``spec``, as
    :func:`text` reads them one by one, but with one check for the usual case where
    all are strings already (this runs for every role of a 20,000-role export). A
    required field (no default) is never empty: every name, ARN and tag key AWS lists has
    at least one character, and an empty one (``"UserName": ""``) became a user that
    ``keyless plan`` wrote into a plan its own schema refuses."""
    found = [entry.get(key, default) for key, default in spec]
    for value in found:
        if type(value) is not str or len(value) > MAX_TEXT:
            found = [text(entry, key, default) for key, default in spec]
            break
    if "" in found:
        for (key, default), value in zip(spec, found, strict=True):
            if default is None and not value:
                raise ValueError(f"{key} is empty: AWS names every resource")
    return found


def optional_text(entry: Mapping[str, Any], key: str) -> str | None:
    """The string ``entry[key]``, or None when absent or null."""
    value = entry.get(key)
    return None if value is None else checked_text(value, key)


def checked_text(value: Any, what: str) -> str:
    """``value`` as a string of sane length."""
    if not isinstance(value, str):
        raise ValueError(f"{what} must be a string, found {kind(value)}")
    if len(value) > MAX_TEXT:
        raise ValueError(f"{what} is {kind(value)}, longer than any IAM value ({MAX_TEXT:,})")
    return value


def texts(value: Any, what: str) -> tuple[str, ...]:
    """A list of strings."""
    return tuple(checked_text(item, what) for item in listing(value, what))


def whole(entry: Mapping[str, Any], key: str, default: int, low: int, high: int) -> int:
    """The whole number ``entry[key]`` within ``low``..``high``; ``default`` when absent.
    ``1e30``, ``-1``, ``2.5``, ``"5"`` and ``true`` are refused."""
    value = entry.get(key)
    if value is None:
        return default
    if type(value) is not int or not low <= value <= high:
        raise ValueError(f"{key} must be a whole number from {low} to {high}, found {kind(value)}")
    return value


def flag(entry: Mapping[str, Any], key: str) -> bool:
    """The boolean ``entry[key]`` (absent is false); ``"false"`` is not a boolean."""
    value = entry.get(key, False)
    if type(value) is not bool:
        raise ValueError(f"{key} must be true or false, found {kind(value)}")
    return value


def moment(value: Any, what: str, latest: datetime | None) -> datetime | None:
    """A date (or None for the report's placeholders); a date after ``latest`` cannot be
    true: it would make what it dates look new (see keyless.collect.formats.plausible)."""
    if value is None:
        return None
    try:
        parsed = to_utc(value)
    except (ValueError, OverflowError, TypeError):
        raise ValueError(f"{what} is {kind(value)}, expected an ISO 8601 date") from None
    if parsed is not None and latest is not None and parsed > latest:
        raise ValueError(f"{what} {iso(parsed)} is after the data was collected")
    return parsed
