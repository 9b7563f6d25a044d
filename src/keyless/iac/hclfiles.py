"""The files Terraform's ``file()`` and ``templatefile()`` read, as far as keyless may read
them: a regular file inside the directories the user asked to scan, reached through no
symbolic link, and small.

Terraform reads a relative path from its working directory, the root module's directory
(hence ``file("${path.module}/trust.json")`` in modules).
https://developer.hashicorp.com/terraform/language/functions/file
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

#: A trust policy is at most a few KiB (IAM's limit is 2,048 characters, 4,096 on request).
MAX_TEMPLATE_BYTES = 1 << 20


class NotReadable(ValueError):
    """Why a file a Terraform function names is not read (the call is then unknown).
    ``fails``: Terraform fails too (no such file inside the scanned directories, text that
    is not UTF-8), so ``try()`` takes its next argument."""

    def __init__(self, reason: str, *, fails: bool = False) -> None:
        super().__init__(reason)
        self.fails = fails


@dataclass(frozen=True, slots=True)
class FileAccess:
    """What ``file()`` may read: files under ``roots`` (absolute, as given: the scanned
    directories), with relative paths taken from ``working_directory`` (the root module's).
    ``opened`` gathers every file it went to read (read or refused once found), so that a
    command writing a file can refuse to write over one of them."""

    roots: tuple[Path, ...]
    working_directory: Path
    opened: set[Path] = field(default_factory=set, compare=False)

    def read(self, written: str) -> str:
        """The UTF-8 text of the file ``written`` names. Raises :class:`NotReadable`."""
        if not written or "\0" in written:
            raise NotReadable("not a file name")
        candidate = Path(os.path.abspath(self.working_directory / written))
        root = next((r for r in self.roots if candidate.is_relative_to(r)), None)
        if root is None:
            raise NotReadable("the file is outside the scanned directories; not read")
        current = root
        for part in candidate.relative_to(root).parts:
            current = current / part
            try:
                if stat.S_ISLNK(os.lstat(current).st_mode):
                    raise NotReadable("the path goes through a symbolic link; not followed")
            except FileNotFoundError:
                raise NotReadable("the file does not exist", fails=True) from None
            except OSError as error:
                raise NotReadable(f"the file cannot be read ({error.strerror})") from None
        self.opened.add(candidate)
        return _read_regular(candidate)


def _read_regular(path: Path) -> str:
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise NotReadable(f"the file cannot be read ({error.strerror})") from None
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_TEMPLATE_BYTES:
        os.close(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise NotReadable("not a regular file; not read")
        raise NotReadable(f"larger than {MAX_TEMPLATE_BYTES:,} bytes; not read")
    with os.fdopen(descriptor, "rb") as file:
        data = file.read(MAX_TEMPLATE_BYTES + 1)
    if len(data) > MAX_TEMPLATE_BYTES:
        raise NotReadable(f"larger than {MAX_TEMPLATE_BYTES:,} bytes; not read")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise NotReadable("the file's contents are not valid UTF-8", fails=True) from None


def root_directories(paths: list[Path]) -> tuple[Path, ...]:
    """The scanned directories: each path given, or a file's directory, made absolute, as
    written and with links resolved (local modules are read at their resolved paths)."""
    found: dict[Path, None] = {}
    for path in paths:
        directory = path if os.path.isdir(path) else path.parent
        found[Path(os.path.abspath(directory))] = None
        found[Path(os.path.realpath(directory))] = None
    return tuple(found)
