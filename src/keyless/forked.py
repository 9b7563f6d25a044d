"""A side computation in a forked child process while this process goes on.

Used where two passes over the same input are independent and both cost (the duplicate-key
pass over a large JSON file runs while orjson parses it): on a machine of two cores or more
the second pass then costs no time. Only where forking is the platform's reliable default
(Linux). The child answers through a pipe and exits without running anything of this
process's (no ``atexit``, no buffered output); an answer that does not arrive whole (the
child was killed, interrupted, or failed) is no answer, and the caller computes it itself.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable

_ANSWER = b"\x01"


class Forked:
    """A child computing an answer; :meth:`result` waits for it."""

    def __init__(self, pid: int, fd: int):
        self._pid = pid
        self._fd = fd
        self._done = False

    def result(self) -> bytes | None:
        """The child's answer, or None when it gave none (the caller computes it then)."""
        if self._done:
            return None
        chunks = []
        try:
            while chunk := os.read(self._fd, 1 << 16):
                chunks.append(chunk)
        finally:
            status = self._reap()
        data = b"".join(chunks)
        if status != 0 or not data.startswith(_ANSWER):
            return None
        return data[len(_ANSWER) :]

    def cancel(self) -> None:
        """Stop the child (its answer is not wanted)."""
        if not self._done:
            with contextlib.suppress(ProcessLookupError):  # it may have exited
                os.kill(self._pid, signal.SIGKILL)
            self._reap()

    def _reap(self) -> int:
        self._done = True
        os.close(self._fd)
        _, status = os.waitpid(self._pid, 0)
        return os.waitstatus_to_exitcode(status)


def fork_call(function: Callable[[], bytes]) -> Forked | None:
    """``function()`` computed in a forked child; None where no child can be forked (the
    caller computes it itself)."""
    if not sys.platform.startswith("linux"):
        return None
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # pragma: no cover - the child's lines are not traced
        status = 1
        # Any failure is "no answer": the exit status says so, the parent computes it.
        with contextlib.suppress(BaseException):
            os.close(read_end)
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
            view = memoryview(_ANSWER + function())
            while view:
                view = view[os.write(write_end, view) :]
            status = 0
        os._exit(status)
    os.close(write_end)
    return Forked(pid, read_end)
