"""The click parameter types for paths, whose refusals are keyless's own errors: one
``keyless: error: PATH: …`` line and exit 2, never click's usage block.

Every path option and argument of the CLI is one of these (a test walks the commands):

* :class:`FilePath` - a file (``--snapshot``, ``--config``, a plan; an output such as
  ``--output`` with ``exists=False``, where only a directory is refused here and the
  rest by :mod:`keyless.files` when it is written);
* :class:`DirectoryPath` - a directory (``--input``, ``generate --out``);
* :class:`AnyPath` - a file or a directory (``keyless iac PATH``, ``workflows scan PATH``).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import click

from keyless.errors import InputError, quoted


class _KeylessPath(click.Path):
    """A path as :class:`pathlib.Path`, checked by :meth:`check`. Help, metavar and shell
    completion are :class:`click.Path`'s; the conversion is entirely this class's."""

    #: What the path must name: ``file``, ``directory`` or ``any``.
    kind = "any"

    def __init__(self, *, exists: bool = False) -> None:
        super().__init__(
            dir_okay=self.kind != "file", file_okay=self.kind != "directory", path_type=Path
        )
        self.must_exist = exists

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str | os.PathLike):
            self.fail(f"{quoted(value)} is not a path", param, ctx)
        if not os.fspath(value):
            # Path("") is ".", the current directory: an empty value is a script's mistake.
            raise InputError(f"{_label(param)} names no path (an empty value)")
        path = Path(value)
        problem = self.check(path)
        if problem is not None:
            raise InputError(f"{_label(param)} {problem}", where=os.fspath(path))
        return path

    def check(self, path: Path) -> str | None:
        """Why ``path`` will not do (said after the option's name), or ``None``."""
        try:
            found = path.stat()
        except FileNotFoundError:
            if not self.must_exist:
                return None
            if path.is_symlink():
                return f"is a symbolic link to {quoted(os.readlink(path))}, which does not exist"
            if os.fspath(path) == "-":
                # `-` is standard input where a command reads it (`keyless trust -`);
                # "does not exist" sent the user looking for a file.
                wanted = "a directory" if self.kind == "directory" else "a file"
                return f"does not read standard input (-): give {wanted}"
            return "does not exist"
        except OSError as error:
            return f"cannot be read ({error.strerror})"
        if stat.S_ISDIR(found.st_mode):
            if self.kind == "file":
                return "names a directory: give a file"
            if self.must_exist and not os.access(path, os.R_OK | os.X_OK):
                return "cannot be read (permission denied)"
            return None
        if self.kind == "directory":
            return "is not a directory: give a directory" if self.must_exist else None
        if not self.must_exist:
            return None
        if not stat.S_ISREG(found.st_mode):
            # Reading a FIFO waits for a writer forever; a device never ends.
            return "is not a regular file (a FIFO, a socket or a device)"
        if not os.access(path, os.R_OK):
            return "cannot be read (permission denied)"
        return None


class FilePath(_KeylessPath):
    """A path that must name a file; with ``exists``, an existing, readable regular file
    (a directory is refused either way)."""

    kind = "file"


class DirectoryPath(_KeylessPath):
    """A path that must name a directory; with ``exists``, an existing, readable one (a
    file is refused then; without ``exists``, it is left to the command, which may
    create the directory)."""

    kind = "directory"


class AnyPath(_KeylessPath):
    """A file or a directory; with ``exists``, an existing, readable one that is not a
    FIFO, socket or device."""


def _label(param: click.Parameter | None) -> str:
    if isinstance(param, click.Option):
        return "/".join(param.opts)
    if param is not None:
        return param.human_readable_name
    return "the path"
