"""``keyless iac``: new IAM users, access keys, login profiles and loose trust policies in
Terraform, Terraform plans, CloudFormation and CDK output, before they are deployed.

Thin: parse arguments, call :func:`keyless.iac.scan.scan`, render, choose the exit code
(0 clean, 1 findings at or above ``--fail-on``, 2 bad input, 3 something not read).
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
from pathlib import Path

import click

from keyless.cli.output import (
    config_file,
    emit,
    refuse_own_input,
    render_options,
    require_writable,
)
from keyless.cli.paths import AnyPath, FilePath
from keyless.cli.progress import counting, is_quiet, quiet_option
from keyless.errors import InputError, quoted
from keyless.findings import Severity
from keyless.render import Format, formats, render
from keyless.render.untrusted import printable


@click.command("iac")
@click.argument("paths", nargs=-1, required=True, type=AnyPath())
@click.option(
    "--format",
    "output_format",
    type=click.Choice([f.value for f in formats("iac")]),
    default="text",
    show_default=True,
    help="github: workflow-command annotations on the pull request's files.",
)
@click.option(
    "--fail-on",
    type=click.Choice([s.value for s in Severity]),
    default=Severity.HIGH.value,
    show_default=True,
    help="Exit 1 when a finding is at or above this severity.",
)
@click.option(
    "--baseline",
    "baseline_path",
    type=FilePath(),
    help="Accepted findings (written by --write-baseline): only new ones are reported.",
)
@click.option(
    "--write-baseline",
    "write_baseline_path",
    type=FilePath(),
    help="Write every current finding to FILE as accepted, then exit 0 (3 if unread).",
)
@click.option(
    "--var-file",
    "var_files",
    multiple=True,
    type=FilePath(exists=True),
    help="Terraform variable values (.tfvars or .tfvars.json), as `terraform -var-file`.",
)
@click.option(
    "--parameter",
    "parameter_values",
    multiple=True,
    metavar="NAME=VALUE",
    help="A CloudFormation parameter's value, as a stack deployment gives it (repeatable).",
)
@click.option(
    "--config",
    "config_path",
    type=FilePath(exists=True),
    help="Configuration file (default: ./keyless.toml when present); its ignores apply.",
)
@click.option("--output", "-o", type=FilePath(), help="Write the report here.")
@quiet_option
def iac(
    paths: tuple[Path, ...],
    output_format: str,
    fail_on: str,
    baseline_path: Path | None,
    write_baseline_path: Path | None,
    var_files: tuple[Path, ...],
    parameter_values: tuple[str, ...],
    config_path: Path | None,
    output: Path | None,
) -> None:
    """Judge infrastructure code: Terraform and OpenTofu (.tf, .tofu, and the JSON
    syntax .tf.json, such as CDKTF's cdk.tf.json), `terraform show -json` plans,
    CloudFormation templates (YAML or JSON), the resources of a Serverless Framework
    serverless.yml, and CDK output (cdk.out/*.template.json).

    PATHS are files or directories (walked; .terraform and node_modules are skipped).
    """
    from keyless.cli.configuration import load_checked_config
    from keyless.iac.baseline import load_baseline, write_baseline
    from keyless.iac.read import read_paths
    from keyless.iac.scan import judge

    parameters = parse_parameters(parameter_values)
    for path in paths:
        _require_existing(path)
    if output is not None or write_baseline_path is not None:
        from keyless.iac.sources import discover

        # The report must not replace what it judges; the baseline may be rewritten in
        # place (`--baseline B --write-baseline B` accepts today's findings).
        read = (*(c.path for c in discover(paths)[0]), *var_files, config_file(config_path))
        if output is not None:
            require_writable(output, "the report (--output)", inputs=(*read, baseline_path))
        if write_baseline_path is not None:
            require_writable(write_baseline_path, "the baseline (--write-baseline)", inputs=read)
        if (
            output is not None
            and write_baseline_path is not None
            and output.resolve() == write_baseline_path.resolve()
        ):
            raise click.UsageError(
                "--output and --write-baseline name the same file: give each its own"
            )
    baseline = load_baseline(baseline_path) if baseline_path is not None else None
    config = load_checked_config(config_path)
    with counting("files") as progress:
        model = read_paths(paths, var_files=var_files, parameters=parameters, progress=progress)
    # Files Terraform's file() and templatefile() read are known only now.
    if output is not None:
        refuse_own_input(output, "the report (--output)", model.included)
    if write_baseline_path is not None:
        refuse_own_input(write_baseline_path, "the baseline (--write-baseline)", model.included)
    result = judge(model, config, baseline=baseline)
    threshold = Severity(fail_on)
    options = dataclasses.replace(
        render_options(output, threshold), writing_baseline=write_baseline_path is not None
    )
    emit(render(result, Format(output_format), options), output)
    if write_baseline_path is not None:
        write_baseline(write_baseline_path, result)
        if not is_quiet():
            click.echo(
                f"keyless: wrote the baseline {printable(str(write_baseline_path))}", err=True
            )
        sys.exit(0 if result.is_complete else 3)
    sys.exit(result.exit_code(threshold))


# CloudFormation logical IDs (parameter names) are alphanumeric, at most 255 characters:
# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html
_PARAMETER_NAME = re.compile(r"[A-Za-z0-9]{1,255}")
_MAX_PARAMETER_VALUE = 4096


def parse_parameters(values: tuple[str, ...]) -> dict[str, str]:
    """``NAME=VALUE`` options as a mapping; a malformed one is an input error (exit 2)."""
    parameters: dict[str, str] = {}
    for value in values:
        name, equals, given = value.partition("=")
        if not equals or not _PARAMETER_NAME.fullmatch(name):
            raise InputError(
                f"{quoted(value)} is not NAME=VALUE with an alphanumeric parameter name",
                where="--parameter",
            )
        if len(given) > _MAX_PARAMETER_VALUE or any(ord(c) < 32 for c in given):
            raise InputError(
                f"the value of {name} is longer than {_MAX_PARAMETER_VALUE} characters or "
                "holds control characters",
                where="--parameter",
            )
        parameters[name] = given
    return parameters


def _require_existing(path: Path) -> None:
    """A path that does not exist is a mistake in the command line (exit 2, as every
    command that reads a path), not a part of the input that could not be read (exit 3)."""
    if os.path.exists(path):
        return
    if os.path.lexists(path):
        raise InputError("a symbolic link to nothing (its target does not exist)", where=str(path))
    if os.fspath(path) == "-":  # standard input elsewhere; "no such file" sent users looking
        raise InputError("does not read standard input (-): give a file or a directory", where="-")
    raise InputError("no such file or directory", where=str(path))
