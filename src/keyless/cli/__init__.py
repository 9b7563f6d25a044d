"""The ``keyless`` command: argument parsing, wiring and exit codes only.

Each subcommand lives in its own module and is imported only when it runs, so
``keyless --help`` stays fast and nothing heavy (boto3, moto) loads at import time.
"""

from __future__ import annotations

import importlib
import logging
import re
import sys
from typing import Any

import click

from keyless import __version__
from keyless.errors import KeylessError

#: Exit code after Ctrl-C: 128 + SIGINT (2), as shells report a process the signal ended.
EXIT_INTERRUPTED = 130

# name -> "module:attribute"; the order is the order of `keyless --help`.
COMMANDS = {
    "scan": "keyless.cli.scan:scan",
    "collect": "keyless.cli.scan:collect",
    "merge": "keyless.cli.scan:merge",
    "checks": "keyless.cli.scan:checks",
    "simulate": "keyless.cli.simulate:simulate",
    "trust": "keyless.cli.trust:trust",
    "plan": "keyless.cli.plan:plan",
    "generate": "keyless.cli.generate:generate",
    "workflows": "keyless.cli.workflows:workflows",
    "diff": "keyless.cli.diff:diff",
    "history": "keyless.cli.history:history",
    "iac": "keyless.cli.iac:iac",
    "retire": "keyless.cli.retire:retire",
}

# name -> the first sentence of the command's help, for the command list of `keyless
# --help` without importing every command (and with it boto3, the checks and the
# renderers). tests/cli/test_help.py keeps each equal to the command's own help.
SUMMARIES = {
    "scan": "Inventory IAM users, keys and roles, and report what should change.",
    "collect": "Collect an estate once into a snapshot file, to analyse offline later.",
    "merge": "Merge the snapshots of an organization's shards (`collect --org --shard I/N`) "
    "into one snapshot: each account from the shard that collected it, read and written "
    "one account at a time.",
    "checks": "List every check: ID, severity and title.",
    "simulate": "Decide, as STS would, whether a caller may assume a role under its trust policy.",
    "trust": "Who can assume a role: one sentence per access path, then the trust findings.",
    "plan": "Decide, for every IAM user, what replaces it: Identity Center for people, OIDC "
    "roles for CI, Roles Anywhere or a service role for workloads, or retirement.",
    "generate": "Write what PLAN (a keyless/plan/v1 document) decided as code to review and apply.",
    "workflows": "Find CI pipelines that use long-lived AWS keys and rewrite them to OIDC.",
    "diff": "Show the users, keys and findings added, removed and fixed from OLD to NEW, per "
    "account.",
    "history": "Users, active keys and findings by severity over the recorded scans (keyless "
    "scan --record), per account and overall: a table and sparklines, or SVG charts with "
    "--format html.",
    "iac": "Judge infrastructure code: Terraform and OpenTofu (.tf, .tofu, and the JSON syntax "
    ".tf.json, such as CDKTF's cdk.tf.json), `terraform show "
    "-json` plans, CloudFormation templates (YAML or JSON), the resources of a Serverless "
    "Framework serverless.yml, and CDK output (cdk.out/*.template.json).",
    "retire": "Retire IAM users and access keys in stages: deactivate, watch, delete, roll back.",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``keyless --help``, from :data:`SUMMARIES`: listing the
        commands imports none of them (click's own would import all, ~0.3 s)."""
        if ctx.command is not self:
            super().format_commands(ctx, formatter)
            return
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        # A bare command with the summary as its help shortens it exactly as click does.
        rows = [
            (name, click.Command(name, help=SUMMARIES[name]).get_short_help_str(limit))
            for name in COMMANDS
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._load(cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand; a user error becomes one paragraph on stderr and exit 2,
        Ctrl-C one line and exit 130 (128 + SIGINT, the shell's convention; not 1, which
        means "findings"). Files are written whole or not at all, so an interrupted
        command leaves the previous file, never half of a new one."""
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            # A subcommand's arguments (a --format choice, a missing argument, an unknown
            # option or subcommand): one line, as every other refusal, not the usage block.
            if _is_help(error) or (isinstance(ctx.obj, dict) and ctx.obj.get("debug")):
                raise
            tell(f"keyless: error: {_usage_problem(error)}")
            ctx.exit(error.exit_code)
        except KeylessError as error:
            if isinstance(ctx.obj, dict) and ctx.obj.get("debug"):
                raise
            tell(f"keyless: error: {_shown(error)}")
            ctx.exit(error.exit_code)
        except KeyboardInterrupt:
            if isinstance(ctx.obj, dict) and ctx.obj.get("debug"):
                raise
            # On a terminal the line starts after the "^C" the terminal echoed.
            start = "\n" if sys.stderr is not None and sys.stderr.isatty() else ""
            tell(f"{start}keyless: interrupted")
            ctx.exit(EXIT_INTERRUPTED)
        except OSError as error:
            # Standard output or error that cannot be written (`| head`, `2> /dev/full`):
            # exit 2, as a report that cannot be written; click's own answer is 1.
            debug = isinstance(ctx.obj, dict) and ctx.obj.get("debug")
            code = None if debug else _unwritable(error)
            if code is None:
                raise
            ctx.exit(code)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """``keyless``'s own options (``keyless --bogus``): refused as a subcommand's are."""
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            if _is_help(error) or "--debug" in args:
                raise
            tell(f"keyless: error: {_usage_problem(error)}")
            ctx.exit(error.exit_code)
        except OSError as error:  # --help or --version into a closed pipe
            code = None if "--debug" in args else _unwritable(error)
            if code is None:
                raise
            ctx.exit(code)

    @staticmethod
    def _load(name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name == module_name:
                return None
            raise
        command = getattr(module, attribute, None)
        return command if isinstance(command, click.Command) else None


def tell(message: str) -> None:
    """``message`` on standard error, or nothing when it cannot be written (see
    :mod:`keyless.cli.streams`, imported only when a command fails)."""
    from keyless.cli.streams import tell as say

    say(message)


def _unwritable(error: OSError) -> int | None:
    """Exit code 2 when ``error`` is standard output or error failing, or an I/O error that
    names no file (:mod:`keyless.cli.streams`); else ``None``."""
    from keyless.cli import streams

    if streams.is_unwritable_stream(error):
        return streams.end_unwritable(error)
    if streams.is_nameless_io_failure(error):
        return streams.end_nameless_io_failure(error)
    return None


def _is_help(error: click.UsageError) -> bool:
    """A group run without a subcommand shows its help (click >= 8.2 raises it as a usage
    error whose message is the whole help text): left to click."""
    return type(error).__name__ == "NoArgsIsHelpError"


def _usage_problem(error: click.UsageError) -> str:
    """A usage error as one line and, after it, where to read more: for a subcommand a
    group lacks (``keyless workflows PATH``), which one was probably meant."""
    from keyless.render.untrusted import printable

    text = printable(error.format_message())
    if len(text) > _SHOWN_USAGE:
        # click quotes the value given whole: a 1 MB --format (a script's mistake) was a
        # 1 MB line on the terminal. Its start and the end of the sentence are kept.
        text = f"{text[: _SHOWN_USAGE - 100]}…{text[-100:]}"
    context = error.ctx
    if context is None:
        return text
    command = context.command
    # click >= 8.4 raises NoSuchCommand, which names what was given; older ones, no hint.
    given = getattr(error, "command_name", None)
    if isinstance(command, click.Group) and isinstance(given, str):
        names = command.list_commands(context)
        if "scan" in names and given not in names and _looks_like_a_path(given):
            meant = f"{context.command_path} scan {given}"
            return f"{text}\ndid you mean '{printable(meant)}'?"
    return f"{text}\nSee '{printable(context.command_path)} --help'."


def _looks_like_a_path(text: str) -> bool:
    import os

    return "/" in text or "." in text or os.path.exists(text)


#: ``\udc80``-``\udcff`` as repr() writes an undecodable byte of an argument or file name.
_REPR_BYTE = re.compile(r"(?<!\\)((?:\\\\)*)\\udc([89a-f][0-9a-f])")


#: How much of a usage error (an option's value quoted whole by click) the terminal shows.
_SHOWN_USAGE = 600

#: How much of an error's ``where`` the terminal shows (a path, or a file and pointer).
_SHOWN_WHERE = 300


def _shown(error: KeylessError) -> str:
    """:meth:`KeylessError.describe` for a terminal: ``where`` (a path or value the user
    gave, or a name from AWS) on its one line, every line of the message and hint with
    its control, escape and bidirectional characters written as escapes. Bytes of a file
    name or argument that are not UTF-8 are shown as the user typed them (``\\xff``, as
    :func:`~keyless.render.untrusted.printable` writes them), not as ``\\udcff``."""
    from keyless.render.untrusted import printable

    def line(text: str) -> str:
        # A value quoted with repr() or ascii() in a message already shows such a byte as
        # the text \udcff: written \xff too (an even run of backslashes before it is
        # escaped backslashes, so \\udcff, a typed backslash, stays as it is).
        return _REPR_BYTE.sub(r"\1\\x\2", printable(text))

    def lines(text: str) -> str:
        return "\n".join(line(part) for part in text.split("\n"))

    text = lines(error.message)
    if error.where:
        # A JSON pointer holds the keys on its way: a 30,000-character key is a pointer as
        # long. Shown in part, as the message quotes values (keyless.errors.quoted).
        where = error.where
        if len(where) > _SHOWN_WHERE:
            where = where[:_SHOWN_WHERE] + "…"
        text = f"{line(where)}: {text}"
    if error.hint:
        text += f"\n{lines(error.hint)}"
    return text


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="keyless")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logging.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """keyless: from IAM users and long-lived keys to roles with temporary credentials."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    # botocore and urllib3 log request headers at DEBUG, session tokens included:
    # secrets never leave memory, so they stay at WARNING even with --debug.
    for noisy in ("botocore", "boto3", "urllib3", "s3transfer"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> Any:
    """Console entry point."""
    return cli.main(args=argv, prog_name="keyless")
