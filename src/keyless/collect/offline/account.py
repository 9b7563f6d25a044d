"""One account's export directory as an :class:`~keyless.model.Account`: its
authorization details, credential report, optional MFA device and provider listings, and
account metadata (``docs/export-format.md``). :mod:`.export` walks an export (one account,
or an organization's directory of them) and calls :func:`load_account` for each."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Mapping
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
from keyless.collect.formats.names import name_problem
from keyless.collect.formats.plausible import (
    find_arn_outside_grammar,
    find_foreign_arn,
    find_listed_twice,
    find_misnamed_arn,
)
from keyless.collect.formats.providers import (
    ListingError,
    mfa_by_user,
    oidc_provider,
    saml_provider,
)
from keyless.collect.formats.values import kind
from keyless.collect.offline.export_files import (
    ACCOUNT,
    AUTH_DETAILS,
    CREDENTIAL_REPORT,
    LAYOUT_HINT,
    MFA_DEVICES,
    OIDC_PROVIDERS,
    SAML_PROVIDERS,
    Listing,
    continued,
    converted_entries,
    describe_document,
    is_present,
    latest_date,
    modified_at,
    read_listing,
)
from keyless.duplicate_keys import parse_json
from keyless.encodings import as_utf8
from keyless.errors import InputError, quoted
from keyless.files import read_bytes, read_json
from keyless.model import (
    AVAILABLE,
    Account,
    Dataset,
    DatasetState,
    DatasetStatus,
    MfaDevice,
)
from keyless.model.arn import is_account_id, parse_arn


def load_account(directory: Path) -> Account:
    """One account's export directory. See :func:`load_export`."""
    details_path = directory / AUTH_DETAILS
    if not is_present(details_path):  # anything but a regular file is refused by read_json
        raise InputError(f"{AUTH_DETAILS} is missing", where=str(directory), hint=LAYOUT_HINT)
    metadata = _account_metadata(directory / ACCOUNT)
    details, incomplete = _auth_details(details_path)
    account_id = _account_id(directory, metadata, details)

    sources: dict[Dataset, DatasetStatus] = {Dataset.AUTHORIZATION_DETAILS: AVAILABLE}
    if incomplete:
        # Never analyse half an account as if it were whole (as the live collector does
        # when a page fails): a list the file does not hold is not an empty one.
        sources[Dataset.AUTHORIZATION_DETAILS] = DatasetStatus(DatasetState.MISSING, incomplete)
        details = AuthDetails(account_id=details.account_id)
    report = _report(directory / CREDENTIAL_REPORT, sources)
    devices = read_listing(
        directory / MFA_DEVICES, ("VirtualMFADevices",), Dataset.MFA_DEVICES, sources
    )
    oidc = read_listing(
        directory / OIDC_PROVIDERS, ("OpenIDConnectProviderList",), Dataset.OIDC_PROVIDERS, sources
    )
    saml = read_listing(
        directory / SAML_PROVIDERS, ("SAMLProviderList",), Dataset.SAML_PROVIDERS, sources
    )
    mfa = _mfa_devices(directory / MFA_DEVICES, devices)
    try:
        users = build_users(
            details.raw_users,
            report,
            mfa,
            latest=latest_date(details_path),
            details_read=not incomplete,
        )
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
        oidc_providers=converted_entries(directory / OIDC_PROVIDERS, oidc, oidc_provider),
        saml_providers=converted_entries(directory / SAML_PROVIDERS, saml, saml_provider),
        root=report.root if report else None,
        datasets=MappingProxyType(sources),
        collected_at=modified_at(details_path),
        notes=left_out_notes(users, report, mfa),
    )
    misnamed = find_misnamed_arn(account)
    if misnamed is not None:
        pointer, what = misnamed
        kind, index = pointer.split("/")[1:3]
        raise InputError(f"{what} ({kind} #{int(index) + 1})", where=str(details_path))
    # Not an ARN of its kind at all (`deploy`): it names no account, so the check of
    # conflicting account IDs below would pass it by.
    outside = find_arn_outside_grammar(account)
    if outside is not None:
        pointer, what = outside
        kind, index = pointer.split("/")[1:3]
        raise InputError(f"{what} ({kind} #{int(index) + 1})", where=str(details_path))
    # An identity provider listed twice (the lists of the authorization details were
    # checked as they were read): which copy the checks take would be the reader's choice.
    twice = find_listed_twice(account)
    if twice is not None:
        pointer, what = twice
        listing = {"/oidc_providers": OIDC_PROVIDERS, "/saml_providers": SAML_PROVIDERS}
        name = next((f for p, f in listing.items() if pointer.startswith(p + "/")), AUTH_DETAILS)
        raise InputError(f"{what}: AWS lists each once", where=str(directory / name))
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


def _auth_details(path: Path) -> tuple[AuthDetails, str | None]:
    """The file's details, and why they are not the whole account's (None: they are)."""
    parsed = read_json(path)
    pages = parsed if isinstance(parsed, list) else [parsed]
    del parsed
    details = AuthDetails(latest=latest_date(path))
    unlisted: dict[str, None] = {}
    last: str | None = None
    for index, page in enumerate(pages):
        _check_page(page, path, index if len(pages) > 1 else None)
        # AWS answers every page with all four lists, empty ones included (a --filter
        # leaves them empty); a list that is absent or null was never exported.
        unlisted.update((key, None) for key in PAGE_KEYS if page.get(key) is None)
        last = continued(page)
        try:
            details.add_page(page, index)
        except DetailsError as error:
            raise InputError(str(error), where=f"{path}#{error.pointer}") from None
        pages[index] = None  # let the rest of the page go as soon as it is converted
    duplicate = first_duplicate(details)
    if duplicate is not None:
        raise InputError(f"{duplicate}: AWS lists each once", where=str(path))
    details.referenced_aws_policies()
    if not pages:
        # `[]`: no page at all (the API answers every call with one, so the CLI never
        # writes this); an account without users, groups, roles or policies would be a
        # page of four empty lists. Read as such, every user check passed silently.
        return details, (
            f"{AUTH_DETAILS} is an empty list, no page of"
            " `aws iam get-account-authorization-details`: its users, groups, roles and"
            f" policies are not scanned; export it whole ({_WHOLE})"
        )
    if unlisted:
        return details, (
            f"{AUTH_DETAILS} holds no {', '.join(unlisted)} (a page of"
            " `aws iam get-account-authorization-details` always has all four lists, empty or"
            " not): its users, groups, roles and policies are not scanned; export it whole"
            f" ({_WHOLE})"
        )
    if last is not None:
        return details, (
            f"{AUTH_DETAILS} ends with a page that says more follow ({last}): the users,"
            " groups, roles and policies of the pages after it are not in the file, so none"
            f" is scanned; export it whole ({_WHOLE})"
        )
    return details, None


_WHOLE = (
    "`aws iam get-account-authorization-details --output json`, without --query,"
    " --max-items or --no-paginate"
)


def _check_page(page: Any, path: Path, index: int | None) -> None:
    if isinstance(page, dict) and any(key in page for key in PAGE_KEYS):
        return
    what = describe_document(page)
    where = f"{path}#/{index}" if index is not None else str(path)
    raise InputError(
        f"not the output of `aws iam get-account-authorization-details`: {what}",
        where=where,
        hint=f"Expected an object with {', '.join(PAGE_KEYS)} (or a list of such pages).",
    )


def _report(path: Path, sources: dict[Dataset, DatasetStatus]) -> CredentialReport | None:
    if not is_present(path):
        missing = DatasetStatus(DatasetState.MISSING, f"{CREDENTIAL_REPORT} not in the export")
        sources[Dataset.CREDENTIAL_REPORT] = sources[Dataset.ROOT] = missing
        return None
    # A file may be UTF-16 (PowerShell's redirect); what AWS answers a live scan never is.
    content = as_utf8(read_bytes(path, "the credential report"), "the credential report", str(path))
    content = _report_csv(content, path)
    report = parse_credential_report(content, where=str(path), latest=latest_date(path))
    sources[Dataset.CREDENTIAL_REPORT] = AVAILABLE
    sources[Dataset.ROOT] = report.root_status
    return report


def _report_csv(content: bytes, path: Path) -> bytes:
    """The report's CSV, also when the file holds what `aws iam get-credential-report`
    answers before it is decoded: its JSON output (``Content`` in base64), or that
    ``Content`` alone (`--query Content --output text` without `| base64 -d`, or without
    `--output text`: a JSON string). Base64 is decoded strictly, and only text that then
    opens with the report's header is taken."""
    start = content[:64].lstrip()
    if start.startswith(b'"'):
        answer = parse_json(content, "the credential report", str(path))
        decoded = _base64(answer.encode("ascii", "replace")) if isinstance(answer, str) else None
        if decoded is None or not decoded.startswith(_HEADER):
            raise InputError(
                "the credential report is a JSON string but not the report's base64 `Content`",
                where=str(path),
                hint=_REPORT_HINT,
            )
        return decoded
    if start.startswith(b"{"):
        answer = parse_json(content, "the credential report", str(path))
        encoded = answer.get("Content") if isinstance(answer, dict) else None
        if not isinstance(encoded, str):
            raise InputError(
                "the credential report is JSON but not the output of"
                f" `aws iam get-credential-report`: {describe_document(answer)}",
                where=str(path),
                hint=_REPORT_HINT,
            )
        if answer.get("ReportFormat", "text/csv") != "text/csv":
            raise InputError(
                f"the credential report's ReportFormat is {quoted(answer['ReportFormat'])},"
                " not 'text/csv'",
                where=f"{path}#/ReportFormat",
            )
        decoded = _base64(encoded.encode("ascii", "replace"))
        if decoded is None:
            raise InputError(
                "the credential report's Content is not base64", where=f"{path}#/Content"
            )
        return decoded
    if b"," not in start and _BASE64.fullmatch(content):
        decoded = _base64(content)
        if decoded is not None and decoded.startswith(_HEADER):
            return decoded
    return content


_BASE64 = re.compile(rb"[A-Za-z0-9+/\s]+={0,2}\s*")
_HEADER = b"user,arn,"
_REPORT_HINT = (
    "Export it with `aws iam get-credential-report --query Content --output text"
    " | base64 -d > credential-report.csv`."
)


def _base64(text: bytes) -> bytes | None:
    try:
        return base64.b64decode(b"".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def _mfa_devices(path: Path, listing: Listing | None) -> Mapping[str, tuple[MfaDevice, ...]] | None:
    if listing is None:
        return None
    try:
        return mfa_by_user(listing.entries, latest=latest_date(path))
    except ListingError as error:
        raise InputError(str(error), where=f"{path}#{listing.pointer}/{error.index}") from None


def _account_metadata(path: Path) -> Mapping[str, str]:
    """``account.json``: ``{"id", "alias", "name", "email"}`` (all optional); the outputs
    of ``aws sts get-caller-identity`` (``Account``), ``aws iam list-account-aliases``
    (``AccountAliases``) and ``aws organizations describe-account`` (an ``Account``
    object with ``Id``, ``Name``, ``Email``) are accepted too, alone or merged into one
    object."""
    if not is_present(path):
        return {}
    parsed = read_json(path)
    if not isinstance(parsed, dict):
        raise InputError(
            f"expected a JSON object, found {describe_document(parsed)}", where=str(path)
        )
    if isinstance(parsed.get("Account"), dict):  # describe-account
        parsed = {**{k: v for k, v in parsed.items() if k != "Account"}, **parsed["Account"]}
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
        grammar = _GRAMMARS.get(key)
        problem = name_problem(grammar, value) if grammar and value else None
        if problem is not None:
            raise InputError(problem, where=str(path))
    return {key: value for key, value in found.items() if value}


#: What AWS allows in each of an account's names (keyless.collect.formats.names): they
#: become profile and file names and report titles, so one edited in is refused here.
_GRAMMARS = {"alias": "AccountAlias", "name": "AccountName", "email": "AccountEmail"}


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
