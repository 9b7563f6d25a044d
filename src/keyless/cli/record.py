"""``--record`` and ``--store`` for ``keyless scan`` and ``keyless collect``: keep each scan
in the local history store, and chart the history in an HTML report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import click

from keyless.cli.paths import FilePath
from keyless.engine import ScanResult
from keyless.render import RenderOptions
from keyless.store import DEFAULT_STORE, Store, open_store, record_of_result

F = TypeVar("F", bound=Callable[..., Any])


def record_options(function: F) -> F:
    """The ``--record`` flag and the ``--store`` path."""
    function = click.option(
        "--store",
        type=FilePath(),
        help=f"The history store (default: {DEFAULT_STORE}); with --format html, its"
        " burn-down is charted.",
    )(function)
    return click.option(
        "--record",
        is_flag=True,
        help="Add this scan to the history store (`keyless history`, `keyless diff @N`).",
    )(function)


def store_path(given: Path | None) -> Path:
    """``--store``, or the default store of the working directory."""
    return given if given is not None else DEFAULT_STORE


@dataclass
class Recording:
    """The store a command records into or charts from (``None``: neither)."""

    store: Store | None
    record: bool

    def keep(self, result: ScanResult, command: str, options: RenderOptions) -> RenderOptions:
        """Record ``result`` when asked, and return ``options`` with the history to chart.
        Closes the store."""
        if self.store is None:
            return options
        try:
            if self.record:
                from keyless.cli.progress import waiting_message

                with waiting_message(f"recording the scan in {self.store.where}"):
                    self.store.record(record_of_result(result), command=command)
            return replace(options, history=self.store.history())
        finally:
            self.store.close()


def open_recording(record: bool, store: Path | None) -> Recording:
    """Open the store before any long work, so that a store that cannot be used fails
    the command at once (exit 2), not after a collection: created when recording, read
    when only ``--store`` is given."""
    if not record and store is None:
        return Recording(None, record=False)
    return Recording(open_store(store_path(store), create=record), record=record)
