"""``keyless diff OLD NEW``: what changed between two scans."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from keyless.cli.output import config_file, emit, render_options, require_writable
from keyless.cli.paths import FilePath
from keyless.cli.progress import quiet_option, waiting_message
from keyless.cli.record import store_path
from keyless.findings import Severity
from keyless.render import Format, formats, render
from keyless.render.untrusted import printable

REPORT = "the comparison (--output)"


@click.command()
@click.argument("old")
@click.argument("new")
@click.option(
    "--store",
    type=FilePath(),
    help="The history store @N refers to (default: .keyless/history.sqlite3).",
)
@click.option(
    "--config",
    "config_path",
    type=FilePath(exists=True),
    help="Configuration for the checks run on a snapshot (default: ./keyless.toml).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice([f.value for f in formats("diff")]),
    default="text",
    show_default=True,
)
@click.option("--output", type=FilePath(), help="Write here.")
@click.option(
    "--fail-on",
    type=click.Choice([s.value for s in Severity]),
    default="high",
    show_default=True,
    help="Exit 1 when NEW has a new finding at or above this severity.",
)
@quiet_option
def diff(
    old: str,
    new: str,
    store: Path | None,
    config_path: Path | None,
    output_format: str,
    output: Path | None,
    fail_on: str,
) -> None:
    """Show the users, keys and findings added, removed and fixed from OLD to NEW, per
    account.

    OLD and NEW are scan documents (keyless scan --format json), snapshots (keyless
    collect --out; their checks run first), or recorded scans: @N, @latest, @previous
    (keyless history lists them).

    Exit codes: 0 no new finding at or above --fail-on, 1 new findings at or above it,
    2 bad input, 3 NEW could not read part of the estate.
    """
    from keyless.cli.configuration import load_checked_config
    from keyless.store.documents import compare_references

    if output is not None:
        documents = tuple(Path(text) for text in (old, new) if not text.startswith("@"))
        inputs = (*documents, store_path(store), config_file(config_path))
        require_writable(output, REPORT, inputs=inputs)
    config = load_checked_config(config_path)
    with waiting_message(f"comparing {printable(old)} with {printable(new)}"):
        changes = compare_references(old, new, store=store_path(store), config=config)
    threshold = Severity(fail_on)
    emit(render(changes, Format(output_format), render_options(output, threshold)), output, REPORT)
    sys.exit(changes.exit_code(threshold))
