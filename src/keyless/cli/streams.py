"""Standard output and standard error that cannot be written: a pipe whose reader has
gone (``keyless scan | head``), a full disk (``2> /dev/full``). Such a command ends with
exit code 2 and no traceback, as when the report cannot be written (``cannot write to
standard output``): never 1, which a CI job reads as "findings", nor 120 (Python failing
to flush at exit)."""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from typing import TextIO

import click

#: What is said when the reader of standard output has closed it.
CLOSED_PIPE = "cannot write to standard output: the pipe is closed (its reader stopped reading)"
#: A write with no room (a full disk, a quota, a file too large): no read fails this way.
_WRITE_FAILURES = frozenset({errno.EPIPE, errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def silence(stream: TextIO | None) -> None:
    """Point ``stream``'s descriptor at the null device: what it still holds, and anything
    written to it later, goes nowhere, so that exiting does not fail again flushing it."""
    if stream is None:
        return
    with contextlib.suppress(OSError, ValueError):
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, stream.fileno())
        finally:
            os.close(null)


def tell(message: str) -> None:
    """``message`` on standard error; nothing when standard error cannot take it (it is
    silenced, see :func:`silence`)."""
    try:
        click.echo(message, err=True)
    except OSError:
        silence(sys.stderr)


def is_unwritable_stream(error: OSError) -> bool:
    """True when ``error`` is standard output or standard error failing: a closed pipe
    (keyless writes to no other pipe), or a write that found no room with no file named
    (keyless writes its own files with ``write_atomic``, whose errors name them, and no
    read fails with these errors). An I/O error (EIO, a failing disk or device) is not
    one: a read fails with it too (see :func:`is_nameless_io_failure`)."""
    if error.errno == errno.EPIPE:
        return True
    return error.errno in _WRITE_FAILURES and error.filename is None


def is_nameless_io_failure(error: OSError) -> bool:
    """True when ``error`` is an I/O error (EIO) that names no file: standard output (a
    terminal hung up, a failing device) or a file read through an open handle; which of the
    two cannot be told from the error."""
    return error.errno == errno.EIO and error.filename is None


def end_nameless_io_failure(error: OSError) -> int:
    """After :func:`is_nameless_io_failure`: said as what it is, never "cannot write to
    standard output" (it may have been a read); standard output silenced, since it may be
    the stream that failed. Exit code 2."""
    silence(sys.stdout)
    tell(
        "keyless: error: an input/output error on standard output or on a file being read"
        f" (a failing disk, device or terminal): {error.strerror or error}"
    )
    return 2


def end_unwritable(error: OSError) -> int:
    """After :func:`is_unwritable_stream`: standard output silenced (nothing more is
    written to it), the cause said on standard error (when standard error is the stream
    that failed, it cannot be said, and standard error is silenced too). Exit code 2."""
    silence(sys.stdout)
    reason = (
        "the pipe is closed (its reader stopped reading)"
        if error.errno == errno.EPIPE
        else error.strerror or str(error)
    )
    tell(f"keyless: error: cannot write to standard output: {reason}")
    return 2
