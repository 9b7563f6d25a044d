"""The click parameter type for a file path whose refusals are keyless's own errors."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from keyless.errors import InputError


class FilePath(click.Path):
    """A path that must name a file (``dir_okay=False``), as :class:`pathlib.Path`.

    A directory is refused as every other bad input is: one ``keyless: error:`` line
    naming the path and the option, exit 2 (click's own refusal is a three-line usage
    block). Everything else is :class:`click.Path`'s."""

    def __init__(self, *, exists: bool = False) -> None:
        super().__init__(exists=exists, dir_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str | os.PathLike) and os.path.isdir(value):
            raise InputError(
                f"{_label(param)} names a directory: give a file", where=os.fspath(value)
            )
        return super().convert(value, param, ctx)


def _label(param: click.Parameter | None) -> str:
    if isinstance(param, click.Option):
        return "/".join(param.opts)
    if param is not None:
        return param.human_readable_name
    return "the path"
