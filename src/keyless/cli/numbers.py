"""Whole-number options written in ASCII digits.

Python's ``int()`` reads digits of every script (``int("٣")`` is 3, fullwidth digits
too), so ``click.IntRange`` alone would take ``--max-actions`` in Arabic-Indic digits. A
number on keyless's command line is ASCII, as in every other tool a script may call it
beside; an unbounded one is capped, so that no value reaches SQLite or a date beyond
what they hold.
"""

from __future__ import annotations

from typing import Any

import click

from keyless.errors import quoted

#: The largest number an option without its own maximum accepts.
MAX_COUNT = 10**9


class Count(click.IntRange):
    """``click.IntRange`` for ASCII digits only, at most :data:`MAX_COUNT` by default."""

    name = "integer"

    def __init__(self, min: int | None = None, max: int | None = None) -> None:
        super().__init__(min, MAX_COUNT if max is None else max)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip().isascii():
            self.fail(f"{quoted(value)} is not a whole number in ASCII digits", param, ctx)
        return super().convert(value, param, ctx)
