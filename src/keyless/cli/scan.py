"""``keyless scan``, ``keyless collect`` and ``keyless checks``."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from keyless.cli.output import emit, render_options
from keyless.collect.origin import InventorySpec, Origin
from keyless.findings import Severity
from keyless.render import Format, formats, render

if TYPE_CHECKING:
    from keyless.model import Inventory

F = TypeVar("F", bound=Callable[..., Any])

SEVERITIES = [s.value for s in Severity]


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def source_options(function: F) -> F:
    """The options that choose what to read, shared by ``scan`` and ``collect``."""
    options = [
        click.option("--demo", is_flag=True, help="Scan the built-in demo organization."),
        click.option(
            "--input",
            "input_dir",
            type=click.Path(exists=True, file_okay=False, path_type=Path),
            help="An offline export directory (or a directory of them, one per account).",
        ),
        click.option(
            "--snapshot",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="A snapshot written by `keyless collect --out`.",
        ),
        click.option("--org", is_flag=True, help="Scan every account of the AWS Organization."),
        click.option("--profile", help="AWS profile for live collection."),
        click.option("--region", help="AWS region for API endpoints."),
        click.option(
            "--member-role",
            default="OrganizationAccountAccessRole",
            show_default=True,
            help="Role assumed in each member account (--org).",
        ),
        click.option("--external-id", help="External ID for the member role (--org)."),
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
    for option in reversed(options):
        function = option(function)
    return function


def build_spec(params: dict[str, Any]) -> InventorySpec:
    """Turn the source options into a InventorySpec, rejecting contradictory choices."""
    chosen = [
        name
        for name, given in (
            ("--demo", params["demo"]),
            ("--input", params["input_dir"] is not None),
            ("--snapshot", params["snapshot"] is not None),
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
            ("--external-id", params["external_id"]),
        )
        if given
    ]
    if org_only and not params["org"]:
        raise click.UsageError(f"{', '.join(org_only)} only apply with --org")
    if params["demo"]:
        kind = Origin.DEMO
    elif params["input_dir"] is not None:
        kind = Origin.EXPORT
    elif params["snapshot"] is not None:
        kind = Origin.SNAPSHOT
    elif params["org"]:
        kind = Origin.ORGANIZATION
    else:
        kind = Origin.LIVE
    return InventorySpec(
        kind=kind,
        path=params["input_dir"] or params["snapshot"],
        profile=params["profile"],
        region=params["region"],
        member_role=params["member_role"],
        external_id=params["external_id"],
        accounts=_split(params["accounts"]),
        exclude_accounts=_split(params["exclude_accounts"]),
        max_workers=params["max_workers"],
    )


def _load(spec: InventorySpec) -> Inventory:
    from keyless.collect.origin import load_inventory

    if spec.kind is Origin.ORGANIZATION:
        from keyless.cli.progress import progress_reporter

        with progress_reporter() as progress:
            return load_inventory(spec, progress=progress)
    return load_inventory(spec)


@click.command()
@source_options
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
@click.option("--checks", "check_ids", multiple=True, help="Only these check IDs.")
def scan(
    config_path: Path | None,
    output_format: str,
    output: Path | None,
    fail_on: str,
    check_ids: tuple[str, ...],
    **source: Any,
) -> None:
    """Inventory IAM users, keys and roles, and report what should change.

    Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,
    2 bad input, 3 part of the estate could not be read.
    """
    from keyless.config import load_config
    from keyless.engine import run_checks, select_checks

    spec = build_spec(source)
    config = load_config(config_path)
    checks = select_checks(_split(check_ids))
    inventory = _load(spec)
    # The inventory lives until the process exits: move it out of the cyclic GC's reach
    # so the checks' allocations do not make it re-walk millions of objects.
    gc.freeze()
    result = run_checks(inventory, config, checks=checks)
    threshold = Severity(fail_on)
    emit(render(result, Format(output_format), render_options(output, threshold)), output)
    sys.exit(result.exit_code(threshold))


@click.command()
@source_options
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The snapshot file to write (versioned JSON, no secrets).",
)
def collect(out: Path, **source: Any) -> None:
    """Collect an estate once into a snapshot file, to analyse offline later.

    Exit code 3 when part of the estate could not be read (the snapshot records what).
    """
    from keyless.collect.offline.snapshot import write_snapshot

    spec = build_spec(source)
    if spec.kind is Origin.SNAPSHOT:
        raise click.UsageError("collect reads an estate; --snapshot is already a snapshot")
    inventory = _load(spec)
    write_snapshot(inventory, out)
    accounts = len(inventory.accounts)
    click.echo(f"wrote {out} ({accounts} account{'s' if accounts != 1 else ''})", err=True)
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
