"""The offline collector: an Inventory from files exported with the AWS CLI.

The layout and the accepted shapes of each file are documented in
``docs/export-format.md``. One directory is one account (:mod:`.account` loads it); a
directory whose subdirectories are named by twelve-digit account IDs is an organization,
walked here. This path never imports boto3, and converts a large export without copying
its policy documents.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from keyless.collect.formats.members import MemberAccount, UnreadableAnswer, member_accounts
from keyless.collect.formats.names import name_problem
from keyless.collect.formats.providers import identity_center_instance
from keyless.collect.offline.account import load_account
from keyless.collect.offline.export_files import (
    ACCOUNTS,
    AUTH_DETAILS,
    EXPORT_FILES,
    IDENTITY_CENTER,
    LAYOUT_HINT,
    ORGANIZATION,
    continued,
    converted_entries,
    is_present,
    read_listing,
)
from keyless.errors import InputError
from keyless.files import read_json
from keyless.model import (
    AVAILABLE,
    Account,
    AccountStatus,
    Dataset,
    DatasetState,
    DatasetStatus,
    IdentityCenter,
    Inventory,
    Organization,
)
from keyless.model.arn import is_account_id

__all__ = ["EXPORT_FILES", "export_files", "load_account", "load_export", "stream_export"]

#: Without identity-center.json an export does not say whether Identity Center exists,
#: so its check is "not evaluated", never a false "missing".
_NO_IDENTITY_CENTER = DatasetStatus(
    DatasetState.MISSING,
    f"the export has no {IDENTITY_CENTER} (aws sso-admin list-instances, management account)",
)


def load_export(path: str | Path) -> Inventory:
    """Load one account's export directory, or an organization's directory of them.

    Raises :class:`InputError` naming the file and what is wrong with it.
    """
    # Converting creates no reference cycles, but every allocation of the conversion
    # would let the cyclic GC walk the millions of parsed containers again: on a 100 MB
    # export that is most of the load time. Paused here, restored whatever happens.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _load(Path(path))
    finally:
        if paused:
            gc.enable()


def stream_export(path: str | Path) -> tuple[Inventory, Iterator[Account]]:
    """An export as its outline and its accounts one at a time: the outline is the
    organization and every account by ID alone (from the directory names); the iterator
    loads each account's directory when asked, so one account is held at a time.

    A single account's directory is loaded whole and is its own outline. Errors as
    :func:`load_export`, raised when the account at fault is reached.
    """
    root = Path(path)
    children = _account_directories(root)
    if children is None:
        inventory = _load_frozen(root)
        return inventory, iter(inventory.accounts)
    members = _members(root, children)
    left_out = _left_out(members, children)
    outline = Inventory(
        (*(Account(id=child.name) for child in children), *left_out),
        organization=_organization(root),
        origin="export",
        collected_at=datetime.now(UTC),  # see _load
    )
    return outline, _iter_accounts(children, members, left_out)


def export_files(root: Path) -> tuple[Path, ...]:
    """The files of the export at ``root`` that keyless reads and that exist: at its top
    and in each per-account directory. An output must not be written over one of them."""
    directories = [root]
    with contextlib.suppress(OSError):  # reading the export reports it
        directories += sorted(p for p in root.iterdir() if p.is_dir() and is_account_id(p.name))
    return tuple(
        directory / name
        for directory in directories
        for name in EXPORT_FILES
        if (directory / name).exists()
    )


def _load_frozen(root: Path) -> Inventory:
    """:func:`load_export` of a single account's directory, whose account is then moved
    out of the cyclic GC's reach (``gc.freeze()``) before the GC resumes.

    The outline is the account here, held until the caller is done with it (``keyless
    scan`` freezes it too). Resumed first, the GC's next allocation would start a
    collection of the youngest generation, which then holds everything just loaded:
    a walk over the whole account (0.1-0.2 s on the messy benchmark export) that frees
    nothing, since converting makes no reference cycles. Freezing moves the objects in
    one step without walking them; they are still freed by reference counting.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        inventory = _load(root)
        if paused:
            gc.freeze()
        return inventory
    finally:
        if paused:
            gc.enable()


def _iter_accounts(
    children: list[Path], members: dict[str, MemberAccount], left_out: tuple[Account, ...]
) -> Iterator[Account]:
    for child in children:
        paused = gc.isenabled()
        gc.disable()  # as in load_export
        try:
            account = _named(load_account(child), members)
        finally:
            if paused:
                gc.enable()
        yield account
    yield from left_out


def _account_directories(root: Path) -> list[Path] | None:
    """The per-account directories of an organization export, or ``None`` for a single
    account's export. Raises :class:`InputError` when ``root`` is neither."""
    if not root.exists():
        raise InputError("no such file or directory", where=str(root), hint=LAYOUT_HINT)
    if not root.is_dir():
        raise InputError("an export is a directory, not a file", where=str(root), hint=LAYOUT_HINT)
    if is_present(root / AUTH_DETAILS):
        return None
    try:
        children = sorted(p for p in root.iterdir() if p.is_dir() and is_account_id(p.name))
        _check_unnamed(root)
    except OSError as error:
        raise InputError(f"cannot read the directory: {error.strerror}", where=str(root)) from None
    for child in children:
        if child.is_symlink():
            # Met while walking the export: followed, it would read outside the root named.
            raise InputError(
                "an account directory that is a symbolic link is not followed",
                where=str(child),
                hint="Copy the account's export into the organization's directory.",
            )
    if children:
        _check_not_directories(root)
    if not children:
        raise InputError(
            f"neither {AUTH_DETAILS} nor per-account directories (named by 12-digit"
            " account ID) found",
            where=str(root),
            hint=LAYOUT_HINT,
        )
    return children


def _check_unnamed(root: Path) -> None:
    """An account's export in a directory not named by its 12-digit ID (``prod``, an ID
    in other digits) would be skipped, and the organization reported without it: refused."""
    for child in sorted(root.iterdir()):
        if is_account_id(child.name) or not child.is_dir() or child.is_symlink():
            continue
        if is_present(child / AUTH_DETAILS):
            raise InputError(
                f"holds {AUTH_DETAILS} but is not named by a 12-digit account ID, so it"
                " would be skipped",
                where=str(child),
                hint="Name each account's directory by its account ID (ASCII digits).",
            )


def _check_not_directories(root: Path) -> None:
    """An entry of an organization export named by an account ID that is no directory (a
    file, a FIFO, a symbolic link to nothing or to itself: an account's export saved or
    unpacked wrong) was skipped, and the organization reported without that account, as
    if it had none: refused, naming it."""
    try:
        entries = sorted(root.iterdir())
    except OSError as error:
        raise InputError(f"cannot read the directory: {error.strerror}", where=str(root)) from None
    for child in entries:
        if not is_account_id(child.name) or child.is_dir():
            continue
        if child.is_symlink() and not child.exists():
            kind = "a symbolic link to nothing (or to itself)"
        elif child.is_symlink():
            kind = "a symbolic link to a file"
        elif child.is_file():
            kind = "a file"
        else:
            kind = "not a regular file (a FIFO, device or socket)"
        raise InputError(
            f"is named by an account ID but is {kind}, not the account's export directory,"
            " so the account would be skipped",
            where=str(child),
            hint="Put each account's export files in a directory named by its account ID.",
        )


def _load(root: Path) -> Inventory:
    # An export is collected when keyless reads it: the moment `scan --input` measures ages
    # against, so that a snapshot `collect --input` writes is judged as that scan was.
    # File times say when the files were last copied as often as when AWS was read; each
    # account keeps its files' time (``Account.collected_at``), which bounds its dates.
    collected = datetime.now(UTC)
    children = _account_directories(root)
    if children is None:
        account = load_account(root)
        return Inventory((account,), origin="export", collected_at=collected)
    members = _members(root, children)
    accounts = tuple(_named(load_account(child), members) for child in children)
    return Inventory(
        (*accounts, *_left_out(members, children)),
        organization=_organization(root),
        origin="export",
        collected_at=collected,
    )


def _organization(root: Path) -> Organization | None:
    """``organization.json``: ``{"id", "management_account_id"}`` or the output of
    ``aws organizations describe-organization``; with Identity Center's instance from
    ``identity-center.json`` when the export has it."""
    center, center_state = _identity_center(root / IDENTITY_CENTER)
    path = root / ORGANIZATION
    if not is_present(path):
        # A directory of account exports is an organization even without its metadata:
        # cross-account checks (people duplicated across accounts) still apply.
        return Organization("", "", identity_center=center, identity_center_state=center_state)
    parsed = read_json(path)
    fields = {"id": "/id", "management_account_id": "/management_account_id"}
    if isinstance(parsed, dict) and isinstance(parsed.get("Organization"), dict):
        fields = {
            "id": "/Organization/Id",
            "management_account_id": "/Organization/MasterAccountId",
        }
        parsed = {
            "id": parsed["Organization"].get("Id"),
            "management_account_id": parsed["Organization"].get("MasterAccountId"),
        }
    if (
        not isinstance(parsed, dict)
        or not isinstance(parsed.get("id"), str)
        or not isinstance(parsed.get("management_account_id"), str)
    ):
        raise InputError(
            'expected {"id": ..., "management_account_id": ...} or the output of'
            " `aws organizations describe-organization`",
            where=str(path),
        )
    # Held to AWS's grammars: the ID names the organization in reports and decides which
    # shards merge; the management account is judged by the organization's checks.
    for (key, pointer), grammar in zip(
        fields.items(), ("OrganizationId", "AccountId"), strict=True
    ):
        problem = name_problem(grammar, parsed[key])
        if problem is not None:
            raise InputError(problem, where=f"{path}#{pointer}")
    return Organization(
        parsed["id"],
        parsed["management_account_id"],
        identity_center=center,
        identity_center_state=center_state,
    )


def _identity_center(path: Path) -> tuple[IdentityCenter | None, DatasetStatus]:
    """``identity-center.json``, the output of ``aws sso-admin list-instances`` in the
    management (or delegated administrator) account: no instance listed means the
    organization has none. Absent, whether one exists is unknown."""
    sources: dict[Dataset, DatasetStatus] = {}
    listing = read_listing(path, ("Instances",), Dataset.IDENTITY_CENTER, sources)
    if listing is None:
        return None, _NO_IDENTITY_CENTER
    # An organization has at most one organization instance; the live collector also
    # takes the first.
    instances = converted_entries(path, listing, identity_center_instance)
    return (instances[0] if instances else None), AVAILABLE


def _members(root: Path, children: list[Path]) -> dict[str, MemberAccount]:
    """``accounts.json``, the output of ``aws organizations list-accounts``: the
    organization's accounts by ID (empty without the file). An account directory the
    listing does not hold is refused: the export mixes organizations, or the listing is
    older than the account."""
    path = root / ACCOUNTS
    if not is_present(path):
        return {}
    parsed = read_json(path)
    pages = (
        parsed
        if isinstance(parsed, list) and all(isinstance(p, dict) and "Accounts" in p for p in parsed)
        else [parsed if isinstance(parsed, dict) else {"Accounts": parsed}]
    )
    if not pages or not all(isinstance(page, dict) and "Accounts" in page for page in pages):
        raise InputError(
            "expected the output of `aws organizations list-accounts` (an object with"
            " Accounts, or the list of accounts)",
            where=str(path),
        )
    more = continued(pages[-1])
    if more is not None:
        raise InputError(
            f"one page of several ({more}): the organization's other accounts are not in it",
            where=str(path),
            hint="List them whole: `aws organizations list-accounts --output json`.",
        )
    try:
        members = {member.id: member for member in member_accounts(pages)}
    except UnreadableAnswer as error:
        raise InputError(
            f"not the output of `aws organizations list-accounts`: {error.what}",
            where=str(path),
        ) from None
    unlisted = [child.name for child in children if child.name not in members]
    if unlisted:
        raise InputError(
            f"the export has a directory for {', '.join(unlisted[:5])}"
            f"{f' and {len(unlisted) - 5} more' if len(unlisted) > 5 else ''}, which"
            f" {ACCOUNTS} does not list: the export mixes organizations, or the listing is"
            " older than the account",
            where=str(path),
            hint="Export the listing again with `aws organizations list-accounts`.",
        )
    return members


def _left_out(members: dict[str, MemberAccount], children: list[Path]) -> tuple[Account, ...]:
    """The accounts ``accounts.json`` lists that the export has no directory for: unread
    (exit 3) when active or when what the listing says of them cannot be kept, skipped
    when suspended or closed, as a live ``--org`` scan records them."""
    exported = {child.name for child in children}
    left_out = []
    for member in members.values():
        if member.id in exported:
            continue
        if member.unreadable is not None:
            status, reason = AccountStatus.FAILED, member.unreadable
        elif member.is_active:
            status = AccountStatus.FAILED
            reason = (
                f"{ACCOUNTS} lists the account as ACTIVE but the export has no directory for it"
            )
        else:
            status = AccountStatus.SKIPPED
            reason = f"account is {member.state} in AWS Organizations"
        left_out.append(
            Account(id=member.id, name=member.name, email=member.email, status=status, error=reason)
        )
    return tuple(sorted(left_out, key=lambda account: account.id))


def _named(account: Account, members: dict[str, MemberAccount]) -> Account:
    """``account`` with the name and email the listing gives when its own files give none."""
    member = members.get(account.id)
    if member is None:
        return account
    name, email = account.name or member.name, account.email or member.email
    if (name, email) == (account.name, account.email):
        return account
    return dataclasses.replace(account, name=name, email=email)
