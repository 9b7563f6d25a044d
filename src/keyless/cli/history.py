"""``keyless history``: the recorded scans over time."""

from __future__ import annotations

from pathlib import Path

import click

from keyless.cli.numbers import Count
from keyless.cli.output import emit, render_options, require_writable
from keyless.cli.paths import FilePath
from keyless.cli.record import store_path
from keyless.errors import InputError, quoted
from keyless.model.arn import is_account_id
from keyless.render import Format, formats, render


@click.command()
@click.option(
    "--store",
    type=FilePath(),
    help="The history store (default: .keyless/history.sqlite3).",
)
@click.option("--account", help="Only this account ID.")
@click.option("--limit", type=Count(min=1), help="Only the last N scans.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice([f.value for f in formats("history")]),
    default="text",
    show_default=True,
)
@click.option("--output", type=FilePath(), help="Write here.")
def history(
    store: Path | None,
    account: str | None,
    limit: int | None,
    output_format: str,
    output: Path | None,
) -> None:
    """Users, active keys and findings by severity over the recorded scans
    (keyless scan --record), per account and overall: a table and sparklines, or SVG
    charts with --format html."""
    from keyless.store import open_store

    if account is not None and not is_account_id(account):
        raise InputError(f"{quoted(account)} is not an account ID (12 digits)", where="--account")
    if output is not None:
        require_writable(output, "the history (--output)", inputs=(store_path(store),))
    with open_store(store_path(store)) as opened:
        recorded = opened.history(account=account, limit=limit)
    if account is not None and account not in recorded.labels:
        raise InputError(f"no recorded scan has account {quoted(account)}", where="--account")
    emit(render(recorded, Format(output_format), render_options(output)), output)
