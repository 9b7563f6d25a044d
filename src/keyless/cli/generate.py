"""``keyless generate``: the plan's replacement as Terraform, CloudFormation,
``~/.aws/config`` or guardrail SCPs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from keyless.cli.paths import DirectoryPath, FilePath
from keyless.files import read_bytes
from keyless.render.untrusted import printable

if TYPE_CHECKING:
    from keyless.generate.build import GenerateOptions


@click.command()
@click.argument("plan_path", metavar="PLAN", type=FilePath(exists=True))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["terraform", "cloudformation", "aws-config", "scp"]),
    required=True,
    help="What to write.",
)
@click.option(
    "--out",
    type=DirectoryPath(),
    required=True,
    help="The folder to write (created whole; an existing non-empty one needs --force).",
)
@click.option("--force", is_flag=True, help="Replace a non-empty --out folder whole.")
@click.option(
    "--identity-source",
    type=click.Choice(["identity-center", "external"]),
    default="identity-center",
    show_default=True,
    help="external: an IdP provisions Identity Center's users; look them up, do not create.",
)
@click.option("--region", default="us-east-1", show_default=True, help="Region of the providers.")
@click.option(
    "--ca-cert",
    type=FilePath(exists=True),
    help="The CA certificate (PEM) of a new Roles Anywhere trust anchor.",
)
@click.option("--pca-arn", metavar="ARN", help="An AWS Private CA for the trust anchor instead.")
@click.option("--sso-start-url", metavar="URL", help="Identity Center's start URL (aws-config).")
@click.option("--sso-region", metavar="REGION", help="Identity Center's region (aws-config).")
@click.option("--sso-session", default="keyless", show_default=True, help="[sso-session] name.")
@click.option(
    "--session-duration",
    default="PT1H",
    show_default=True,
    help="Permission sets' session duration (PT1H to PT12H).",
)
@click.option(
    "--break-glass-role",
    metavar="ARN",
    help="The role the guardrail still lets create users and keys (account may be *).",
)
@click.option("--boundary", is_flag=True, help="Also the guardrail as a permissions boundary.")
@click.option(
    "--scanner-role",
    metavar="ARN",
    help="The management account's role keyless scans from (default: role/keyless-scanner "
    "in the plan's first account).",
)
@click.option("--demo", is_flag=True, help="Check the plan against the demo estate it came from.")
@click.option(
    "--input",
    "input_dir",
    type=DirectoryPath(exists=True),
    help="Check the plan against this offline export (stale plans are refused).",
)
@click.option(
    "--snapshot",
    type=FilePath(exists=True),
    help="Check the plan against this snapshot (stale plans are refused).",
)
@click.option(
    "--all-errors",
    is_flag=True,
    help="Print every error of a refused plan (default: the first 50, and how many more).",
)
def generate(
    plan_path: Path,
    output_format: str,
    out: Path,
    force: bool,
    identity_source: str,
    region: str,
    ca_cert: Path | None,
    pca_arn: str | None,
    sso_start_url: str | None,
    sso_region: str | None,
    sso_session: str,
    session_duration: str,
    break_glass_role: str | None,
    boundary: bool,
    scanner_role: str | None,
    demo: bool,
    input_dir: Path | None,
    snapshot: Path | None,
    all_errors: bool,
) -> None:
    """Write what PLAN (a keyless/plan/v1 document) decided as code to review and apply.

    Every trust policy is proved before it is written: keyless's trust checks find
    nothing above info, the plan's callers are allowed and their near misses denied.

    Exit codes: 0 everything generated; 1 part of the plan was left out (listed, and in
    the README); 2 bad input or a bad plan (each error listed, nothing written).
    """
    from datetime import UTC, datetime

    from keyless.generate.build import GenerateOptions
    from keyless.generate.build import generate as make
    from keyless.generate.model import IdentitySource, OutputFormat
    from keyless.generate.output import check_output_dir, write_output
    from keyless.generate.read import SHOWN_PROBLEMS, load_plan
    from keyless.generate.roles_anywhere import read_ca_certificate
    from keyless.plan.quotas import quota_warnings

    check_output_dir(out, force=force, inputs=(plan_path, ca_cert, input_dir, snapshot))
    sources = [s for s in (demo, input_dir, snapshot) if s]
    if len(sources) > 1:
        raise click.UsageError("give at most one of --demo, --input and --snapshot")
    ca_pem = None
    if ca_cert is not None:
        ca_pem = read_ca_certificate(
            read_bytes(ca_cert, "--ca-cert", limit=1 << 20), datetime.now(UTC)
        )
    options = GenerateOptions(
        format=OutputFormat(output_format),
        identity_source=IdentitySource(identity_source),
        region=region,
        ca_pem=ca_pem,
        pca_arn=pca_arn,
        sso_start_url=sso_start_url,
        sso_region=sso_region,
        sso_session=sso_session,
        break_glass_role=break_glass_role,
        boundary=boundary,
        scanner_role=scanner_role,
        session_duration=session_duration,
    )
    inventory = None
    if sources:
        from keyless.cli.sources import load
        from keyless.collect.origin import InventorySpec, Origin

        kind = Origin.DEMO if demo else Origin.EXPORT if input_dir else Origin.SNAPSHOT
        inventory = load(InventorySpec(kind=kind, path=input_dir or snapshot))
    document = load_plan(plan_path, inventory, most=None if all_errors else SHOWN_PROBLEMS)
    demo_portal = (
        document["source"]["origin"] == "demo"
        and options.format is OutputFormat.AWS_CONFIG
        and options.sso_start_url is None
        and options.sso_region is None
    )
    if document["source"]["origin"] == "demo" and options.format is OutputFormat.AWS_CONFIG:
        options = _demo_portal(options)
    result = make(document, options)
    write_output(result, out, force=force)
    if demo_portal:
        click.echo(
            f"the demo's Identity Center portal: {options.sso_start_url} ({options.sso_region})",
            err=True,
        )
    click.echo(
        f"wrote {printable(str(out))}: " + ", ".join(str(p) for p in result.paths()), err=True
    )
    for warning in quota_warnings(document, inventory):
        click.echo(f"warning: {printable(warning)}", err=True)
    for skipped in result.generated.skipped:
        # The plan's words (a user's name, its would_decide): one line each, escaped.
        click.echo(f"not generated: {printable(skipped.what)}: {printable(skipped.why)}", err=True)
    sys.exit(0 if result.is_complete else 1)


def _demo_portal(options: GenerateOptions) -> GenerateOptions:
    """A plan of the demo organization: its fictional Identity Center portal where the
    options name none. An empty value names one (none at all), refused as every other
    value outside the grammar: it was taken for "not given" and the demo's portal written
    without the line that says so."""
    from dataclasses import replace

    from keyless.collect.demo.estate import SSO_REGION, SSO_START_URL

    return replace(
        options,
        sso_start_url=SSO_START_URL if options.sso_start_url is None else options.sso_start_url,
        sso_region=SSO_REGION if options.sso_region is None else options.sso_region,
    )
