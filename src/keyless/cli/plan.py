"""``keyless plan``: one decision per IAM user, the targets, and the keys to retire."""

from __future__ import annotations

import gc
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from keyless.cli.output import config_file, emit, render_options, require_writable
from keyless.cli.paths import FilePath
from keyless.cli.progress import is_quiet, quiet_option, waiting_message
from keyless.cli.sources import build_spec, load, parse_moment, source_options, unread_lines
from keyless.errors import InputError, quoted, shown_pointer
from keyless.files import read_bytes
from keyless.render import Format, formats, render
from keyless.render.untrusted import printable

if TYPE_CHECKING:
    from keyless.config import Thresholds
    from keyless.model import Inventory
    from keyless.plan.pipelines import WorkflowSource

PLAN_FILE = "the plan (--out)"
REPORT = "the rendered plan (--output)"


@click.command()
@source_options()
@click.option(
    "--config",
    "config_path",
    type=FilePath(exists=True),
    help="Configuration file (default: ./keyless.toml when present).",
)
@click.option(
    "--link",
    "links",
    multiple=True,
    metavar="USER=TARGET",
    help="What a user's keys are for: ORG/REPO, gitlab:GROUP/PROJECT, circleci:ORG_ID/PROJECT_ID, "
    "bitbucket:WORKSPACE/WORKSPACE_UUID/REPOSITORY_UUID (docs/plan.md), host:CN or aws:SERVICE "
    "(repeat).",
)
@click.option(
    "--workflows",
    multiple=True,
    metavar="[ORG/REPO=]PATH",
    help="Checkouts whose CI workflows use the keys: OIDC subjects per job (repeat).",
)
@click.option(
    "--out",
    type=FilePath(),
    help="Write the keyless/plan/v1 document here (whole, never through a symlink).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice([f.value for f in formats("plan")]),
    default="text",
    show_default=True,
)
@click.option(
    "--output",
    type=FilePath(),
    help="Write the --format output (or --explain) here instead of standard output.",
)
@click.option("--explain", "explain", metavar="USER", help="All the evidence for one user.")
@click.option(
    "--now",
    "explicit_now",
    metavar="ISO8601",
    callback=parse_moment,
    help="Measure ages against this moment (ISO 8601). Default: a snapshot's collected_at,"
    " otherwise the current time.",
)
@click.option(
    "--allow-partial",
    is_flag=True,
    help="Plan even when an account's credential report (or authorization details) was not "
    "read: the plan records what was not read and its decisions say their evidence is "
    "missing. Without it, such an estate exits 3.",
)
@click.option(
    "--check",
    "check_path",
    type=FilePath(exists=True),
    help="Validate this plan (hand-edited or not) against the source instead of planning.",
)
@click.option(
    "--generate-format",
    type=click.Choice(["terraform", "cloudformation"]),
    help="With --check: the --format keyless generate will write; what it refuses is an "
    "error. Default: each format is tried, and what one refuses is open.",
)
@click.option(
    "--generate-region",
    metavar="REGION",
    help="With --check: the --region keyless generate will be given (default: its own, us-east-1).",
)
@click.option(
    "--generate-ca-cert",
    type=FilePath(exists=True),
    metavar="PEM",
    help="With --check: the --ca-cert keyless generate will be given for new Roles Anywhere "
    "trust anchors (checked as generate checks it). Without it or --generate-pca-arn, roles "
    "that need a new anchor are open.",
)
@click.option(
    "--generate-pca-arn",
    metavar="ARN",
    help="With --check: the --pca-arn keyless generate will be given instead.",
)
@quiet_option
def plan(
    config_path: Path | None,
    links: tuple[str, ...],
    workflows: tuple[str, ...],
    out: Path | None,
    output_format: str,
    output: Path | None,
    explain: str | None,
    explicit_now: datetime | None,
    allow_partial: bool,
    check_path: Path | None,
    generate_format: str | None,
    generate_region: str | None,
    generate_ca_cert: Path | None,
    generate_pca_arn: str | None,
    **source: Any,
) -> None:
    """Decide, for every IAM user, what replaces it: Identity Center for people, OIDC
    roles for CI, Roles Anywhere or a service role for workloads, or retirement.

    Exit codes: 0 every user decided and every target proved no broader; 1 a person
    must look at some users (undecided, a target missing inputs, a proof not made);
    2 bad input, or --check found errors; 3 part of the estate could not be read, or
    the credential report was not (unless --allow-partial).
    """
    from keyless.cli.configuration import load_checked_config
    from keyless.collect.origin import input_files, reference_time
    from keyless.plan.build import PlanInputs, make_plan
    from keyless.plan.links import parse_link_option
    from keyless.plan.pipelines import parse_workflow_option
    from keyless.plan.source import missing_evidence

    spec = build_spec(source)
    if check_path is not None:
        if links or workflows or out or output or explain or explicit_now or allow_partial:
            raise click.UsageError("--check takes only the plan and its source")
        thresholds = load_checked_config(config_path).thresholds
        generate = _GenerateWith(
            generate_format, generate_region, generate_ca_cert, generate_pca_arn
        )
        _check(check_path, load(spec), thresholds, generate)
        return
    if generate_format or generate_region or generate_ca_cert or generate_pca_arn:
        raise click.UsageError("the --generate-* options go with --check")
    config = load_checked_config(config_path)
    link_requests = tuple(parse_link_option(text) for text in links)
    workflow_sources = tuple(parse_workflow_option(text) for text in workflows)
    read = (*input_files(spec), config_file(config_path))
    if out is not None or output is not None:
        read += _workflow_files(workflow_sources)
    if out is not None:
        require_writable(out, PLAN_FILE, inputs=read)
    if output is not None:
        if out is not None and _same_file(out, output):
            raise click.UsageError("--out and --output name the same file: give each its own")
        require_writable(output, REPORT, inputs=read)
    inventory = load(spec)
    missing = missing_evidence(inventory)
    if missing and not allow_partial:
        _refuse_partial(missing)
    # As in `keyless scan`: the inventory lives until the process exits, so move it out
    # of the cyclic collector's reach before the plan allocates its own objects.
    gc.freeze()
    as_of, _ = reference_time(spec, inventory, explicit_now)
    inputs = PlanInputs(
        thresholds=config.thresholds,
        config=config.plan,
        links=link_requests,
        workflows=workflow_sources,
        as_of=as_of,
    )
    with waiting_message("deciding what replaces each IAM user"):
        result = make_plan(inventory, inputs)
    if out is not None:
        from keyless.plan.document import write_plan

        write_plan(result, out)
        if not is_quiet():
            click.echo(f"wrote {printable(str(out))}", err=True)
    options = render_options(output)
    if explain is not None:
        from keyless.render.plan import explain_text

        wanted = explain.lower()
        chosen = [u for u in result.users if wanted in (u.name.lower(), u.arn.lower())]
        if not chosen:
            raise click.BadParameter(
                f"no user {quoted(explain)} in the plan", param_hint="--explain"
            )
        emit(explain_text(result, chosen, options), output, REPORT)
    else:
        emit(render(result, Format(output_format), options), output, REPORT)
    if output is not None and not is_quiet():
        click.echo(f"wrote {printable(str(output))}", err=True)
    for line in unread_lines(inventory):
        click.echo(f"not read: {line}", err=True)
    if not inventory.is_complete:
        sys.exit(3)
    sys.exit(1 if result.open_users else 0)


def _workflow_files(sources: tuple[WorkflowSource, ...]) -> tuple[Path, ...]:
    """The CI files ``--workflows`` reads (an output must not replace one of them)."""
    if not sources:
        return ()
    from keyless.workflows.discovery import discover

    return tuple(file.path for file in discover(s.path for s in sources).files)


def _same_file(one: Path, other: Path) -> bool:
    return one.resolve() == other.resolve()


def _refuse_partial(missing: tuple[str, ...]) -> None:
    """Exit 3 before planning: decisions without the evidence they rest on are no plan."""
    for line in missing:
        click.echo(f"not read: {printable(line)}", err=True)
    click.echo(
        f"keyless plan: {len(missing)} part{'s' if len(missing) != 1 else ''} of the evidence "
        "the decisions rest on (the credential report's password and key use, the "
        "authorization details) could not be read, so no plan was made: exit code 3; "
        "--allow-partial plans anyway and records what was not read.",
        err=True,
    )
    sys.exit(3)


@dataclass(frozen=True, slots=True)
class _GenerateWith:
    """The options of ``keyless generate`` that ``plan --check`` is told of."""

    format: str | None
    region: str | None
    ca_cert: Path | None
    pca_arn: str | None


def _read_ca(path: Path) -> str:
    """The CA certificate as ``keyless generate --ca-cert`` reads it, its errors naming
    ``--generate-ca-cert``."""
    from datetime import UTC

    from keyless.generate.roles_anywhere import read_ca_certificate

    try:
        return read_ca_certificate(
            read_bytes(path, "--generate-ca-cert", limit=1 << 20), datetime.now(UTC)
        )
    except InputError as error:
        raise InputError(error.message, where="--generate-ca-cert", hint=error.hint) from None


def _check(
    path: Path, inventory: Inventory, thresholds: Thresholds, generate: _GenerateWith
) -> None:
    from keyless.generate.model import OutputFormat
    from keyless.generate.preflight import check_for_generate
    from keyless.plan.document import read_plan

    ca_pem = None
    if generate.ca_cert is not None:
        ca_pem = _read_ca(generate.ca_cert)
    result = check_for_generate(
        read_plan(path),
        inventory,
        thresholds,
        output_format=OutputFormat(generate.format) if generate.format else None,
        region=generate.region,
        ca_pem=ca_pem,
        pca_arn=generate.pca_arn,
    )
    for problem in result.problems:
        # A refusal of generate's (keyless.generate.preflight) is of the whole plan.
        where = f"{path}#{shown_pointer(problem.pointer)}" if problem.pointer else str(path)
        click.echo(printable(f"{where}: {problem.message}"), err=True)
    for item in result.open_items:
        click.echo(f"open: {printable(item)}", err=True)
    for warning in result.warnings:
        click.echo(f"warning: {printable(warning)}", err=True)
    if result.problems:
        noun = "error" if len(result.problems) == 1 else "errors"
        click.echo(f"keyless: {printable(str(path))}: {len(result.problems)} {noun}", err=True)
        sys.exit(2)
    for line in unread_lines(inventory):
        click.echo(f"not read: {line}", err=True)
    if not inventory.is_complete:
        sys.exit(3)
    opened = f" ({len(result.open_items)} open)" if result.open_items else ""
    click.echo(f"{printable(str(path))}: valid against its source{opened}", err=True)
    sys.exit(1 if result.open_items else 0)
