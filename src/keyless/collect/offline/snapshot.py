"""Snapshots: an Inventory written once and analysed offline later.

A versioned JSON document (``keyless/snapshot/v1``, described in ``docs/snapshot.md``
and ``docs/schemas/snapshot-v1.schema.json``) converted field by field from the model
dataclasses by :mod:`keyless.collect.offline.codec`, so a model field cannot be left
out. The model holds no secrets, and neither does a snapshot: access key IDs
(identifiers, not credentials), dates and flags only.

Snapshots stream: the writer takes accounts one at a time, and writes a layout that is
still one JSON document, with the envelope on the first line and each account on a line
of its own, so that :func:`iter_snapshot_accounts` can read an organization of a thousand
accounts one account at a time. Documents in any other layout (the indented ones keyless
0.1 wrote, or a file reformatted by a person) are read whole.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, NoReturn

import orjson

from keyless.collect.formats.plausible import (
    CLOCK_SKEW,
    find_arn_outside_grammar,
    find_foreign_arn,
    find_implausible,
    find_listed_twice,
    find_misnamed_arn,
)
from keyless.collect.formats.providers import find_provider_outside_grammar
from keyless.collect.offline.codec import (
    Field,
    Invalid,
    decoder,
    encoder,
    fields_of,
    plain_json,
    refuse_unknown_fields,
)
from keyless.duplicate_keys import DUPLICATE_KEY, InexactNumber, find_duplicate_key, parse_json
from keyless.encodings import undecodable_at
from keyless.errors import InputError, quoted
from keyless.files import MAX_FILE_BYTES, describe_size, open_regular, write_atomic
from keyless.model import Account, Inventory

SCHEMA = "keyless/snapshot/v1"

#: The longest line of a streamed snapshot: the envelope, or one account. An account at
#: IAM's largest quotas is a few hundred MB of policy documents.
MAX_LINE_BYTES = 1 << 30
#: The envelope line: the organization, with Identity Center's permission sets.
MAX_HEADER_BYTES = 1 << 28
#: A snapshot in another layout is read whole, up to the size of any JSON file.
MAX_WHOLE_BYTES = MAX_FILE_BYTES

_WHAT = "the snapshot"
#: The byte-order marks of UTF-16 and UTF-32 (keyless.encodings; UTF-32 LE's starts as
#: UTF-16 LE's).
_WIDE_MARKS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
_STREAM_HEADER_END = b'"accounts":['
_LEADING_ID = re.compile(rb'\{"id":"([0-9]{12})"')


def _header_fields() -> tuple[Field, ...]:
    """The Inventory's fields but its accounts: the envelope of the document."""
    return tuple(field for field in fields_of(Inventory) if field.attribute != "accounts")


def _envelope_keys() -> frozenset[str]:
    """Every key of the envelope: ``schema`` and the Inventory's fields, ``accounts`` too."""
    return frozenset({"schema", *(field.key for field in fields_of(Inventory))})


def write_snapshot(
    inventory: Inventory, path: str | Path, *, accounts: Iterable[Account] | None = None
) -> None:
    """Write ``inventory`` to ``path`` as a ``keyless/snapshot/v1`` document, whole or
    not at all (:func:`keyless.files.write_atomic`).

    With ``accounts``, those are written instead of ``inventory.accounts``, each encoded
    as it arrives, so a caller can hand over a generator and let every account go once
    it is written.
    """
    write_atomic(path, snapshot_chunks(inventory, accounts), _WHAT)


def snapshot_chunks(
    inventory: Inventory, accounts: Iterable[Account] | None = None
) -> Iterator[bytes]:
    """The snapshot document as byte chunks: the envelope line, then one per account."""
    envelope: dict[str, Any] = {"schema": SCHEMA}
    for field in _header_fields():
        convert = encoder(field.hint)
        value = getattr(inventory, field.attribute)
        envelope[field.key] = value if convert is None else convert(value)
    envelope["accounts"] = []
    head = orjson.dumps(envelope, default=plain_json)
    yield head[: -len(b"]}")] + b"\n"
    convert_account = encoder(Account)
    assert convert_account is not None
    written = 0
    for account in inventory.accounts if accounts is None else accounts:
        separator = b",\n" if written else b""
        with _gc_paused():
            line = orjson.dumps(convert_account(account), default=plain_json)
        yield separator + line
        written += 1
    yield b"\n]}\n" if written else b"]}\n"


def load_snapshot(path: str | Path) -> Inventory:
    """Read a snapshot written by :func:`write_snapshot` (or by keyless 0.1). Raises
    :class:`InputError` naming the file and the JSON pointer of what is wrong: an
    unreadable or non-regular file, malformed JSON, an unknown schema, a value of the
    wrong type, or a date that cannot be true (see docs/snapshot.md)."""
    with _gc_paused(), _Reader(Path(path)) as reader:
        return dataclasses.replace(reader.header, accounts=tuple(reader.accounts()))


def read_snapshot_header(path: str | Path) -> Inventory:
    """The snapshot's envelope (origin, collection time, organization) as an Inventory
    without accounts; read them with :func:`iter_snapshot_accounts`."""
    with _Reader(Path(path)) as reader:
        return reader.header


def iter_snapshot_accounts(path: str | Path) -> Iterator[Account]:
    """The snapshot's accounts, one at a time: in the streamed layout, only the account
    being read is in memory. Errors as :func:`load_snapshot`."""
    with _gc_paused():
        reader = _Reader(Path(path))
    with reader:
        yield from reader.accounts()


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Converting creates no reference cycles, but the cyclic collector would walk the
    parsed documents again at every allocation threshold (see load_export)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


class _Reader:
    """One pass over a snapshot file: the envelope first, then the accounts. ``digest``
    is the SHA-256 of the bytes read from the start of the file: of the whole file once
    the accounts are read."""

    def __init__(self, path: Path, file: IO[bytes] | None = None):
        self.path = path
        self.file: IO[bytes] = open_regular(path, _WHAT) if file is None else file
        self.digest = hashlib.sha256()
        self.line = 0
        self.whole: dict[str, Any] | None = None
        self._seen: set[str] = set()
        try:
            self.header = self._read_header()
        except BaseException:
            self.file.close()
            raise

    def __enter__(self) -> _Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    # -- the envelope --------------------------------------------------------------

    def _read_header(self) -> Inventory:
        start = self._read(4096)
        # A snapshot saved again in UTF-16 or UTF-32 (Windows PowerShell 5.1's
        # `Get-Content s.json > copy.json`) is read whole, as the same text in UTF-8
        # (parse_json re-encodes it, as every JSON file keyless reads); it was refused as
        # "not a JSON object".
        wide = start.startswith(_WIDE_MARKS)
        if not wide and not start.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{"):
            # Refused before reading further: a file of zeros, a binary, an export file.
            raise InputError(
                f"{_WHAT} is not a keyless snapshot (not a JSON object)", where=str(self.path)
            )
        self._rewind()
        first = b"" if wide else self._next_line(MAX_HEADER_BYTES).removeprefix(b"\xef\xbb\xbf")
        if first.startswith(b"{") and first.rstrip().endswith(_STREAM_HEADER_END):
            document = self._parse(first.rstrip() + b"]}")
        else:
            size = os.fstat(self.file.fileno()).st_size
            if size > MAX_WHOLE_BYTES:
                raise InputError(
                    f"{_WHAT} is {describe_size(size)}, larger than the"
                    f" {describe_size(MAX_WHOLE_BYTES)} keyless reads whole; write it again"
                    " with `keyless collect` to stream it",
                    where=str(self.path),
                )
            self._rewind()  # read whole, without copying the first line again
            data = self._read(MAX_WHOLE_BYTES)
            document = parse_json(data, _WHAT, str(self.path))
            del data
            self.whole = document
        return self._envelope(document)

    def _envelope(self, document: Any) -> Inventory:
        schema = document.get("schema") if isinstance(document, dict) else None
        if schema != SCHEMA:
            found = f"schema {quoted(schema)}" if schema else "no schema field"
            raise InputError(
                f"not a keyless snapshot this version can read: {found}; supported: {SCHEMA!r}",
                where=str(self.path),
                hint="Write the snapshot again with this version of keyless (keyless collect).",
            )
        values: dict[str, Any] = {}
        for field in _header_fields():
            if field.key not in document:
                self._fail(Invalid(f"missing field {field.key!r}"))
            try:
                values[field.attribute] = decoder(field.hint)(document[field.key])
            except Invalid as error:
                self._fail(error.within(field.key))
        if "accounts" not in document:
            self._fail(Invalid("missing field 'accounts'"))
        if len(document) != len(values) + 2:  # the fields, "schema" and "accounts"
            try:
                refuse_unknown_fields(document, _envelope_keys())
            except Invalid as error:
                self._fail(error)
        if not isinstance(document["accounts"], list):
            self._fail(Invalid("expected an array of accounts").within("accounts"))
        header = Inventory(accounts=(), **values)
        now = datetime.now(UTC)
        if header.collected_at is not None and header.collected_at > now + CLOCK_SKEW:
            self._fail(Invalid("collected_at is in the future").within("collected_at"))
        latest = header.collected_at or now
        if header.organization is not None:
            problem = find_implausible(header.organization, latest)
            if problem is not None:
                self._fail(Invalid(problem.message), f"/organization{problem.pointer}")
        return header

    # -- the accounts --------------------------------------------------------------

    def accounts(self) -> Iterator[Account]:
        """Every account, decoded and checked, in the order written."""
        if self.whole is not None:
            raw_accounts = self.whole["accounts"]
            for index in range(len(raw_accounts)):
                raw, raw_accounts[index] = raw_accounts[index], None
                with _gc_paused():
                    account = self._account(raw, index)
                yield account
            return
        index, comma = 0, False
        while True:
            line = self._next_line()
            body = line.strip()
            if body == b"]}":
                if comma:
                    self._fail_line("a comma after the last account")
                self._expect_end()
                return
            if not line:
                self._fail_line("the file ends inside the list of accounts (was it cut short?)")
            if index and not comma:
                self._fail_line("the accounts are not separated by commas")
            comma = body.endswith(b",")
            with _gc_paused():
                account = self._account(self._parse(body[:-1] if comma else body), index)
            yield account
            index += 1

    def account_ids(self) -> Iterator[str]:
        """Each account's ID, in order, without decoding the accounts: the streamed layout
        writes ``id`` first on each account's line. An account whose ID cannot be seen
        there is parsed; what is wrong with it is left to :meth:`accounts` to report."""
        if self.whole is not None:
            for raw in self.whole["accounts"]:
                if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                    yield raw["id"]
            return
        while (line := self._next_line()).strip() not in (b"]}", b""):
            body = line.strip().removesuffix(b",")
            seen = _LEADING_ID.match(body)
            if seen is not None:
                yield seen.group(1).decode()
                continue
            with contextlib.suppress(orjson.JSONDecodeError):
                raw = orjson.loads(body)
                if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                    yield raw["id"]

    def _account(self, raw: Any, index: int) -> Account:
        try:
            account: Account = decoder(Account)(raw)
        except Invalid as error:
            self._fail(error, f"/accounts/{index}")
        # An edited snapshot: one account twice would count its users and findings twice
        # (an ID of other digits, which would reach ARNs and reports, is refused by the
        # codec's AccountId grammar).
        if account.id in self._seen:
            self._fail(Invalid(f"account {account.id} appears twice"), f"/accounts/{index}/id")
        self._seen.add(account.id)
        foreign = find_foreign_arn(account)
        if foreign is not None:
            pointer, arn = foreign
            self._fail(
                Invalid(f"{quoted(arn)} is not of account {account.id}"),
                f"/accounts/{index}{pointer}",
            )
        twice = find_listed_twice(account)
        if twice is not None:
            pointer, what = twice
            self._fail(Invalid(f"{what}: AWS lists each once"), f"/accounts/{index}{pointer}")
        misnamed = find_misnamed_arn(account)
        if misnamed is not None:
            pointer, what = misnamed
            self._fail(Invalid(what), f"/accounts/{index}{pointer}")
        outside = find_arn_outside_grammar(account)
        if outside is not None:
            pointer, what = outside
            self._fail(Invalid(what), f"/accounts/{index}{pointer}")
        outside = find_provider_outside_grammar(account)
        if outside is not None:
            pointer, what = outside
            self._fail(Invalid(what), f"/accounts/{index}{pointer}")
        now = datetime.now(UTC)
        if account.collected_at is not None and account.collected_at > now + CLOCK_SKEW:
            self._fail(Invalid("collected_at is in the future"), f"/accounts/{index}/collected_at")
        latest = account.collected_at or self.header.collected_at or now
        problem = find_implausible(account, latest)
        if problem is not None:
            self._fail(
                Invalid(f"{problem.message} (of {problem.owner_label})"),
                f"/accounts/{index}{problem.pointer}",
            )
        return account

    # -- lines and errors ----------------------------------------------------------

    def _rewind(self) -> None:
        self.file.seek(0)
        self.digest = hashlib.sha256()

    def _next_line(self, limit: int = MAX_LINE_BYTES) -> bytes:
        try:
            line = self.file.readline(limit + 1)
        except OSError as error:
            self._unreadable(error)
        self.digest.update(line)
        self.line += 1
        if len(line) > limit:
            self._fail_line(f"longer than the {describe_size(limit)} keyless reads")
        return line

    def drain(self) -> None:
        """Read what is left of the file (into :attr:`digest`), unchecked."""
        while self._read(1 << 20):
            pass

    def _expect_end(self) -> None:
        while chunk := self._read(1 << 20):
            if chunk.strip():
                self._fail_line("text after the end of the document")

    def _read(self, size: int) -> bytes:
        try:
            data = self.file.read(size)
        except OSError as error:
            self._unreadable(error)
        self.digest.update(data)
        return data

    def _unreadable(self, error: OSError) -> NoReturn:
        """A read the system failed (an I/O error of the disk or the network file system):
        the snapshot is not read, and never taken for a shorter one."""
        raise InputError(f"cannot read {_WHAT}: {error.strerror}", where=str(self.path)) from None

    def _parse(self, data: bytes) -> Any:
        try:
            parsed = orjson.loads(data)
        except orjson.JSONDecodeError as error:
            bad = undecodable_at(data) if "UTF-8" in error.msg else None
            if bad is not None:
                self._fail_line(f"not UTF-8 text (byte {bad} of the line)")
            self._fail_line(f"not valid JSON (column {error.colno}: {error.msg})")
        # A line keyless wrote never repeats a key (keyless.duplicate_keys.refuse_duplicate_keys).
        try:
            repeated = find_duplicate_key(data)
        except RecursionError:
            self._fail_line("nested too deeply")
        except InexactNumber as error:
            self._fail_line(f"{error} of the line")
        if repeated is not None:
            self._fail_line(f"{DUPLICATE_KEY} (at {repeated[:300]} of the line)")
        return parsed

    def _fail_line(self, reason: str) -> NoReturn:
        raise InputError(f"malformed snapshot: line {self.line}: {reason}", where=str(self.path))

    def _fail(self, error: Invalid, prefix: str = "") -> NoReturn:
        raise InputError(
            f"malformed snapshot: {error.message}",
            where=f"{self.path}#{prefix}{error.pointer}"
            if prefix or error.pointer
            else str(self.path),
        ) from None
