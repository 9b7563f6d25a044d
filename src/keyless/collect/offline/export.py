"""The offline collector: an Inventory from files exported with the AWS CLI.

The layout and the accepted shapes of each file are documented in
``docs/export-format.md``. One directory is one account; a directory whose
subdirectories are named by twelve-digit account IDs is an organization. This path
never imports boto3, and converts a large export without copying its policy documents.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from keyless.collect.formats.auth_details import (
    PAGE_KEYS,
    AuthDetails,
    DetailsError,
    build_users,
    left_out_notes,
)
from keyless.collect.formats.credential_report import CredentialReport, parse_credential_report
from keyless.collect.formats.duplicates import first_duplicate
from keyless.collect.formats.plausible import CLOCK_SKEW, find_foreign_arn
from keyless.collect.formats.providers import (
    ListingError,
    identity_center_instance,
    mfa_by_user,
    oidc_provider,
    saml_provider,
)
from keyless.collect.formats.values import kind
from keyless.errors import InputError, quoted
from keyless.files import read_bytes, read_json
from keyless.model import (
    AVAILABLE,
    Account,
    Dataset,
    DatasetState,
    DatasetStatus,
    IdentityCenter,
    Inventory,
    MfaDevice,
    Organization,
)
from keyless.model.arn import is_account_id, parse_arn

AUTH_DETAILS = "authorization-details.json"
CREDENTIAL_REPORT = "credential-report.csv"
OIDC_PROVIDERS = "oidc-providers.json"
SAML_PROVIDERS = "saml-providers.json"
MFA_DEVICES = "virtual-mfa-devices.json"
ACCOUNT = "account.json"
ORGANIZATION = "organization.json"
IDENTITY_CENTER = "identity-center.json"

_LAYOUT_HINT = (
    f"An export directory holds {AUTH_DETAILS} (aws iam get-account-authorization-details)"
    f" and {CREDENTIAL_REPORT}; an organization export holds one such directory per"
    " account ID. See docs/export-format.md."
)

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
    outline = Inventory(
        tuple(Account(id=child.name) for child in children),
        organization=_organization(root),
        origin="export",
        collected_at=datetime.now(UTC),  # see _load
    )
    return outline, _iter_accounts(children)


#: Every file an export directory (or each per-account directory) may hold.
EXPORT_FILES = (
    AUTH_DETAILS,
    CREDENTIAL_REPORT,
    OIDC_PROVIDERS,
    SAML_PROVIDERS,
    MFA_DEVICES,
    ACCOUNT,
    ORGANIZATION,
    IDENTITY_CENTER,
)


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


def _iter_accounts(children: list[Path]) -> Iterator[Account]:
    for child in children:
        paused = gc.isenabled()
        gc.disable()  # as in load_export
        try:
            account = load_account(child)
        finally:
            if paused:
                gc.enable()
        yield account


def _account_directories(root: Path) -> list[Path] | None:
    """The per-account directories of an organization export, or ``None`` for a single
    account's export. Raises :class:`InputError` when ``root`` is neither."""
    if not root.exists():
        raise InputError("no such file or directory", where=str(root), hint=_LAYOUT_HINT)
    if not root.is_dir():
        raise InputError("an export is a directory, not a file", where=str(root), hint=_LAYOUT_HINT)
    if _present(root / AUTH_DETAILS):
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
    if not children:
        raise InputError(
            f"neither {AUTH_DETAILS} nor per-account directories (named by 12-digit"
            " account ID) found",
            where=str(root),
            hint=_LAYOUT_HINT,
        )
    return children


def _check_unnamed(root: Path) -> None:
    """An account's export in a directory not named by its 12-digit ID (``prod``, an ID
    in other digits) would be skipped, and the organization reported without it: refused."""
    for child in sorted(root.iterdir()):
        if is_account_id(child.name) or not child.is_dir() or child.is_symlink():
            continue
        if _present(child / AUTH_DETAILS):
            raise InputError(
                f"holds {AUTH_DETAILS} but is not named by a 12-digit account ID, so it"
                " would be skipped",
                where=str(child),
                hint="Name each account's directory by its account ID (ASCII digits).",
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
    accounts = tuple(load_account(child) for child in children)
    return Inventory(
        accounts,
        organization=_organization(root),
        origin="export",
        collected_at=collected,
    )


def load_account(directory: Path) -> Account:
    """One account's export directory. See :func:`load_export`."""
    details_path = directory / AUTH_DETAILS
    if not _present(details_path):  # anything but a regular file is refused by read_json
        raise InputError(f"{AUTH_DETAILS} is missing", where=str(directory), hint=_LAYOUT_HINT)
    metadata = _account_metadata(directory / ACCOUNT)
    details = _auth_details(details_path)
    account_id = _account_id(directory, metadata, details)

    sources: dict[Dataset, DatasetStatus] = {Dataset.AUTHORIZATION_DETAILS: AVAILABLE}
    report = _report(directory / CREDENTIAL_REPORT, sources)
    devices = _optional(
        directory / MFA_DEVICES, ("VirtualMFADevices",), Dataset.MFA_DEVICES, sources
    )
    oidc = _optional(
        directory / OIDC_PROVIDERS, ("OpenIDConnectProviderList",), Dataset.OIDC_PROVIDERS, sources
    )
    saml = _optional(
        directory / SAML_PROVIDERS, ("SAMLProviderList",), Dataset.SAML_PROVIDERS, sources
    )
    mfa = _mfa_devices(directory / MFA_DEVICES, devices)
    try:
        users = build_users(details.raw_users, report, mfa, latest=_latest(details_path))
    except DetailsError as error:
        raise InputError(
            f"unreadable user: {error}", where=f"{details_path}#{error.pointer}"
        ) from None
    if report is not None:
        sources[Dataset.CREDENTIAL_REPORT] = report.status_for(users)
    account = Account(
        id=account_id,
        partition=_partition(users, details.roles, details.groups),
        alias=metadata.get("alias"),
        name=metadata.get("name"),
        email=metadata.get("email"),
        users=users,
        groups=tuple(details.groups),
        roles=tuple(details.roles),
        policies=tuple(details.policies),
        oidc_providers=_entries(directory / OIDC_PROVIDERS, oidc, oidc_provider),
        saml_providers=_entries(directory / SAML_PROVIDERS, saml, saml_provider),
        root=report.root if report else None,
        datasets=MappingProxyType(sources),
        collected_at=_mtime(details_path),
        notes=left_out_notes(users, report, mfa),
    )
    # Every ARN, not only the first of each kind that named the account: a snapshot
    # written from this export would be refused as malformed otherwise.
    foreign = find_foreign_arn(account)
    if foreign is not None:
        pointer, value = foreign
        kind, index = pointer.split("/")[1:3]
        raise InputError(
            f"conflicting account IDs: {quoted(value)} ({kind} #{int(index) + 1}) is not of"
            f" account {account_id}",
            where=str(directory),
        )
    return account


def _auth_details(path: Path) -> AuthDetails:
    parsed = read_json(path)
    pages = parsed if isinstance(parsed, list) else [parsed]
    del parsed
    details = AuthDetails(latest=_latest(path))
    for index, page in enumerate(pages):
        _check_page(page, path, index if len(pages) > 1 else None)
        try:
            details.add_page(page, index)
        except DetailsError as error:
            raise InputError(str(error), where=f"{path}#{error.pointer}") from None
        pages[index] = None  # let the rest of the page go as soon as it is converted
    duplicate = first_duplicate(details)
    if duplicate is not None:
        raise InputError(f"{duplicate}: AWS lists each once", where=str(path))
    details.referenced_aws_policies()
    return details


def _present(path: Path) -> bool:
    """Whether a file of the export is there; a symbolic link to nothing (or to itself) is
    refused, naming its target: it is no absent file, and "not in the export" would send
    the user looking in the wrong place."""
    if path.exists():
        return True
    if path.is_symlink():
        raise InputError(
            f"is a symbolic link to {quoted(os.readlink(path))}, which does not exist",
            where=str(path),
        )
    return False


def _check_page(page: Any, path: Path, index: int | None) -> None:
    if isinstance(page, dict) and any(key in page for key in PAGE_KEYS):
        return
    what = _describe(page)
    where = f"{path}#/{index}" if index is not None else str(path)
    raise InputError(
        f"not the output of `aws iam get-account-authorization-details`: {what}",
        where=where,
        hint=f"Expected an object with {', '.join(PAGE_KEYS)} (or a list of such pages).",
    )


def _describe(document: Any) -> str:
    """What a wrong document looks like, to help the user see what they passed."""
    if not isinstance(document, dict):
        return f"the document is a JSON {type(document).__name__}"
    if "Statement" in document:
        return "it looks like a policy document (a trust or permissions policy)"
    for key, command in (
        ("Users", "aws iam list-users"),
        ("Roles", "aws iam list-roles"),
        ("Groups", "aws iam list-groups"),
        ("Policies", "aws iam list-policies"),
        ("Accounts", "aws organizations list-accounts"),
    ):
        if key in document:
            return f"it looks like the output of `{command}`"
    keys = ", ".join(sorted(document)[:5])
    return f"it has none of the expected keys (found: {keys or 'nothing'})"


def _report(path: Path, sources: dict[Dataset, DatasetStatus]) -> CredentialReport | None:
    if not _present(path):
        missing = DatasetStatus(DatasetState.MISSING, f"{CREDENTIAL_REPORT} not in the export")
        sources[Dataset.CREDENTIAL_REPORT] = sources[Dataset.ROOT] = missing
        return None
    content = read_bytes(path, "the credential report")
    report = parse_credential_report(content, where=str(path), latest=_latest(path))
    sources[Dataset.CREDENTIAL_REPORT] = AVAILABLE
    sources[Dataset.ROOT] = report.root_status
    return report


@dataclass(frozen=True, slots=True)
class _Listing:
    """The entries of an optional listing file and the JSON pointer to their list."""

    entries: list[Any]
    pointer: str


def _optional(
    path: Path, keys: tuple[str, ...], source: Dataset, sources: dict[Dataset, DatasetStatus]
) -> _Listing | None:
    """The entries of an optional listing file: the CLI output (an object with the
    listing key) or a bare list of entries. ``None`` (and the source MISSING) if absent."""
    if not _present(path):
        sources[source] = DatasetStatus(DatasetState.MISSING, f"{path.name} not in the export")
        return None
    parsed = read_json(path)
    pointer = ""
    if isinstance(parsed, dict):
        found = next((key for key in keys if key in parsed), None)
        if found is None:
            raise InputError(
                f"expected an object with {' or '.join(keys)} or a list: {_describe(parsed)}",
                where=str(path),
            )
        parsed, pointer = parsed[found], f"/{found}"
    if not isinstance(parsed, list) or not all(isinstance(e, dict) for e in parsed):
        raise InputError(f"expected a list of objects under {keys[0]}", where=str(path))
    sources[source] = AVAILABLE
    return _Listing(parsed, pointer)


def _mfa_devices(
    path: Path, listing: _Listing | None
) -> Mapping[str, tuple[MfaDevice, ...]] | None:
    if listing is None:
        return None
    try:
        return mfa_by_user(listing.entries, latest=_latest(path))
    except ListingError as error:
        raise InputError(str(error), where=f"{path}#{listing.pointer}/{error.index}") from None


def _entries(path: Path, listing: _Listing | None, convert: Any) -> tuple[Any, ...]:
    if not listing:
        return ()
    latest = _latest(path)
    converted = []
    for index, entry in enumerate(listing.entries):
        try:
            converted.append(convert(entry, latest=latest))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            reason = f"missing field {error}" if isinstance(error, KeyError) else str(error)
            raise InputError(reason, where=f"{path}#{listing.pointer}/{index}") from None
    return tuple(converted)


def _account_metadata(path: Path) -> Mapping[str, str]:
    """``account.json``: ``{"id", "alias", "name", "email"}`` (all optional); the outputs
    of ``aws sts get-caller-identity`` (``Account``) and ``aws iam list-account-aliases``
    (``AccountAliases``) are accepted too, alone or merged into one object."""
    if not _present(path):
        return {}
    parsed = read_json(path)
    if not isinstance(parsed, dict):
        raise InputError(f"expected a JSON object, found {_describe(parsed)}", where=str(path))
    aliases = parsed.get("AccountAliases") or [None]
    if not isinstance(aliases, list):
        raise InputError(f"AccountAliases must be a list, found {kind(aliases)}", where=str(path))
    found = {
        "id": parsed.get("id") or parsed.get("Id") or parsed.get("Account"),
        "alias": parsed.get("alias") or aliases[0],
        "name": parsed.get("name") or parsed.get("Name"),
        "email": parsed.get("email") or parsed.get("Email"),
    }
    for key, value in found.items():
        if value is not None and not isinstance(value, str):
            raise InputError(f"{key} must be a string, found {kind(value)}", where=str(path))
    return {key: value for key, value in found.items() if value}


def _account_id(directory: Path, metadata: Mapping[str, str], details: AuthDetails) -> str:
    candidates = {
        "account.json": metadata.get("id"),
        "the directory name": directory.name if is_account_id(directory.name) else None,
        "the ARNs in " + AUTH_DETAILS: details.account_id,
    }
    known = {where: value for where, value in candidates.items() if value}
    if not known:
        raise InputError(
            "cannot tell which account this is: no account ID in account.json, the"
            " directory name or any ARN",
            where=str(directory),
            hint='Add account.json with {"id": "123456789012"}.',
        )
    if len(set(known.values())) > 1:
        listed = ", ".join(f"{value} from {where}" for where, value in known.items())
        raise InputError(f"conflicting account IDs: {listed}", where=str(directory))
    account_id = next(iter(known.values()))
    if not is_account_id(account_id):
        raise InputError(f"{quoted(account_id)} is not a 12-digit account ID", where=str(directory))
    return account_id


def _organization(root: Path) -> Organization | None:
    """``organization.json``: ``{"id", "management_account_id"}`` or the output of
    ``aws organizations describe-organization``; with Identity Center's instance from
    ``identity-center.json`` when the export has it."""
    center, center_state = _identity_center(root / IDENTITY_CENTER)
    path = root / ORGANIZATION
    if not _present(path):
        # A directory of account exports is an organization even without its metadata:
        # cross-account checks (people duplicated across accounts) still apply.
        return Organization("", "", identity_center=center, identity_center_state=center_state)
    parsed = read_json(path)
    if isinstance(parsed, dict) and isinstance(parsed.get("Organization"), dict):
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
    listing = _optional(path, ("Instances",), Dataset.IDENTITY_CENTER, sources)
    if listing is None:
        return None, _NO_IDENTITY_CENTER
    # An organization has at most one organization instance; the live collector also
    # takes the first.
    instances = _entries(path, listing, identity_center_instance)
    return (instances[0] if instances else None), AVAILABLE


def _latest(path: Path) -> datetime:
    """The latest date ``path`` can hold: when it was written, give or take clock skew.
    A later date is refused (see keyless.collect.formats.plausible)."""
    return (_mtime(path) or datetime.now(UTC)) + CLOCK_SKEW


def _partition(*entries: Iterable[Any]) -> str:
    """The partition the account's own ARNs name (``aws`` when none does): the export has
    no field for it, and a GovCloud or China account's root ARN, member role and generated
    policies are written in its partition."""
    for group in entries:
        for entry in group:
            parsed = parse_arn(entry.arn)
            if parsed is not None and parsed.partition:
                return parsed.partition
    return "aws"


def _mtime(path: Path) -> datetime | None:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        return None
