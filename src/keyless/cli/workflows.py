"""``keyless workflows``: scan CI pipelines for long-lived AWS keys and rewrite them to OIDC.

Thin: parse arguments, call :mod:`keyless.workflows`, render, choose the exit code.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import orjson

from keyless.errors import InputError, KeylessError
from keyless.findings import Severity

_PATHS = click.argument(
    "paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=False)
)


def _emit_json(document: object) -> None:
    click.echo(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode())


def _fail(error: KeylessError) -> None:
    # User errors end here, once, without a traceback (also under CliRunner, which does
    # not go through keyless.cli.main).
    ctx = click.get_current_context()
    if ctx.find_root().obj and ctx.find_root().obj.get("debug"):
        raise error
    click.echo(f"keyless: error: {error.describe()}", err=True)
    sys.exit(error.exit_code)


@click.group()
def workflows() -> None:
    """Find CI pipelines that use long-lived AWS keys and rewrite them to OIDC."""


@workflows.command()
@_PATHS
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "sarif"]),
    default="text",
    show_default=True,
)
@click.option(
    "--fail-on",
    type=click.Choice([s.value for s in Severity]),
    default=Severity.HIGH.value,
    show_default=True,
    help="Exit 1 when a finding is at or above this severity.",
)
def scan(paths: tuple[Path, ...], output_format: str, fail_on: str) -> None:
    """Scan repositories, directories of repositories or workflow files.

    PATHS may be a repository, a directory holding repositories, GitHub workflow files
    or .gitlab-ci.yml files.
    """
    from keyless.workflows import report
    from keyless.workflows.scan import scan as run_scan

    try:
        result = run_scan(paths)
    except KeylessError as error:
        _fail(error)
        return
    if output_format == "json":
        _emit_json(report.scan_json(result))
    elif output_format == "sarif":
        _emit_json(report.scan_sarif(result))
    else:
        click.echo(report.scan_text(result), nl=False)
    threshold = Severity(fail_on)
    sys.exit(1 if any(f.severity >= threshold for f in result.findings) else 0)


@workflows.command()
@_PATHS
@click.option("--role-arn", help="The ARN of the role the pipelines should assume.")
@click.option(
    "--role-arn-from",
    metavar="NAME",
    help="Take the role ARN from a variable or secret: vars.NAME, secrets.NAME or NAME "
    "(a GitHub variable / GitLab CI/CD variable).",
)
@click.option("--region", help="AWS region for inserted credential steps.")
@click.option("--repository", metavar="ORG/REPO", help="Default: the git remote 'origin'.")
@click.option("--write", "write_files", is_flag=True, help="Write the files (default: diff).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
def fix(
    paths: tuple[Path, ...],
    role_arn: str | None,
    role_arn_from: str | None,
    region: str | None,
    repository: str | None,
    write_files: bool,
    output_format: str,
) -> None:
    """Rewrite pipelines from static AWS keys to OIDC (a unified diff unless --write)."""
    from keyless.workflows import report
    from keyless.workflows.fix import fix as run_fix
    from keyless.workflows.fix import unified_diff, write
    from keyless.workflows.model import FixOptions, RoleSource

    try:
        if (role_arn is None) == (role_arn_from is None):
            raise InputError("give exactly one of --role-arn and --role-arn-from")
        if role_arn is not None and not role_arn.startswith("arn:"):
            raise InputError(f"--role-arn {role_arn!r} is not an ARN")
        if repository is not None and repository.count("/") < 1:
            raise InputError(f"--repository {repository!r} is not ORG/REPO")
        options = FixOptions(RoleSource(arn=role_arn, reference=role_arn_from), region, repository)
        result = run_fix(paths, options)
        if write_files:
            write(result)
    except KeylessError as error:
        _fail(error)
        return
    if output_format == "json":
        _emit_json(report.fix_json(result, written=write_files))
    else:
        if not write_files:
            click.echo(unified_diff(result), nl=False)
        click.echo(report.fix_summary(result), nl=False, err=not write_files)
