"""What to read: the options that choose a source, shared by ``scan`` and ``collect``,
turned into an :class:`~keyless.collect.origin.InventorySpec` and loaded with a progress
bar or a waiting message on a terminal."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import click

from keyless.cli.numbers import Count
from keyless.cli.paths import DirectoryPath, FilePath
from keyless.collect.origin import InventorySpec, Origin
from keyless.errors import quoted

if TYPE_CHECKING:
    from keyless.model import Account, Inventory

F = TypeVar("F", bound=Callable[..., Any])


def split_list(values: tuple[str, ...]) -> tuple[str, ...]:
    """``--accounts a,b --accounts c`` as ``(a, b, c)``: repeated and comma-separated."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


#: ``--now`` from AWS's launch to far enough ahead; outside it date arithmetic overflows.
EARLIEST_NOW = datetime(2006, 1, 1, tzinfo=UTC)
LATEST_NOW = datetime(9000, 1, 1, tzinfo=UTC)


def parse_moment(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    """``--now``: an ISO 8601 date or date and time (``2025-01-31``,
    ``2025-01-31T08:00:00Z``); one without an offset is UTC."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{quoted(value)} is not an ISO 8601 date or time (such as 2025-01-31T08:00:00Z)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if not EARLIEST_NOW <= moment <= LATEST_NOW:
        raise click.BadParameter(f"{quoted(value)} is not between 2006 and 9000")
    return moment.astimezone(UTC)


def source_options(*, snapshot: bool = True) -> Callable[[F], F]:
    """The options that choose what to read, shared by ``scan`` and ``collect``
    (``collect`` reads an estate, so it does not offer ``--snapshot``)."""
    options = [
        click.option("--demo", is_flag=True, help="Scan the built-in demo organization."),
        click.option(
            "--input",
            "input_dir",
            type=DirectoryPath(exists=True),
            help="An offline export directory (or a directory of them, one per account).",
        ),
        *(
            [
                click.option(
                    "--snapshot",
                    type=FilePath(exists=True),
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
            type=Count(1, 64),
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


def _given(name: str) -> bool:
    """Was the option ``name`` given on the command line (or by its environment variable),
    not left at its default? False outside a click command."""
    context = click.get_current_context(silent=True)
    if context is None:
        return False
    source = context.get_parameter_source(name)
    return source not in (None, click.core.ParameterSource.DEFAULT)


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
            # It has a default: whether it was given is asked of click.
            ("--member-role", _given("member_role")),
        )
        if given
    ]
    if org_only and not params["org"]:
        verb = "applies" if len(org_only) == 1 else "apply"
        raise click.UsageError(f"{', '.join(org_only)} only {verb} with --org")
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
        accounts=split_list(params["accounts"]),
        exclude_accounts=split_list(params["exclude_accounts"]),
        max_workers=params["max_workers"],
    )


def load(spec: InventorySpec) -> Inventory:
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


@contextlib.contextmanager
def streamed(spec: InventorySpec) -> Iterator[tuple[Inventory, Iterable[Account]]]:
    """The estate's outline and its accounts one at a time
    (:func:`~keyless.collect.origin.stream_inventory`), with the same progress bar or
    waiting message as :func:`load`, shown while the caller reads the accounts."""
    from keyless.cli.progress import progress_reporter, waiting_message
    from keyless.collect.origin import stream_inventory

    if spec.kind is Origin.ORGANIZATION:
        with progress_reporter() as progress:
            estate = stream_inventory(spec, progress=progress)
        yield estate
        return
    first = {
        Origin.LIVE: "contacting AWS",
        Origin.DEMO: "seeding the demo organization in the AWS emulator",
    }.get(spec.kind, f"reading {_printable(str(spec.path))}")
    with waiting_message(first) as step:
        yield stream_inventory(spec, on_step=step)


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
    from keyless.render.untrusted import printable

    return printable(text)
