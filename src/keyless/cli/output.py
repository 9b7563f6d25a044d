"""Where a command's rendered output goes: standard output, or a file written whole."""

from __future__ import annotations

import codecs
import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from keyless.cli.streams import CLOSED_PIPE, silence
from keyless.errors import InputError
from keyless.files import check_writable, write_atomic
from keyless.findings import Severity
from keyless.render import RenderOptions
from keyless.render.untrusted import printable


def render_options(
    output: Path | None, fail_on: Severity = Severity.HIGH, *, allow_partial: bool = False
) -> RenderOptions:
    """Colour and the terminal's width on an interactive terminal; plain 120 columns for
    files and pipes."""
    if output is None and sys.stdout is not None and sys.stdout.isatty():
        return RenderOptions(
            color=True,
            width=shutil.get_terminal_size().columns,
            fail_on=fail_on,
            allow_partial=allow_partial,
        )
    return RenderOptions(fail_on=fail_on, allow_partial=allow_partial)


def require_writable(path: Path, what: str, *, inputs: Iterable[Path | None] = ()) -> None:
    """Refuse, before any work, an output that could not be written whole: what
    :func:`keyless.files.check_writable` refuses, one of the command's own ``inputs`` (the
    same file under another name or through a hard link: writing the output would
    destroy what it is made from), and a directory where a file cannot be created after
    all (a read-only file system, a pseudo file system, permissions ``os.access`` does
    not see, such as a root user's). The trial file is removed."""
    check_writable(path, what)
    refuse_own_input(path, what, inputs)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        handle, trial = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    except OSError as error:
        raise InputError(f"cannot write {what}: {error.strerror}", where=str(path)) from None
    os.close(handle)
    with contextlib.suppress(OSError):
        os.unlink(trial)


def config_file(given: Path | None) -> Path:
    """The configuration file a command reads: ``--config``, or ``./keyless.toml``."""
    from keyless.config import DEFAULT_CONFIG_NAME

    return given if given is not None else Path(DEFAULT_CONFIG_NAME)


def refuse_own_input(path: Path, what: str, inputs: Iterable[Path | None]) -> None:
    """An InputError when ``path`` is one of ``inputs`` (``None`` entries are skipped):
    the same file by name, by another name, or through a hard link."""
    if not os.path.exists(path):
        return  # a file that does not exist yet is no input
    for source in inputs:
        if source is None:
            continue
        try:
            same = os.path.samefile(path, source)
        except (OSError, ValueError):  # a missing input is reported where it is read
            continue
        if same:
            raise InputError(
                f"refusing to write {what} over one of the command's own inputs"
                f" ({printable(str(source))})",
                where=printable(str(path)),
                hint="Write the output to another file.",
            )


def emit(text: str, output: Path | None = None, what: str = "the output") -> None:
    """Write ``text`` to standard output, or atomically to ``output``."""
    if output is None:
        with _standard_output():
            sys.stdout.write(text)
            sys.stdout.flush()
        return
    write_atomic(output, text.encode("utf-8"), what)


@contextlib.contextmanager
def _standard_output() -> Iterator[None]:
    """Writing to standard output: a failure (a full disk under ``> report.json``) is an
    error naming it, exit 2, as it is for ``--output``; not a traceback and exit 1, which
    reads as "findings". A closed pipe (``| head``) too: nothing more is written to it."""
    if sys.stdout is None:  # started with standard output closed (`>&-`)
        raise InputError(
            "cannot write to standard output: it is closed",
            hint="Give the command somewhere to write: a file (> FILE, or --output / --out).",
        )
    try:
        yield
    except BrokenPipeError:
        silence(sys.stdout)
        raise InputError(CLOSED_PIPE) from None
    except OSError as error:
        # What is still buffered cannot be written either: drop it, so that exiting does
        # not fail again (and exit 120) trying to flush it.
        silence(sys.stdout)
        raise InputError(
            f"cannot write to standard output: {error.strerror or error}",
            hint="Free space where the output goes, or write it elsewhere with --output"
            " (or --out).",
        ) from None


def emit_chunks(
    chunks: Iterable[bytes], output: Path | None = None, what: str = "the output"
) -> None:
    """Write UTF-8 ``chunks`` (:func:`keyless.render.render_chunks`) as they come: to
    standard output, or to a temporary file beside ``output`` renamed over it once all
    are written. On any error or Ctrl-C while they are made, the temporary file is
    removed and ``output`` is left as it was."""
    if output is not None:
        write_atomic(output, chunks, what)
        return
    # As text, like emit: the terminal's (or the pipe's) encoding and newlines apply.
    decoder = codecs.getincrementaldecoder("utf-8")()
    with _standard_output():
        for chunk in chunks:
            sys.stdout.write(decoder.decode(chunk))
        sys.stdout.write(decoder.decode(b"", final=True))
        sys.stdout.flush()
