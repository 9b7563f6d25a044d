"""The IAM credential report: decoding and validating its CSV, shared by the live
collector and the offline export loader.

The report is one CSV row per IAM user plus, in real AWS, a ``<root_account>`` row. It
carries no secrets: dates, flags and the last-used region and service of each of the
(at most two) access keys, which it knows by slot, not by key ID.
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from keyless.collect.formats.dates import NO_DATE, to_utc
from keyless.collect.formats.names import checked_name
from keyless.encodings import archive_kind
from keyless.errors import InputError, quoted
from keyless.model import (
    AVAILABLE,
    AccessKey,
    DatasetState,
    DatasetStatus,
    LoginProfile,
    RootCredentials,
    User,
)

ROOT_USER = "<root_account>"

#: The 22 columns AWS documents, in order. A file with other columns is not a report.
COLUMNS: tuple[str, ...] = (
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
)


@dataclass(frozen=True, slots=True)
class ReportRow:
    """What the credential report says about one IAM user."""

    name: str
    arn: str
    created: datetime | None
    login_profile: LoginProfile | None
    mfa_active: bool
    access_keys: tuple[AccessKey, ...]
    #: The row's line in the report (1 is the header), for messages.
    line: int = 0


@dataclass(frozen=True, slots=True)
class CredentialReport:
    """A decoded credential report: user rows keyed by ARN, and the root row if present."""

    users: Mapping[str, ReportRow]
    root: RootCredentials | None

    @property
    def root_status(self) -> DatasetStatus:
        """The state of the ``root`` source: available only when the report has a
        ``<root_account>`` row (real AWS writes one; emulators and edited files may not)."""
        if self.root is not None:
            return AVAILABLE
        return DatasetStatus(DatasetState.MISSING, f"the credential report has no {ROOT_USER} row")

    def status_for(self, users: Iterable[User]) -> DatasetStatus:
        """The state of the report for ``users`` (those the authorization details list):
        missing, naming them, when some have no row. AWS generates the report at most
        every four hours, so a user created since has none, and its keys, password and
        MFA are unknown, not absent: read as none, the user would pass every key check
        and be planned for retirement as unused."""
        lacking = [user.name for user in users if user.arn not in self.users]
        if not lacking:
            return AVAILABLE
        shown = ", ".join(name[:64] for name in lacking[:10])
        more = f" and {len(lacking) - 10} more" if len(lacking) > 10 else ""
        return DatasetStatus(
            DatasetState.MISSING,
            f"the credential report has no row for {len(lacking)} user"
            f"{'s' if len(lacking) != 1 else ''} (created after it was generated?): "
            f"{shown}{more}; generate a new report",
        )


def parse_credential_report(
    content: bytes | str, *, where: str = "credential report", latest: datetime | None = None
) -> CredentialReport:
    """Decode the CSV ``content`` (the report's ``Content``, already base64-decoded).

    Raises :class:`InputError` naming ``where`` and the line (and column) when the text is
    not UTF-8 or holds a NUL byte, the header is not the documented one (listing missing
    and unexpected columns), a row has the wrong number of fields or a field longer than
    any report writes, or a date or flag cannot be read. With ``latest``, a date after it
    (the report was written before) is refused too: it would make a key look new.
    """
    text = _text_of(content, where)
    rows = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(rows, None)
        if not header:
            raise InputError("the credential report is empty (no header row)", where=where)
        _check_header(header, where)
        users: dict[str, ReportRow] = {}
        names: set[str] = set()
        root: RootCredentials | None = None
        for fields in rows:
            if not fields:
                continue
            line = rows.line_num
            if len(fields) != len(COLUMNS):
                raise InputError(
                    f"line {line} has {len(fields)} fields, the header has {len(COLUMNS)}",
                    where=where,
                )
            # AWS writes one row per user and one <root_account> row: a second row for
            # the same user (by ARN, or by name, which IAM keeps unique ignoring case)
            # would silently replace the first one's keys.
            if fields[0] == ROOT_USER:
                duplicate = root is not None
            else:
                duplicate = fields[1] in users or fields[0].casefold() in names
            if duplicate:
                raise InputError(
                    f"line {line}: a second row for the user {quoted(fields[0])}"
                    " (the report has one row per user)",
                    where=where,
                )
            try:
                if fields[0] == ROOT_USER:
                    root = _root(fields, latest)
                else:
                    row = _row(fields, latest, line)
                    users[row.arn] = row
                    names.add(row.name.casefold())
            except ValueError as error:
                raise InputError(f"line {line}, column {error}", where=where) from None
    except csv.Error as error:
        # A field over csv.field_size_limit (128 KiB; the longest a report holds is an
        # ARN of 2,048 characters), a stray quote in strict mode, ...
        raise InputError(f"line {rows.line_num}: not CSV: {error}", where=where) from None
    return CredentialReport(MappingProxyType(users), root)


def _text_of(content: bytes | str, where: str) -> str:
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            archive = archive_kind(content)
            if archive is not None:
                raise InputError(
                    f"the credential report is not CSV: it is {archive}", where=where
                ) from None
            line = content.count(b"\n", 0, error.start) + 1
            raise InputError(
                f"the credential report is not UTF-8 text (line {line}, byte {error.start})",
                where=where,
            ) from None
    else:
        text = content
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise InputError(f"line {line} holds a NUL byte: not a credential report", where=where)
    return text


def _check_header(header: list[str], where: str) -> None:
    if tuple(header) == COLUMNS:
        return
    missing = [c for c in COLUMNS if c not in header]
    unexpected = [c for c in header if c not in COLUMNS]
    problems = []
    if missing:
        problems.append(f"missing column(s): {', '.join(missing)}")
    if unexpected:
        shown = ", ".join(quoted(c, 40) for c in unexpected[:5])
        more = f" and {len(unexpected) - 5:,} more" if len(unexpected) > 5 else ""
        problems.append(f"unexpected column(s): {shown}{more}")
    if not problems:
        problems.append("columns are not in the documented order")
    raise InputError(
        "not an IAM credential report: " + "; ".join(problems),
        where=where,
        hint="Export it with `aws iam get-credential-report --query Content --output text"
        " | base64 -d > credential-report.csv`.",
    )


def _flag(value: str, column: str) -> bool:
    """A flag column (``password_enabled``, ``mfa_active``, ``access_key_N_active``): AWS
    writes TRUE or FALSE there, never a placeholder
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html;
    only the root user's ``password_enabled`` is ``not_supported``, read by :func:`_root`).
    An empty or ``N/A`` flag was read as false: an active key whose ``active`` field was
    blanked was dropped from every key check, a password from every password check."""
    if value in ("true", "TRUE", "True"):
        return True
    if value in ("false", "FALSE", "False"):
        return False
    raise ValueError(f"{column} is {quoted(value)}, expected true or false")


def _date(value: str, column: str, latest: datetime | None) -> datetime | None:
    try:
        moment = to_utc(value)
    except ValueError:
        raise ValueError(f"{column} is {value[:60]!r}, expected an ISO 8601 date") from None
    if moment is not None and latest is not None and moment > latest:
        # A key "rotated" in 2999 would look brand new to key-not-rotated.
        raise ValueError(f"{column}: {value} is after the report was written")
    return moment


def _text(value: str) -> str | None:
    return None if value in NO_DATE else value


def _keys(fields: list[str], latest: datetime | None) -> tuple[AccessKey, ...]:
    keys = []
    # Columns 8..12 describe key slot 1, 13..17 slot 2.
    for slot, first in ((1, 8), (2, 13)):
        active, rotated, used, region, service = fields[first : first + 5]
        prefix = f"access_key_{slot}_"
        created = _date(rotated, prefix + "last_rotated", latest)
        is_active = _flag(active, prefix + "active")
        if not is_active and created is None:
            continue  # the slot is empty
        if is_active and created is None:
            # AWS dates every key ("N/A" only when the user has no such key): an active
            # key of unknown age was passed over by key-not-rotated, silently.
            raise ValueError(
                f"{prefix}last_rotated is {quoted(rotated)} for an active key: AWS gives"
                " the date every key was created or rotated"
            )
        keys.append(
            AccessKey(
                slot=slot,
                active=is_active,
                created=created,
                last_used=_date(used, prefix + "last_used_date", latest),
                last_used_region=_text(region),
                last_used_service=_text(service),
            )
        )
    return tuple(keys)


def _row(fields: list[str], latest: datetime | None, line: int = 0) -> ReportRow:
    login = None
    if _flag(fields[3], "password_enabled"):
        login = LoginProfile(
            password_last_used=_date(fields[4], "password_last_used", latest),
            password_last_changed=_date(fields[5], "password_last_changed", latest),
        )
    return ReportRow(
        name=checked_name("UserName", fields[0]),
        arn=fields[1],
        created=_date(fields[2], "user_creation_time", latest),
        login_profile=login,
        mfa_active=_flag(fields[7], "mfa_active"),
        access_keys=_keys(fields, latest),
        line=line,
    )


def _root(fields: list[str], latest: datetime | None) -> RootCredentials:
    # AWS writes `not_supported` in password_enabled for the root user, who always has a
    # password unless it was deleted through centralized root access management.
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html#id_root-user-access-management
    return RootCredentials(
        password_enabled=fields[3] not in ("false", "FALSE", "False"),
        password_last_used=_date(fields[4], "password_last_used", latest),
        mfa_active=_flag(fields[7], "mfa_active"),
        access_keys=_keys(fields, latest),
    )
