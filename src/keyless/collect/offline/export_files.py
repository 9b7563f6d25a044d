"""The files of an offline export: their names, and the readers every part of the loader
shares (is a file there, an optional listing file, its entries converted, the dates a file
can hold). The layout is documented in ``docs/export-format.md``."""

from __future__ import annotations

import errno
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from keyless.collect.formats.plausible import CLOCK_SKEW
from keyless.errors import InputError, quoted
from keyless.files import read_json
from keyless.model import AVAILABLE, Dataset, DatasetState, DatasetStatus

AUTH_DETAILS = "authorization-details.json"
CREDENTIAL_REPORT = "credential-report.csv"
OIDC_PROVIDERS = "oidc-providers.json"
SAML_PROVIDERS = "saml-providers.json"
MFA_DEVICES = "virtual-mfa-devices.json"
ACCOUNT = "account.json"
ORGANIZATION = "organization.json"
IDENTITY_CENTER = "identity-center.json"
ACCOUNTS = "accounts.json"

LAYOUT_HINT = (
    f"An export directory holds {AUTH_DETAILS} (aws iam get-account-authorization-details)"
    f" and {CREDENTIAL_REPORT}; an organization export holds one such directory per"
    " account ID. See docs/export-format.md."
)


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
    ACCOUNTS,
)


def is_present(path: Path) -> bool:
    """Whether a file of the export is there; a symbolic link to nothing, or in a loop of
    links (to itself), is refused naming its target: it is no absent file, and "not in the
    export" would send the user looking in the wrong place. What cannot be looked up (a
    directory the user may not enter) is refused saying why."""
    try:
        path.stat()
    except (FileNotFoundError, NotADirectoryError):
        if path.is_symlink():
            raise InputError(
                f"is a symbolic link to {quoted(os.readlink(path))}, which does not exist",
                where=str(path),
            ) from None
        return False
    except OSError as error:
        if error.errno == errno.ELOOP and path.is_symlink():
            raise InputError(
                f"is a symbolic link to {quoted(os.readlink(path))} that never reaches a"
                " file (a loop of symbolic links, or a chain too long to follow)",
                where=str(path),
            ) from None
        raise InputError(f"cannot be read ({error.strerror})", where=str(path)) from None
    return True


def describe_document(document: Any) -> str:
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


@dataclass(frozen=True, slots=True)
class Listing:
    """The entries of an optional listing file and the JSON pointer to their list."""

    entries: list[Any]
    pointer: str


def read_listing(
    path: Path, keys: tuple[str, ...], source: Dataset, sources: dict[Dataset, DatasetStatus]
) -> Listing | None:
    """The entries of an optional listing file: the CLI output (an object with the
    listing key) or a bare list of entries. ``None`` (and the source MISSING) if absent."""
    if not is_present(path):
        sources[source] = DatasetStatus(DatasetState.MISSING, f"{path.name} not in the export")
        return None
    parsed = read_json(path)
    pointer = ""
    if isinstance(parsed, dict):
        found = next((key for key in keys if key in parsed), None)
        if found is None:
            raise InputError(
                f"expected an object with {' or '.join(keys)} or a list: "
                f"{describe_document(parsed)}",
                where=str(path),
            )
        more = continued(parsed)
        if more is not None:  # list-virtual-mfa-devices is paged
            sources[source] = DatasetStatus(
                DatasetState.MISSING,
                f"{path.name} is one page of several ({more}): the entries of the pages"
                " after it are not in the file; list them whole (without --max-items or"
                " --no-paginate)",
            )
            return None
        parsed, pointer = parsed[found], f"/{found}"
    if not isinstance(parsed, list) or not all(isinstance(e, dict) for e in parsed):
        raise InputError(f"expected a list of objects under {keys[0]}", where=str(path))
    sources[source] = AVAILABLE
    return Listing(parsed, pointer)


def continued(page: Mapping[str, Any]) -> str | None:
    """What says that pages follow ``page`` (the API's ``IsTruncated``, the CLI's
    ``NextToken`` under ``--max-items``), or None. IAM's ``Marker`` says so too, whatever
    ``IsTruncated`` says beside it: it is "present when IsTruncated is true" and names
    where the next page starts
    (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html)."""
    if page.get("IsTruncated") not in (None, False):
        return f"IsTruncated: {orjson.dumps(page['IsTruncated']).decode()[:32]}"
    if page.get("NextToken") is not None:
        return "NextToken"
    if page.get("Marker") is not None:
        return "Marker"
    return None


def converted_entries(path: Path, listing: Listing | None, convert: Any) -> tuple[Any, ...]:
    if not listing:
        return ()
    latest = latest_date(path)
    converted = []
    for index, entry in enumerate(listing.entries):
        try:
            converted.append(convert(entry, latest=latest))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            reason = f"missing field {error}" if isinstance(error, KeyError) else str(error)
            raise InputError(reason, where=f"{path}#{listing.pointer}/{index}") from None
    return tuple(converted)


def latest_date(path: Path) -> datetime:
    """The latest date ``path`` can hold: when it was written, give or take clock skew.
    A later date is refused (see keyless.collect.formats.plausible)."""
    return (modified_at(path) or datetime.now(UTC)) + CLOCK_SKEW


def modified_at(path: Path) -> datetime | None:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        return None
