"""``keyless scan``, ``keyless collect`` and ``keyless checks``."""

from __future__ import annotations

import gc
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from keyless.cli.numbers import Count
from keyless.cli.output import config_file, emit, emit_chunks, render_options, require_writable
from keyless.cli.paths import FilePath
from keyless.cli.progress import is_quiet, quiet_option
from keyless.cli.record import open_recording, record_options, store_path
from keyless.cli.sources import (
    build_spec,
    load,
    parse_moment,
    source_options,
    split_list,
    streamed,
    unread_lines,
)
from keyless.errors import InputError
from keyless.findings import Severity
from keyless.render import Format, RenderOptions, formats, render_chunks
from keyless.render.untrusted import printable

if TYPE_CHECKING:
    from collections.abc import Iterator

    from keyless.checks.registry import Check
    from keyless.model import Account

SEVERITIES = [s.value for s in Severity]
REPORT = "the report (--output)"


def _estate_checks(ids: tuple[str, ...]) -> tuple[Check, ...]:
    """The estate checks named by ``--checks`` (all when none). A CI check's ID is a usage
    error that says which command runs it."""
    from keyless.checks.registry import all_checks
    from keyless.engine import select_checks

    if not ids:
        return select_checks(ids)
    # Only to name the command that runs a CI check: the catalogue imports the CI readers.
    from keyless.render.catalogue import every_check

    estate = {c.id for c in all_checks()}
    elsewhere = sorted(({c.id for c in every_check()} - estate) & set(ids))
    if elsewhere:
        names = ", ".join(elsewhere)
        raise InputError(
            f"{names} {'is a workflows check' if len(elsewhere) == 1 else 'are workflows checks'}:"
            " it reads CI files (GitHub Actions, GitLab CI), not an AWS estate",
            where="--checks",
            hint=f"Run it with `keyless workflows scan PATH --checks {elsewhere[0]}`."
            " `keyless checks` lists every check.",
        )
    return select_checks(ids)


@click.command()
@source_options()
@click.option(
    "--config",
    "config_path",
    type=FilePath(exists=True),
    help="Configuration file (default: ./keyless.toml when present).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice([f.value for f in formats("scan")]),
    default="text",
    show_default=True,
)
@click.option("--output", type=FilePath(), help="Write here.")
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    default="high",
    show_default=True,
    help="Exit 1 when a finding is at or above this severity.",
)
@click.option(
    "--allow-partial",
    is_flag=True,
    help="Exit 0 or 1 even when checks could not run for lack of data (they are still"
    " reported as not evaluated). Without it such a scan exits 3.",
)
@click.option(
    "--now",
    "explicit_now",
    metavar="ISO8601",
    callback=parse_moment,
    help="Measure ages against this moment (ISO 8601). Default: a snapshot's collected_at,"
    " otherwise the current time.",
)
@click.option("--checks", "check_ids", multiple=True, help="Only these check IDs.")
@click.option(
    "--workers",
    type=Count(1, 256),
    help="Processes that judge a large account's trust policies (default: one per CPU, at"
    " most 8; 1 keeps the scan in one process).",
)
@record_options
@quiet_option
def scan(
    config_path: Path | None,
    output_format: str,
    output: Path | None,
    fail_on: str,
    allow_partial: bool,
    explicit_now: datetime | None,
    check_ids: tuple[str, ...],
    workers: int | None,
    record: bool,
    store: Path | None,
    **source: Any,
) -> None:
    """Inventory IAM users, keys and roles, and report what should change.

    Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,
    2 bad input, 3 part of the estate could not be read or checks could not run
    (unless --allow-partial), 130 interrupted.
    """
    from keyless.cli.configuration import load_checked_config
    from keyless.collect.origin import input_files, reference_time
    from keyless.engine import run_checks_by_account
    from keyless.engine.parallel import available_workers

    spec = build_spec(source)
    if output is not None:
        store_file = store_path(store) if record or store is not None else None
        inputs = (*input_files(spec), config_file(config_path), store_file)
        require_writable(output, REPORT, inputs=inputs)
    config = load_checked_config(config_path)
    checks = _estate_checks(split_list(check_ids))
    recording = open_recording(record, store)
    # Account by account: an export or a snapshot is read one account at a time, and
    # each account but its users is let go once its checks ran (docs/organizations.md).
    with streamed(spec) as (estate, accounts):
        # What was read so far lives until the process exits: move it out of the cyclic
        # GC's reach so the checks' allocations do not make it re-walk millions of objects.
        gc.freeze()
        now, basis = reference_time(spec, estate, explicit_now)
        result = run_checks_by_account(
            estate,
            accounts,
            config,
            now=now,
            now_basis=basis,
            checks=checks,
            workers=workers or available_workers(),
        )
    threshold = Severity(fail_on)
    options = recording.keep(
        result, "scan", render_options(output, threshold, allow_partial=allow_partial)
    )
    # JSON and SARIF are written as they are made: an organization's findings are read
    # from their packed blocks and serialised one at a time, never held as one document.
    emit_chunks(render_chunks(result, Format(output_format), options), output, REPORT)
    sys.exit(result.exit_code(threshold, allow_partial=allow_partial))


@click.command()
@source_options(snapshot=False)
@click.option(
    "--out",
    required=True,
    type=FilePath(),
    help="The snapshot file to write (versioned JSON, no secrets).",
)
@click.option(
    "--shard",
    metavar="I/N",
    help="Collect only shard I of N (--org; 0 <= I < N): the accounts whose ID hashes to I."
    " Merge the N snapshots with `keyless merge`.",
)
@record_options
@quiet_option
def collect(out: Path, shard: str | None, record: bool, store: Path | None, **source: Any) -> None:
    """Collect an estate once into a snapshot file, to analyse offline later.

    Exit code 3 when part of the estate could not be read (the snapshot records what),
    2 on bad input, 130 when interrupted (nothing is written).
    """
    import dataclasses

    from keyless.collect.offline.snapshot import write_snapshot
    from keyless.collect.origin import input_files
    from keyless.collect.shard import Shard

    spec = build_spec(source)
    if shard is not None:
        if not source["org"]:
            raise click.UsageError("--shard only applies with --org")
        spec = dataclasses.replace(spec, shard=Shard.parse(shard))
    store_file = store_path(store) if record or store is not None else None
    require_writable(out, "the snapshot (--out)", inputs=(*input_files(spec), store_file))
    recording = open_recording(record, store)
    inventory = load(spec)
    write_snapshot(inventory, out)
    if recording.record:  # the checks run so that the history counts findings too
        from keyless.cli.configuration import load_checked_config
        from keyless.engine import run_checks

        recording.keep(run_checks(inventory, load_checked_config(None)), "collect", RenderOptions())
    accounts = len(inventory.accounts)
    if not is_quiet():
        click.echo(
            f"wrote {printable(str(out))} ({accounts} account{'s' if accounts != 1 else ''})",
            err=True,
        )
    for line in unread_lines(inventory):
        click.echo(f"  not read: {line}", err=True)
    sys.exit(0 if inventory.is_complete else 3)


@click.command()
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text"
)
def checks(output_format: str) -> None:
    """List every check: ID, severity and title."""
    from keyless.render.catalogue import every_check, render_catalogue

    catalogue = every_check()
    if output_format == "markdown":
        emit(render_catalogue())
    elif output_format == "json":
        from keyless.render.jsonout import dumps

        document = {
            "schema": "keyless/checks/v1",
            "checks": [
                {
                    "id": c.id,
                    "title": c.title,
                    "severity": c.severity.value,
                    "scope": c.scope.value,
                    "requires": sorted(s.value for s in c.requires),
                    "rationale": c.rationale,
                    "remediation": c.remediation,
                    "docs": c.docs_url,
                }
                for c in catalogue
            ],
        }
        emit(dumps(document).decode())
    else:
        emit("".join(f"{c.id:<36} {c.severity.value:<9} {c.title}\n" for c in catalogue))


@click.command()
@click.argument(
    "snapshots",
    nargs=-1,
    required=True,
    type=FilePath(exists=True),
)
@click.option(
    "--out",
    required=True,
    type=FilePath(),
    help="The merged snapshot to write.",
)
@quiet_option
def merge(snapshots: tuple[Path, ...], out: Path) -> None:
    """Merge the snapshots of an organization's shards (`collect --org --shard I/N`) into
    one snapshot: each account from the shard that collected it, read and written one
    account at a time. Scan it with `keyless scan --snapshot OUT`.

    Exit code 3 when an account could not be read, or was left to a shard or an
    `--accounts` batch whose snapshot is not merged (it is written as failed, never as
    skipped, and named on standard error), 2 on bad input (snapshots of different
    organizations, overlapping shards).
    """
    from keyless.collect.offline.snapshot import write_snapshot
    from keyless.collect.shard import merge_snapshots
    from keyless.model import AccountStatus

    require_writable(out, "the merged snapshot (--out)", inputs=snapshots)
    complete = True
    written = failed = 0

    def counted(accounts: Iterator[Account]) -> Iterator[Account]:
        nonlocal complete, written, failed
        for account in accounts:
            written += 1
            failed += account.status is AccountStatus.FAILED
            complete = complete and account.status is not AccountStatus.FAILED
            complete = complete and not account.failed_calls
            yield account

    # Every snapshot is closed however the write ends (a full disk, Ctrl-C, a refusal).
    with merge_snapshots(snapshots) as merged:
        envelope = merged.envelope
        write_snapshot(envelope, out, accounts=counted(merged.accounts))
    if not is_quiet():
        unread = f"; {failed} not read" if failed else ""
        click.echo(
            f"wrote {printable(str(out))} ({written} account{'' if written == 1 else 's'} from "
            f"{len(snapshots)} snapshot{'' if len(snapshots) == 1 else 's'}"
            f"{unread})",
            err=True,
        )
    # Named even with --quiet (which silences progress only): no snapshot read them.
    for account_id, reason in merged.uncovered.items():
        click.echo(f"  not read: {account_id}: {reason}", err=True)
    sys.exit(0 if complete and envelope.is_complete else 3)
