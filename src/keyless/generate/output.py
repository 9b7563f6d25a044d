"""Writing the output folder whole: into a temporary sibling folder, then renamed into
place, so a failure leaves nothing (or the previous folder) and never half a folder.
An existing non-empty folder is refused unless ``force`` (then it is replaced whole);
a symbolic link is never followed."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from keyless.errors import InputError, quoted
from keyless.files import STDIN, refuse_git_internals
from keyless.generate.model import Output


def check_output_dir(path: Path, *, force: bool, inputs: Iterable[Path | None] = ()) -> None:
    """Refuse, before any work, a folder keyless would not replace: a symbolic link, a
    file, a non-empty folder without ``force``, a folder that holds (or is) one of the
    command's ``inputs`` (replacing it would delete the plan it is made from), or a
    parent that is missing or not writable."""
    if str(path) == STDIN:
        # `-` is standard input where keyless reads a file: as --out it made a folder "-".
        raise InputError(
            "refusing to write to a folder named '-': - is not standard output here",
            where=str(path),
            hint="Give a folder name; a folder really named - by its full path.",
        )
    if path.is_symlink():
        raise InputError("refusing to write through a symbolic link", where=str(path))
    if path.exists() and not path.is_dir():
        raise InputError("--out must be a folder, and this is a file", where=str(path))
    _refuse_git_folders(path, force=force)
    if path.is_dir():
        _refuse_inputs_inside(path, inputs)
    if path.is_dir() and any(path.iterdir()) and not force:
        raise InputError(
            "the folder is not empty", where=str(path), hint="Pass --force to replace it whole."
        )
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError("the folder's parent does not exist", where=str(path))
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError("the folder's parent is not writable", where=str(path))


def _refuse_git_folders(path: Path, *, force: bool) -> None:
    """Refuse a folder inside a repository's ``.git`` (git's own files: what is written
    there is never committed, and ``--force`` would replace hooks or objects), and, with
    ``force``, a folder that holds a ``.git`` (a checkout: replacing it whole would delete
    the repository)."""
    refuse_git_internals(path)
    if force and path.is_dir() and os.path.lexists(path / ".git"):
        raise InputError(
            "--force would replace a git checkout whole (the folder holds .git), deleting "
            "the repository",
            where=str(path),
            hint="Write the output to a folder of its own, such as infra/keyless.",
        )


def _refuse_inputs_inside(folder: Path, inputs: Iterable[Path | None]) -> None:
    root = folder.resolve()
    for source in inputs:
        if source is None or not source.exists():
            continue
        if source.resolve().is_relative_to(root):
            raise InputError(
                f"--out holds one of the command's own inputs ({quoted(str(source))}):"
                " replacing the folder would delete it",
                where=repr(str(folder)),
                hint="Write the output to another folder.",
            )


def write_output(output: Output, path: Path, *, force: bool = False) -> None:
    """Write ``output``'s files under ``path`` whole (see the module doc)."""
    check_output_dir(path, force=force)
    parent = path.parent if str(path.parent) else Path(".")
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=parent))
    except OSError as error:
        raise InputError(f"cannot write the output: {error.strerror}", where=str(path)) from None
    try:
        for file in output.files:
            relative = PurePosixPath(file.path)
            if relative.is_absolute() or ".." in relative.parts or not relative.parts:
                raise ValueError(f"not a relative path: {file.path!r}")
            target = staging.joinpath(*relative.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "xb") as handle:
                handle.write(file.content)
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(staging, _default_mode())
        _swap(staging, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            shutil.rmtree(staging)
        if isinstance(error, OSError):
            raise InputError(
                f"cannot write the output: {error.strerror or error}", where=str(path)
            ) from None
        raise


def _swap(staging: Path, path: Path) -> None:
    """Put ``staging`` where ``path`` is; an existing folder is moved aside first and
    removed once the new one is in place."""
    if not path.exists():
        os.rename(staging, path)
        return
    if path.is_symlink() or not path.is_dir():
        raise InputError("refusing to replace something that is not a folder", where=str(path))
    aside = Path(tempfile.mkdtemp(prefix=f".{path.name}.old.", dir=staging.parent))
    os.rename(path, aside / "previous")
    try:
        os.rename(staging, path)
    except OSError:
        os.rename(aside / "previous", path)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def _default_mode() -> int:
    """What a new folder gets under the process's umask (mkdtemp makes it 0700)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o777 & ~umask
