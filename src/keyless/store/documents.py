"""Reading what ``keyless diff`` compares: a ``keyless/scan/v1`` document or a
``keyless/snapshot/v1`` snapshot, each turned into a :class:`ScanRecord`.

A scan document is read field by field with its types checked (it may have been edited,
truncated or forged: every value is hostile until it has the type the schema says), and a
mistake is an :class:`~keyless.errors.InputError` naming the file and the JSON pointer.
A snapshot is an estate without findings, so the checks run on it first.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import orjson

from keyless.config import Config
from keyless.engine import run_checks
from keyless.errors import InputError, quoted
from keyless.files import open_regular, read_json_object
from keyless.findings import Severity
from keyless.model import AccountStatus
from keyless.store.diff import Diff, compare
from keyless.store.record import (
    AccountRecord,
    FindingRecord,
    KeyRecord,
    NotEvaluatedRecord,
    ScanRecord,
    UserRecord,
    finding_subject,
    record_of_result,
)

SCAN_SCHEMA = "keyless/scan/v1"
SNAPSHOT_SCHEMA = "keyless/snapshot/v1"
T = TypeVar("T")


def load_record(path: Path, config: Config | None = None) -> ScanRecord:
    """The record of a scan document, or of a scan of a snapshot (its checks run with
    ``config``)."""
    if _leading_schema(path) == SNAPSHOT_SCHEMA:
        return _snapshot_record(path, config)
    document = read_json_object(path, "the scan or snapshot")
    schema = document.get("schema")
    if schema == SCAN_SCHEMA:
        return record_of_document(document, where=str(path))
    if schema == SNAPSHOT_SCHEMA:  # a snapshot whose keys were reordered
        del document
        return _snapshot_record(path, config)
    raise InputError(
        f"not a keyless scan document or snapshot (schema {quoted(schema)})",
        where=str(path),
        hint=f"keyless diff compares {SCAN_SCHEMA} documents (`keyless scan --format json`) "
        f"and {SNAPSHOT_SCHEMA} snapshots (`keyless collect --out`).",
    )


# keyless writes "schema" first: reading it from the first bytes spares parsing a large
# snapshot twice (the snapshot reader streams it, account by account).
_LEADING_SCHEMA = re.compile(
    rb'\A(?:\xef\xbb\xbf)?\s*\{\s*"schema"\s*:\s*"(keyless/[a-z0-9-]+/v[0-9]+)"'
)


def _leading_schema(path: Path) -> str | None:
    with open_regular(path, "the scan or snapshot") as file:
        try:
            found = _LEADING_SCHEMA.match(file.read(4096))
        except OSError as error:
            raise InputError(
                f"cannot read the scan or snapshot: {error.strerror}", where=str(path)
            ) from None
    return found.group(1).decode("ascii") if found else None


def _snapshot_record(path: Path, config: Config | None) -> ScanRecord:
    from keyless.collect.offline.snapshot import load_snapshot

    inventory = load_snapshot(path)
    # Ages as they were when the snapshot was taken, so a diff compares like with like.
    return record_of_result(run_checks(inventory, config, now=inventory.collected_at))


class _Reader:
    """Typed access to a JSON document, with errors that name the place."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, pointer: str, message: str) -> InputError:
        return InputError(message, where=f"{self.where}#{pointer}")

    def value(self, data: Mapping[str, Any], key: str, kind: type[T], pointer: str) -> T:
        if key not in data:
            raise self.fail(f"{pointer}/{key}", "is missing")
        found = data[key]
        # JSON's true and false are ints to Python: a boolean is never a count, and back.
        if not isinstance(found, kind) or (kind is int and isinstance(found, bool)):
            raise self.fail(f"{pointer}/{key}", f"must be {_KIND_NAMES.get(kind, kind.__name__)}")
        return found

    def optional(self, data: Mapping[str, Any], key: str, kind: type[T], pointer: str) -> T | None:
        if data.get(key) is None:
            return None
        return self.value(data, key, kind, pointer)

    def date(self, data: Mapping[str, Any], key: str, pointer: str) -> datetime | None:
        text = self.optional(data, key, str, pointer)
        if text is None:
            return None
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise self.fail(
                f"{pointer}/{key}", f"is not an ISO-8601 date: {quoted(text)}"
            ) from None
        if moment.tzinfo is None:
            raise self.fail(f"{pointer}/{key}", "must carry a UTC offset")
        return moment

    def objects(
        self, data: Mapping[str, Any], key: str, pointer: str
    ) -> list[tuple[Mapping[str, Any], str]]:
        """The objects of the list ``data[key]``, each with its JSON pointer."""
        entries = self.value(data, key, list, pointer)
        for n, entry in enumerate(entries):
            if not isinstance(entry, dict):
                raise self.fail(f"{pointer}/{key}/{n}", "must be an object")
        return [(entry, f"{pointer}/{key}/{n}") for n, entry in enumerate(entries)]


_KIND_NAMES = {str: "a string", int: "an integer", bool: "true or false", list: "a list"}
_KIND_NAMES[dict] = "an object"


def record_of_document(document: Mapping[str, Any], *, where: str = "document") -> ScanRecord:
    """A :class:`ScanRecord` from a ``keyless/scan/v1`` document. Documents written
    before ``accounts[].users`` existed give a record without identities (users and keys
    cannot be compared, only findings)."""
    read = _Reader(where)
    scanned_at = read.date(document, "generated_at", "")
    if scanned_at is None:
        raise read.fail("/generated_at", "is missing")
    accounts: list[AccountRecord] = []
    users: list[UserRecord] = []
    keys: list[KeyRecord] = []
    has_identities = True
    complete = read.value(document, "complete", bool, "")
    listed: set[str] = set()
    for entry, at in read.objects(document, "accounts", ""):
        account = _account(read, entry, at)
        if account.id in listed:
            raise read.fail(f"{at}/id", f"account {quoted(account.id)} is listed twice")
        listed.add(account.id)
        if complete and account.status == AccountStatus.FAILED.value:
            # keyless writes "complete": false for a scan with an account it could not
            # read: the diff's exit code (3) would have said all was read.
            raise read.fail(f"{at}/status", 'is "failed" in a document whose "complete" is true')
        accounts.append(account)
        if "users" not in entry:
            has_identities = False
            continue
        for user_entry, user_at in read.objects(entry, "users", at):
            user = _user(read, user_entry, user_at, account.id)
            users.append(user)
            keys.extend(
                _key(read, key, key_at, user)
                for key, key_at in read.objects(user_entry, "access_keys", user_at)
            )
    organization = read.optional(document, "organization", dict, "")
    return ScanRecord(
        scanned_at=scanned_at,
        source=read.value(document, "source", str, ""),
        organization=read.value(organization, "id", str, "/organization") if organization else None,
        complete=complete,
        accounts=tuple(accounts),
        users=tuple(users),
        keys=tuple(keys),
        findings=tuple(_finding(read, f, at) for f, at in _listed_once(read, document, "findings")),
        not_evaluated=tuple(
            gap
            for run, at in read.objects(document, "check_runs", "")
            for gap in _gaps(read, run, at)
        ),
        # A scan limited with --checks lists only the checks it ran.
        checks_run=frozenset(
            _check_id(read, run, at) for run, at in read.objects(document, "check_runs", "")
        ),
        keyless_version=read.value(document, "keyless_version", str, ""),
        has_identities=has_identities,
        suppressed=tuple(_finding(read, f, at) for f, at in _suppressed(read, document)),
    )


def _suppressed(read: _Reader, document: Mapping[str, Any]) -> list[tuple[Mapping[str, Any], str]]:
    """The findings the scan's configuration ignored; documents written before
    ``suppressed`` existed have none to read."""
    return _listed_once(read, document, "suppressed") if "suppressed" in document else []


def _listed_once(
    read: _Reader, document: Mapping[str, Any], key: str
) -> list[tuple[Mapping[str, Any], str]]:
    """The findings of ``document[key]``, none listed twice. keyless never writes two
    findings alike in every field (two problems of one role differ in their evidence): a
    copy is an edit, and ``diff`` counted it as a new finding (or its original as fixed)."""
    entries = read.objects(document, key, "")
    seen: dict[bytes, str] = {}
    for entry, at in entries:
        try:
            text = orjson.dumps(entry, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:  # nested past orjson's 254 levels: keyless never is
            raise read.fail(at, "is nested too deeply for a finding keyless wrote") from None
        first = seen.setdefault(text, at)
        if first != at:
            raise read.fail(at, f"is the finding at {first} again: keyless lists each once")
    return entries


def _account(read: _Reader, entry: Mapping[str, Any], at: str) -> AccountRecord:
    account_id = read.value(entry, "id", str, at)
    status = read.value(entry, "status", str, at)
    if status not in {s.value for s in AccountStatus}:
        raise read.fail(f"{at}/status", f"is not an account status: {quoted(status)}")
    alias = read.optional(entry, "alias", str, at) or read.optional(entry, "name", str, at)
    label = f"{alias} ({account_id})" if alias else account_id
    return AccountRecord(account_id, label, status, read.optional(entry, "error", str, at))


def _user(read: _Reader, entry: Mapping[str, Any], at: str, account: str) -> UserRecord:
    return UserRecord(
        account=account,
        arn=read.value(entry, "arn", str, at),
        name=read.value(entry, "name", str, at),
        console_access=read.value(entry, "console_access", bool, at),
        mfa_active=read.value(entry, "mfa_active", bool, at),
    )


def _key(read: _Reader, entry: Mapping[str, Any], at: str, user: UserRecord) -> KeyRecord:
    slot = read.value(entry, "slot", int, at)
    if slot < 1:
        raise read.fail(f"{at}/slot", "must be 1 or more")
    return KeyRecord(
        account=user.account,
        user_arn=user.arn,
        slot=slot,
        key_id=read.optional(entry, "key_id", str, at),
        active=read.value(entry, "active", bool, at),
        created=read.date(entry, "created", at),
        last_used=read.date(entry, "last_used", at),
    )


def _severity(read: _Reader, entry: Mapping[str, Any], at: str) -> Severity:
    text = read.value(entry, "severity", str, at)
    try:
        return Severity(text)
    except ValueError:
        raise read.fail(f"{at}/severity", f"is not a severity: {quoted(text)}") from None


def _finding(read: _Reader, entry: Mapping[str, Any], at: str) -> FindingRecord:
    resource = read.value(entry, "resource", str, at)
    evidence = read.value(entry, "evidence", dict, at)
    return FindingRecord(
        check=_check_id(read, entry, at),
        severity=_severity(read, entry, at),
        account=read.value(entry, "account", str, at),
        resource=resource,
        subject=finding_subject(resource, evidence),
        message=read.value(entry, "message", str, at),
    )


#: A check ID: lowercase words joined by hyphens (docs/schemas/scan-v1.schema.json).
_CHECK_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _check_id(read: _Reader, entry: Mapping[str, Any], at: str) -> str:
    """The entry's ``check``, held to the check ID grammar: a forged one (a control
    character, a line break, a megabyte) reached every output of ``diff``."""
    check = read.value(entry, "check", str, at)
    if not _CHECK_ID.fullmatch(check):
        raise read.fail(
            f"{at}/check",
            f"is not a check ID: {quoted(check)} (lowercase words joined by hyphens)",
        )
    return check


def _gaps(read: _Reader, entry: Mapping[str, Any], at: str) -> list[NotEvaluatedRecord]:
    check = _check_id(read, entry, at)
    return [
        NotEvaluatedRecord(
            check, read.value(gap, "account", str, p), read.value(gap, "reason", str, p)
        )
        for gap, p in read.objects(entry, "not_evaluated", at)
    ]


def load_reference(reference: str, *, store: Path, config: Config | None = None) -> ScanRecord:
    """The record a ``keyless diff`` argument names: ``@N``, ``@latest`` or ``@previous``
    (a scan recorded in ``store``), or the path of a scan document or snapshot."""
    from keyless.store.database import open_store

    if reference.startswith("@"):
        with open_store(store) as opened:
            return opened.load(opened.resolve(reference[1:]))
    path = Path(reference)
    problem = _not_a_file(path) if reference else "names nothing (an empty argument)"
    if reference == "-" and problem == "does not exist":
        # `-` is standard input where a command reads it; "does not exist" sent the user
        # looking for a file, as other commands' file arguments say.
        problem = "does not read standard input (-): give a file"
    if problem is not None:
        raise InputError(
            problem,
            where=quoted(reference) if not reference or "\x00" in reference else reference,
            hint="Give a scan document (keyless scan --format json), a snapshot (keyless"
            " collect --out) or @N for a recorded scan (keyless history lists them).",
        )
    return load_record(path, config)


def _not_a_file(path: Path) -> str | None:
    """Why ``path`` names no file to read, or None. A name the system refuses to look up
    (longer than a file name may be, in a directory the user cannot enter) is said so:
    ``Path.is_file`` raised those as a traceback."""
    try:
        found = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return "does not exist"
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    except ValueError:  # a NUL character (from Python: an argument vector cannot hold one)
        return "is not a path (it holds a NUL character)"
    return None if stat.S_ISREG(found.st_mode) else "is not a file"


def compare_references(old: str, new: str, *, store: Path, config: Config | None = None) -> Diff:
    """What changed from ``old`` to ``new`` (each as :func:`load_reference` reads it)."""
    return compare(
        load_reference(old, store=store, config=config),
        load_reference(new, store=store, config=config),
        old_name=old,
        new_name=new,
    )
