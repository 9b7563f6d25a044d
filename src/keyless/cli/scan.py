"""``keyless scan``, ``keyless collect`` and ``keyless checks``."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from keyless.cli.output import emit, render_options, require_writable
from keyless.collect.origin import InventorySpec, Origin
from keyless.errors import InputError
from keyless.findings import Severity
from keyless.render import Format, formats, render

if TYPE_CHECKING:
    from keyless.checks.registry import Check
    from keyless.model import Inventory

F = TypeVar("F", bound=Callable[..., Any])

SEVERITIES = [s.value for s in Severity]
REPORT = "the report (--output)"


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


#: ``--now`` from AWS's launch to far enough ahead; outside it date arithmetic overflows.
EARLIEST_NOW = datetime(2006, 1, 1, tzinfo=UTC)
LATEST_NOW = datetime(9000, 1, 1, tzinfo=UTC)


def _moment(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    """``--now``: an ISO 8601 date or date and time (``2025-01-31``,
    ``2025-01-31T08:00:00Z``); one without an offset is UTC."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 date or time (such as 2025-01-31T08:00:00Z)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if not EARLIEST_NOW <= moment <= LATEST_NOW:
        raise click.BadParameter(f"{value!r} is not between 2006 and 9000")
    return moment.astimezone(UTC)


def source_options(*, snapshot: bool = True) -> Callable[[F], F]:
    """The options that choose what to read, shared by ``scan`` and ``collect``
    (``collect`` reads an estate, so it does not offer ``--snapshot``)."""
    options = [
        click.option("--demo", is_flag=True, help="Scan the built-in demo organization."),
        click.option(
            "--input",
            "input_dir",
            type=click.Path(exists=True, file_okay=False, path_type=Path),
            help="An offline export directory (or a directory of them, one per account).",
        ),
        *(
            [
                click.option(
                    "--snapshot",
                    type=click.Path(exists=True, dir_okay=False, path_type=Path),
                    help="A snapshot written by `keyless collect --out`.",
                )
            ]
            if snapshot
            else []
        ),
        click.option("--org", is_flag=True, help="Scan every account of the AWS Organization."),
        click.option("--profile", help="AWS profile for live collection."),
        click.option("--region", help="AWS region for API endpoints (such as us-east-1)."),
        click.option(
            "--member-role",
            default="OrganizationAccountAccessRole",
            show_default=True,
            help="Role assumed in each member account (--org); a name, or path/name.",
        ),
        click.option(
            "--external-id", help="External ID for the member role (--org; 2-1224 characters)."
        ),
        click.option(
            "--accounts", multiple=True, help="Only these account IDs (--org; comma-separated)."
        ),
        click.option("--exclude-accounts", multiple=True, help="Skip these account IDs (--org)."),
        click.option(
            "--max-workers",
            type=click.IntRange(1, 64),
            default=8,
            show_default=True,
            help="Accounts collected at once (--org).",
        ),
    ]

    def decorate(function: F) -> F:
        for option in reversed(options):
            function = option(function)
        return function

    return decorate


def build_spec(params: dict[str, Any]) -> InventorySpec:
    """Turn the source options into a InventorySpec, rejecting contradictory choices and
    values that cannot be right (each named by its option, exit code 2)."""
    snapshot = params.get("snapshot")
    chosen = [
        name
        for name, given in (
            ("--demo", params["demo"]),
            ("--input", params["input_dir"] is not None),
            ("--snapshot", snapshot is not None),
            ("--org", params["org"]),
        )
        if given
    ]
    if len(chosen) > 1:
        raise click.UsageError(f"choose one source, not {' and '.join(chosen)}")
    org_only = [
        flag
        for flag, given in (
            ("--accounts", params["accounts"]),
            ("--exclude-accounts", params["exclude_accounts"]),
            ("--external-id", params["external_id"] is not None),
        )
        if given
    ]
    if org_only and not params["org"]:
        raise click.UsageError(f"{', '.join(org_only)} only apply with --org")
    if params["demo"]:
        kind = Origin.DEMO
    elif params["input_dir"] is not None:
        kind = Origin.EXPORT
    elif snapshot is not None:
        kind = Origin.SNAPSHOT
    elif params["org"]:
        kind = Origin.ORGANIZATION
    else:
        kind = Origin.LIVE
    return InventorySpec(
        kind=kind,
        path=params["input_dir"] or snapshot,
        profile=params["profile"],
        region=params["region"],
        member_role=params["member_role"],
        external_id=params["external_id"],
        accounts=_split(params["accounts"]),
        exclude_accounts=_split(params["exclude_accounts"]),
        max_workers=params["max_workers"],
    )


def _load(spec: InventorySpec) -> Inventory:
    """Build the inventory, with a progress bar or a waiting message on a terminal."""
    from keyless.cli.progress import progress_reporter, waiting_message
    from keyless.collect.origin import load_inventory

    if spec.kind is Origin.ORGANIZATION:
        with progress_reporter() as progress:
            return load_inventory(spec, progress=progress)
    first = {
        Origin.LIVE: "contacting AWS",
        Origin.DEMO: "seeding the demo organization in the AWS emulator",
    }.get(spec.kind, f"reading {_printable(str(spec.path))}")
    with waiting_message(first) as step:
        return load_inventory(spec, on_step=step)


def _estate_checks(ids: tuple[str, ...]) -> tuple[Check, ...]:
    """The estate checks named by ``--checks`` (all when none). A CI check's ID is a usage
    error that says which command runs it."""
    from keyless.checks.registry import all_checks
    from keyless.engine import select_checks
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
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Configuration file (default: ./keyless.toml when present).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice([f.value for f in formats("scan")]),
    default="text",
    show_default=True,
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
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
    callback=_moment,
    help="Measure ages against this moment (ISO 8601). Default: a snapshot's collected_at,"
    " otherwise the current time.",
)
@click.option("--checks", "check_ids", multiple=True, help="Only these check IDs.")
def scan(
    config_path: Path | None,
    output_format: str,
    output: Path | None,
    fail_on: str,
    allow_partial: bool,
    explicit_now: datetime | None,
    check_ids: tuple[str, ...],
    **source: Any,
) -> None:
    """Inventory IAM users, keys and roles, and report what should change.

    Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,
    2 bad input, 3 part of the estate could not be read or checks could not run
    (unless --allow-partial), 130 interrupted.
    """
    from keyless.cli.configuration import load_checked_config
    from keyless.collect.origin import reference_time
    from keyless.engine import run_checks

    spec = build_spec(source)
    if output is not None:
        require_writable(output, REPORT)
    config = load_checked_config(config_path)
    checks = _estate_checks(_split(check_ids))
    inventory = _load(spec)
    # The inventory lives until the process exits: move it out of the cyclic GC's reach
    # so the checks' allocations do not make it re-walk millions of objects.
    gc.freeze()
    now, basis = reference_time(spec, inventory, explicit_now)
    result = run_checks(inventory, config, now=now, now_basis=basis, checks=checks)
    threshold = Severity(fail_on)
    options = render_options(output, threshold, allow_partial=allow_partial)
    emit(render(result, Format(output_format), options), output, REPORT)
    sys.exit(result.exit_code(threshold, allow_partial=allow_partial))


@click.command()
@source_options(snapshot=False)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The snapshot file to write (versioned JSON, no secrets).",
)
def collect(out: Path, **source: Any) -> None:
    """Collect an estate once into a snapshot file, to analyse offline later.

    Exit code 3 when part of the estate could not be read (the snapshot records what),
    2 on bad input, 130 when interrupted (nothing is written).
    """
    from keyless.collect.offline.snapshot import write_snapshot

    spec = build_spec(source)
    require_writable(out, "the snapshot (--out)")
    inventory = _load(spec)
    write_snapshot(inventory, out)
    accounts = len(inventory.accounts)
    click.echo(f"wrote {out} ({accounts} account{'s' if accounts != 1 else ''})", err=True)
    for line in unread_lines(inventory):
        click.echo(f"  not read: {line}", err=True)
    sys.exit(0 if inventory.is_complete else 3)


def unread_lines(inventory: Inventory) -> list[str]:
    """Each account that failed and each failed call, once, as a line of plain text."""
    from keyless.model import AccountStatus

    lines = [
        f"account {a.label}: {a.error or 'could not be read'}"
        for a in inventory.accounts
        if a.status is AccountStatus.FAILED
    ]
    lines += [
        f"{a.label}: {call.describe()}" for a in inventory.accounts for call in a.failed_calls
    ]
    org = inventory.organization
    if org is not None and org.identity_center is not None:
        lines += [
            f"Identity Center: {call.describe()}" for call in org.identity_center.failed_calls
        ]
    return [_printable(line) for line in lines]


def _printable(text: str) -> str:
    """``text`` with control characters written as escapes: AWS error messages, account
    names and paths are not ours, and a line break in one must not start a line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


@click.command()
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text"
)
def checks(output_format: str) -> None:
    """List every check: ID, severity and title."""
    from keyless.render.catalogue import every_check, render_catalogue

    catalogue = every_check()
    if output_format == "markdown":
        click.echo(render_catalogue(), nl=False)
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
        for c in catalogue:
            click.echo(f"{c.id:<36} {c.severity.value:<9} {c.title}")
