"""``keyless workflows``: scan CI pipelines for long-lived AWS keys and rewrite them to OIDC.

Thin: parse arguments, call :mod:`keyless.workflows`, render, choose the exit code. A
:class:`~keyless.errors.KeylessError` is printed once by the ``keyless`` group (exit 2).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click

from keyless.cli.output import emit, render_options
from keyless.cli.paths import AnyPath, FilePath
from keyless.cli.progress import quiet_option, waiting_message
from keyless.errors import InputError, quoted_list
from keyless.findings import Severity
from keyless.render import Format, formats, render
from keyless.workflows.registry import CHECKS

_PATHS = click.argument("paths", nargs=-1, required=True, type=AnyPath())


@click.group()
def workflows() -> None:
    """Find CI pipelines that use long-lived AWS keys and rewrite them to OIDC."""


@workflows.command()
@_PATHS
@click.option(
    "--format",
    "output_format",
    type=click.Choice([f.value for f in formats("workflows-scan")]),
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
@click.option("--checks", "check_ids", multiple=True, help="Only these check IDs.")
@click.option(
    "--config",
    "config_path",
    type=FilePath(exists=True),
    help="Configuration file (default: ./keyless.toml when present); its ignores apply.",
)
@quiet_option
def scan(
    paths: tuple[Path, ...],
    output_format: str,
    fail_on: str,
    check_ids: tuple[str, ...],
    config_path: Path | None,
) -> None:
    """Scan repositories, directories of repositories or workflow files.

    PATHS may be a repository, a directory holding repositories, or CI files: GitHub
    workflows, .gitlab-ci.yml, CircleCI, Bitbucket Pipelines, Jenkinsfiles, Buildkite, Azure
    Pipelines, Travis, CodeBuild buildspecs and Drone files (the last five are read for
    literal keys only, and the output says so).
    """
    from keyless.cli.configuration import load_checked_config
    from keyless.workflows.scan import scan as run_scan

    known = {c.id for c in CHECKS}
    wanted = tuple(part.strip() for value in check_ids for part in value.split(",") if part.strip())
    unknown = sorted(set(wanted) - known)
    if unknown:
        raise InputError(
            f"unknown workflow check ID(s): {quoted_list(unknown)}",
            where="--checks",
            hint="`keyless checks` lists every check ID (the CI checks: workflow-, gitlab-, "
            "circleci-, bitbucket-, jenkins-).",
        )
    config = load_checked_config(config_path)
    with waiting_message("scanning CI pipelines"):
        result = run_scan(paths, config, checks=wanted or None)
    threshold = Severity(fail_on)
    emit(render(result, Format(output_format), render_options(None, threshold)))
    sys.exit(result.exit_code(threshold))


@workflows.command()
@_PATHS
@click.option("--role-arn", help="The ARN of the role the pipelines should assume.")
@click.option(
    "--role-arn-from",
    metavar="NAME",
    help="Take the role ARN from a variable or secret: vars.NAME, secrets.NAME or NAME "
    "(a GitHub variable / GitLab CI/CD variable).",
)
@click.option(
    "--region",
    help="AWS region for inserted credential steps whose workflow names none "
    "(AWS_REGION / AWS_DEFAULT_REGION in env: wins).",
)
@click.option("--repository", metavar="ORG/REPO", help="Default: the git remote 'origin'.")
@click.option("--write", "write_files", is_flag=True, help="Write the files (default: diff).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@quiet_option
def fix(
    paths: tuple[Path, ...],
    role_arn: str | None,
    role_arn_from: str | None,
    region: str | None,
    repository: str | None,
    write_files: bool,
    output_format: str,
) -> None:
    """Rewrite pipelines from static AWS keys to OIDC (a unified diff unless --write).

    GitHub Actions and GitLab CI are rewritten; other platforms' files are left as they
    are, with a note. Every file that can be rewritten is; what cannot is listed with the
    reason. Exit 0 when nothing was left, 1 when a job or file was left for you, 2 for bad
    input, 3 when a file could not be read.
    """
    from keyless.render.untrusted import visible
    from keyless.workflows.fix import fix as run_fix
    from keyless.workflows.fix_output import unified_diff, write
    from keyless.workflows.model import FixOptions, RoleSource

    # Each value is checked against its grammar here, before any file is read.
    options = FixOptions(RoleSource(arn=role_arn, reference=role_arn_from), region, repository)
    with waiting_message("reading and rewriting CI pipelines"):
        result = run_fix(paths, options)
    if write_files:
        write(result)
        result = replace(result, written=True)
    if output_format == "json":
        emit(render(result, Format.JSON))
    else:
        if not write_files:
            emit(unified_diff(result, visible))
            click.echo(render(result, Format.TEXT), nl=False, err=True)
        else:
            emit(render(result, Format.TEXT))
    sys.exit(result.exit_code())
