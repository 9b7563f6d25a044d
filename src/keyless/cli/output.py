"""Where a command's rendered output goes: standard output, or a file written whole."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from keyless.files import write_atomic
from keyless.findings import Severity
from keyless.render import RenderOptions


def render_options(
    output: Path | None, fail_on: Severity = Severity.HIGH, *, allow_partial: bool = False
) -> RenderOptions:
    """Colour and the terminal's width on an interactive terminal; plain 120 columns for
    files and pipes."""
    if output is None and sys.stdout.isatty():
        return RenderOptions(
            color=True,
            width=shutil.get_terminal_size().columns,
            fail_on=fail_on,
            allow_partial=allow_partial,
        )
    return RenderOptions(fail_on=fail_on, allow_partial=allow_partial)


def emit(text: str, output: Path | None = None) -> None:
    """Write ``text`` to standard output, or atomically to ``output``."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_atomic(output, text.encode("utf-8"))
