"""Timestamps as AWS writes them, turned into timezone-aware UTC datetimes."""

from __future__ import annotations

from datetime import UTC, datetime

from keyless.errors import quoted

# Placeholders the credential report writes instead of a date.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html#id_credentials_understanding_the_report_format
NO_DATE = frozenset({"", "N/A", "no_information", "not_supported"})


def to_utc(value: object) -> datetime | None:
    """A datetime or ISO-8601 string (with ``Z``, an offset, or naive meaning UTC) as an
    aware UTC datetime; placeholders and ``None`` become ``None``.

    Raises ``ValueError`` for anything else, for the caller to name the file and field.
    """
    if value is None:
        return None
    if type(value) is str:  # the usual case first: this runs for every date of an export
        if value in NO_DATE:
            return None
        moment = datetime.fromisoformat(value)
    elif isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        return to_utc(str(value))
    else:
        raise ValueError(f"not a date: {quoted(value)}")
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    if moment.utcoffset():
        return moment.astimezone(UTC)
    return moment if moment.tzinfo is UTC else moment.replace(tzinfo=UTC)
