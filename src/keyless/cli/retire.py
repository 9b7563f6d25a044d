"""``keyless retire``, ``keyless retire status`` and ``keyless retire rollback``.

Parse the options, build the request and the way to reach AWS, make one library call
(:mod:`keyless.retire`), render, exit: 0 nothing refused, failed or unread; 1 something
refused or failed (``status``: a key flagged); 2 bad input; 3 an account or user could not
be read. Dry by default: ``--apply`` changes AWS.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from keyless.cli.numbers import Count
from keyless.cli.output import emit, refuse_own_input, render_options
from keyless.cli.paths import FilePath
from keyless.cli.progress import counting, quiet_option, waiting_message
from keyless.render import Format, formats, render

if TYPE_CHECKING:
    from keyless.retire import Reach, Scope

F = TypeVar("F", bound=Callable[..., Any])

JOURNAL_HELP = "The journal (SQLite): what was done, when, and each user's backup."


def _options(*options: Callable[[F], F]) -> Callable[[F], F]:
    def decorate(function: F) -> F:
        for option in reversed(options):
            function = option(function)
        return function

    return decorate


reach_options = _options(
    click.option("--profile", help="AWS profile (default: the standard credential chain)."),
    click.option("--region", help="AWS region for API endpoints and CloudTrail (us-east-1)."),
    click.option("--org", is_flag=True, help="Act in member accounts of the AWS Organization."),
    click.option(
        "--member-role",
        default="OrganizationAccountAccessRole",
        show_default=True,
        help="Role assumed in each member account (--org).",
    ),
    click.option("--external-id", help="External ID for the member role (--org)."),
)


def _common(apply_help: str | None, *, kind: str) -> Callable[[F], F]:
    options: list[Callable[[F], F]] = [
        click.option(
            "--user",
            "users",
            multiple=True,
            help="A user: NAME, ACCOUNT:NAME or its ARN (repeatable).",
        ),
        click.option(
            "--access-key-id",
            "keys",
            multiple=True,
            help="An access key: AKIA… or ACCOUNT:AKIA… (repeatable).",
        ),
        click.option(
            "--journal",
            type=FilePath(),
            default=Path("keyless-retire.sqlite"),
            show_default=True,
            help=JOURNAL_HELP,
        ),
        click.option(
            "--format",
            "output_format",
            type=click.Choice([f.value for f in formats(kind)]),
            default="text",
            show_default=True,
        ),
    ]
    if apply_help is not None:
        options.append(click.option("--apply", is_flag=True, help=apply_help))
    return _options(*options)


def _plan_option() -> Callable[[F], F]:
    return click.option(
        "--plan",
        "plan_path",
        type=FilePath(exists=True),
        help="Follow this keyless/plan/v1 document: its retire list, gated by its "
        "preconditions (--user and --access-key-id narrow it).",
    )


def _max_actions() -> Callable[[F], F]:
    return click.option(
        "--max-actions",
        type=Count(min=1),
        help="At most this many AWS changes in this run; the next run goes on.",
    )


@click.group(invoke_without_command=True)
@_common("Make the changes (default: a dry run that prints them).", kind="retire")
@click.option(
    "--min-idle-days",
    type=Count(1, 3650),
    default=30,
    show_default=True,
    help="Refuse a key (or password) used more recently than this.",
)
@click.option(
    "--quarantine-days",
    type=Count(1, 3650),
    default=14,
    show_default=True,
    help="Days a key stays inactive, unused, before it is deleted.",
)
@click.option(
    "--force",
    multiple=True,
    help="Deactivate this key (AKIA…), or remove this user's password, despite recent use.",
)
@_max_actions()
@_plan_option()
@click.option(
    "--confirmed",
    multiple=True,
    metavar="USER",
    help="With --plan: you checked this user's preconditions IAM cannot show (an Identity "
    "Center sign-in, an SSO profile); recorded in the journal (repeatable).",
)
@click.option(
    "--max-plan-age-days",
    type=Count(1, 3650),
    default=30,
    show_default=True,
    help="Refuse a plan whose evidence is older than this.",
)
@reach_options
@click.option("--demo", is_flag=True, help="Walk the demo organization through every stage.")
@quiet_option
@click.pass_context
def retire(ctx: click.Context, /, **params: Any) -> None:
    """Retire IAM users and access keys in stages: deactivate, watch, delete, roll back.

    Each run does the next stage for the selected users (--user) and keys
    (--access-key-id): deactivate idle keys; delete keys inactive and unused for
    --quarantine-days; then back up and delete the user. Dry by default; --apply
    changes AWS and records every action in the journal first. A crashed run resumes
    when run again. See docs/retire.md.

    Exit codes: 0 done or waiting, 1 something refused or failed, 2 bad input,
    3 an account or user could not be read.
    """
    if ctx.invoked_subcommand is not None:
        given = _given_options(ctx, params)
        if given:
            raise click.UsageError(f"{given[0]} goes after `{ctx.invoked_subcommand}`")
        return
    if params["demo"]:
        _demo(ctx, params)
        return
    from keyless.retire import Force, Policy, RetireRequest, Selection
    from keyless.retire import retire as run_retire

    plan = None
    _journal_apart(params)
    if params["plan_path"] is not None:
        from keyless.retire.execute import utc_now
        from keyless.retire.plan import load_plan

        plan = load_plan(
            params["plan_path"], now=utc_now(), max_age_days=params["max_plan_age_days"]
        )
        selection = plan.select(params["users"], params["keys"], params["confirmed"])
    else:
        for name in ("confirmed", "max_plan_age_days"):
            if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT:
                raise click.UsageError(f"--{name.replace('_', '-')} goes with --plan")
        selection = Selection.from_options(params["users"], params["keys"])
    if selection.is_empty:
        raise click.UsageError("name what to retire: --plan, --user, --access-key-id (or --demo)")
    request = RetireRequest(
        selection,
        Policy(
            min_idle_days=params["min_idle_days"],
            quarantine_days=params["quarantine_days"],
            force=Force.parse(params["force"]),
        ),
        apply=params["apply"],
        max_actions=params["max_actions"],
        journal=params["journal"],
        plan=plan,
    )
    reach = _reach(params)
    with counting("users") as progress:
        report = run_retire(request, reach, progress=progress)
    _finish(report, params["output_format"], report.exit_code)


@retire.command()
@_common(None, kind="retire-status")
@click.option(
    "--quarantine-days",
    type=Count(1, 3650),
    default=14,
    show_default=True,
    help="The quarantine the retire runs use.",
)
@click.option(
    "--cloudtrail/--no-cloudtrail",
    default=True,
    show_default=True,
    help="Search CloudTrail (LookupEvents, in --region) for uses of each key.",
)
@_plan_option()
@reach_options
@quiet_option
def status(**params: Any) -> None:
    """Watch the keys out of service: days inactive, quarantine, any use since.

    Exit codes: 0 nothing flagged, 1 a key was used or reactivated since, 2 bad input,
    3 an account or key could not be read.
    """
    from keyless.retire import status as watch

    _journal_apart(params)
    reach, scope = _reach(params), _scope(params)
    with counting("keys") as progress:
        report = watch(
            reach,
            journal_path=params["journal"],
            scope=scope,
            quarantine_days=params["quarantine_days"],
            cloudtrail=params["cloudtrail"],
            progress=progress,
        )
    _finish(report, params["output_format"], report.exit_code)


@retire.command()
@_common("Make the changes (default: a dry run that prints them).", kind="retire")
@_max_actions()
@_plan_option()
@reach_options
@quiet_option
def rollback(**params: Any) -> None:
    """Reactivate the keys keyless deactivated; recreate the users it deleted.

    Without --user or --access-key-id, everything the journal records. What cannot come
    back (a deleted key's secret, a console password, an MFA seed) is listed.

    Exit codes: 0 done, 1 something failed, 2 bad input, 3 an account could not be read.
    """
    from keyless.retire import RollbackRequest
    from keyless.retire import rollback as undo

    _journal_apart(params)
    request = RollbackRequest(
        _scope(params),
        apply=params["apply"],
        max_actions=params["max_actions"],
        journal=params["journal"],
    )
    reach = _reach(params)
    with counting("keys and users") as progress:
        report = undo(request, reach, progress=progress)
    _finish(report, params["output_format"], report.exit_code)


def _journal_apart(params: dict[str, Any]) -> None:
    """Refuse a journal that is the plan it follows: SQLite would write over the plan (or
    fail on it half-way) instead of keeping the record beside it."""
    refuse_own_input(params["journal"], "the journal (--journal)", (params["plan_path"],))


def _scope(params: dict[str, Any]) -> Scope:
    """``--user`` and ``--access-key-id``; with ``--plan``, the plan's users they narrow to
    (a plan of any age: what was done on its account can always be watched and undone)."""
    from keyless.retire import Scope

    if params["plan_path"] is None:
        return Scope.parse(params["users"], params["keys"])
    from keyless.retire.plan import load_plan

    users, keys = load_plan(params["plan_path"]).scope_refs(params["users"], params["keys"])
    return Scope(users, keys)


def _reach(params: dict[str, Any]) -> Reach:
    """The credentials' own account, or with --org the organization's member accounts.
    Option values are checked before anything connects."""
    from keyless.collect.live.account import make_session
    from keyless.collect.options import (
        check_external_id,
        check_member_role,
        check_profile,
        check_region,
    )
    from keyless.retire import OrganizationReach, SessionReach

    # --member-role has a default: whether it was given is asked of click, as --external-id
    # (no default) is known given when it is not None.
    source = click.get_current_context().get_parameter_source("member_role")
    org_only = [
        flag
        for flag, given in (
            ("--member-role", source not in (None, click.core.ParameterSource.DEFAULT)),
            ("--external-id", params["external_id"] is not None),
        )
        if given
    ]
    if org_only and not params["org"]:
        verb = "applies" if len(org_only) == 1 else "apply"
        raise click.UsageError(f"{' and '.join(org_only)} only {verb} with --org")
    # `is not None`: an empty value given (`--region ""`, a variable unset in a script) is
    # refused as `scan` refuses it, never read as "the default".
    given = {name: params[name] for name in ("profile", "region", "external_id")}
    profile = None if given["profile"] is None else check_profile(given["profile"])
    region = None if given["region"] is None else check_region(given["region"])
    member_role = check_member_role(params["member_role"])
    external_id = None if given["external_id"] is None else check_external_id(given["external_id"])
    session = make_session(profile=profile, region=region)
    if params["org"]:
        return OrganizationReach(session, member_role=member_role, external_id=external_id)
    return SessionReach(session)


def _demo(ctx: click.Context, params: dict[str, Any]) -> None:
    allowed = ("--demo", "--format", "--plan")
    chosen = [flag for flag in _given_options(ctx, params) if flag not in allowed]
    if chosen:
        raise click.UsageError(f"--demo runs on its own: not with {', '.join(chosen)}")
    if params["output_format"] != "text":
        raise click.UsageError("--demo prints text")
    from keyless.retire.demo import demo_walk

    with waiting_message("walking the demo organization through every stage"):
        walk = demo_walk(plan_path=params["plan_path"])
    emit(render(walk, Format.TEXT, render_options(None)))
    sys.exit(walk.exit_code)


def _given_options(ctx: click.Context, params: dict[str, Any]) -> list[str]:
    """The options given on the command line (not left at their defaults), as typed."""
    flags = {param.name: param.opts[0] for param in ctx.command.params}
    return [
        flags.get(name, name)
        for name in params
        if ctx.get_parameter_source(name) not in (None, click.core.ParameterSource.DEFAULT)
    ]


def _finish(value: object, output_format: str, exit_code: int) -> None:
    emit(render(value, Format(output_format), render_options(None)))
    sys.exit(exit_code)
