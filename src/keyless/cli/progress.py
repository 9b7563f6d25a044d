"""What a person waits for: a progress bar for organization scans (accounts done, failed
and remaining), a counting bar for work whose size is known (``iac``'s files, ``retire``'s
users and keys) and a one-line waiting message for everything else (contacting AWS,
reading the account, seeding the demo, planning, scanning both sides of a diff,
recording a scan).

:func:`collect_organization` reports progress through a plain callback
``(done, failed, remaining)``, :func:`collect_account` through ``on_step(text)``; this
module draws them with rich on stderr. When stderr is not a terminal (CI, a pipe, a
file) or the command was given ``--quiet``, both stay silent, so logs and JSON output are
never interleaved with control characters.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from keyless.collect.live.organization import ProgressCallback

Step = Callable[[str], None]
#: ``(done, total)``: how much of a known amount of work is done.
Tally = Callable[[int, int], None]
F = TypeVar("F", bound=Callable[..., Any])
_QUIET = "keyless.quiet"


def _set_quiet(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta[_QUIET] = True


def quiet_option(function: F) -> F:
    """``--quiet`` / ``-q``: no progress bar, no waiting message (the output and the
    errors are unchanged)."""
    return click.option(
        "--quiet",
        "-q",
        is_flag=True,
        expose_value=False,
        callback=_set_quiet,
        help="No progress on the terminal.",
    )(function)


def is_quiet() -> bool:
    """True when the running command was given ``--quiet``."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.meta.get(_QUIET))


def _console(file: IO[str] | None) -> Console | None:
    """The console to draw on: stderr (or ``file``) when it is a terminal and the command
    is not quiet; otherwise ``None``."""
    console = Console(file=file, stderr=file is None)
    return console if console.is_terminal and not is_quiet() else None


class ProgressReporter:
    """A callable ``(done, failed, remaining)`` drawing a rich progress bar.

    ``done`` counts accounts collected, ``failed`` accounts that could not be read;
    the bar's total is ``done + failed + remaining``. Thread-safe: workers may call it.
    """

    def __init__(self, console: Console) -> None:
        self._console = console
        self._lock = threading.Lock()
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    @property
    def enabled(self) -> bool:
        """True when drawing: only on an interactive terminal."""
        return self._console.is_terminal

    def start(self) -> None:
        """Show the bar (nothing happens when not on a terminal)."""
        if not self.enabled or self._progress is not None:
            return
        self._progress = Progress(
            TextColumn("[bold]accounts"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            console=self._console,
            transient=True,
        )
        self._task = self._progress.add_task(
            "accounts", total=None, detail="contacting AWS, listing accounts"
        )
        self._progress.start()

    def stop(self) -> None:
        """Remove the bar."""
        with self._lock:
            if self._progress is not None:
                self._progress.stop()
                self._progress = None
                self._task = None

    def __call__(self, done: int, failed: int, remaining: int) -> None:
        with self._lock:
            if self._progress is None or self._task is None:
                return
            detail = f"[green]{done} done[/] · [red]{failed} failed[/] · {remaining} remaining"
            self._progress.update(
                self._task, completed=done + failed, total=done + failed + remaining, detail=detail
            )


@contextmanager
def progress_reporter(file: IO[str] | None = None) -> Iterator[ProgressCallback]:
    """A :class:`ProgressReporter` on stderr (or ``file``) for the duration of a scan.

    Yields the callback to pass as ``collect_organization(progress=...)``.
    """
    console = _console(file)
    if console is None:
        yield lambda done, failed, remaining: None
        return
    reporter = ProgressReporter(console)
    reporter.start()
    try:
        yield reporter
    finally:
        reporter.stop()


@contextmanager
def waiting_message(first: str, file: IO[str] | None = None) -> Iterator[Step]:
    """A spinner with a one-line message on stderr (or ``file``) while something long
    runs; yields a callback that replaces the message. Silent when not on a terminal or
    ``--quiet``."""
    console = _console(file)
    if console is None:
        yield lambda _text: None
        return
    with console.status(escape(first)) as status:
        yield lambda text: status.update(escape(text))


@contextmanager
def counting(noun: str, file: IO[str] | None = None) -> Iterator[Tally]:
    """A bar counting ``noun`` (``files``, ``users``) on stderr (or ``file``): yields a
    callback ``(done, total)``. Silent when not on a terminal or ``--quiet``; the bar is
    shown from the first count (before it the total is not known: no ``0/?``) and removed
    when the work ends, so only the command's own output stays."""
    console = _console(file)
    if console is None:
        yield lambda _done, _total: None
        return
    bar = Progress(
        TextColumn(f"[bold]{escape(noun)}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    task = bar.add_task(noun, total=None)
    lock = threading.Lock()
    shown = False

    def tally(done: int, total: int) -> None:
        nonlocal shown
        with lock:
            bar.update(task, completed=done, total=total)
            if not shown:
                shown = True
                bar.start()

    try:
        yield tally
    finally:
        if shown:
            bar.stop()
