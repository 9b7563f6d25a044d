"""Dates as keyless shows them: ISO-8601 in UTC with a ``Z``, ages in whole days."""

from __future__ import annotations

from datetime import datetime


def iso(moment: datetime | None) -> str | None:
    """``2026-11-28T17:34:49Z`` (UTC offsets written as ``Z``), or ``None``."""
    if moment is None:
        return None
    return moment.isoformat().replace("+00:00", "Z")


def days_since(now: datetime, then: datetime) -> int:
    """Whole days from ``then`` to ``now`` (negative if ``then`` is in the future)."""
    return (now - then).days
