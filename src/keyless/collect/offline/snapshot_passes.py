"""A snapshot read in more than one pass from one open file: ``scan --snapshot`` reads
each account's ID, then the accounts; ``keyless merge`` reads each shard for which
accounts it collected, then for the accounts. Opening the file again by its name for the
second pass would read whatever was there by then (a snapshot replaced meanwhile): every
pass here reads the same open file, and checks it read the first pass's bytes."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from keyless.collect.offline.snapshot import _WHAT, _gc_paused, _Reader
from keyless.errors import InputError
from keyless.files import open_regular
from keyless.model import Account, Inventory


def stream_snapshot(path: str | Path) -> tuple[Inventory, Iterator[Account]]:
    """The snapshot as its outline (the envelope, with every account by ID alone) and its
    accounts one at a time (:func:`iter_snapshot_accounts`). The IDs are read first, in a
    pass that does not decode the accounts, and the accounts from the same open file
    (:class:`SnapshotFile`): a snapshot replaced between the passes is not seen, one
    written again in place is refused. Errors as :func:`load_snapshot`."""
    file = SnapshotFile(Path(path))
    try:
        header, ids = file.read_ids()
    except BaseException:
        file.close()
        raise
    return dataclasses.replace(header, accounts=tuple(Account(id=i) for i in ids)), _closing(file)


def _closing(file: SnapshotFile) -> Iterator[Account]:
    """The accounts of ``file``'s next pass, the file closed once they are read."""
    try:
        with _gc_paused():
            _, accounts = file.read()
        yield from accounts
    finally:
        file.close()


class SnapshotFile:
    """A snapshot opened once and read in as many passes as its reader needs (``keyless
    merge`` reads each shard twice: which accounts it collected, then the accounts).

    Every pass reads the same open file, so a snapshot renamed over meanwhile is not
    seen, and each pass after the first ends by checking that it read the bytes the
    first one read: a snapshot written again in place is refused (:class:`InputError`),
    never merged as something other than what the first pass validated."""

    def __init__(self, path: Path):
        self.path = path
        self.file: IO[bytes] = open_regular(path, _WHAT)
        self._digest: bytes | None = None

    def __enter__(self) -> SnapshotFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.file.close()

    def read(self) -> tuple[Inventory, Iterator[Account]]:
        """One pass: the envelope, and the accounts one at a time."""
        reader = self._reader()
        return reader.header, self._accounts(reader)

    def read_ids(self) -> tuple[Inventory, tuple[str, ...]]:
        """One pass: the envelope, and each account's ID (the accounts not decoded)."""
        reader = self._reader()
        ids = tuple(reader.account_ids())
        reader.drain()
        self._passed(reader)
        return reader.header, ids

    def _reader(self) -> _Reader:
        try:
            self.file.seek(0)
        except OSError as error:
            raise InputError(
                f"cannot read {_WHAT}: {error.strerror}", where=str(self.path)
            ) from None
        return _Reader(self.path, self.file)

    def _accounts(self, reader: _Reader) -> Iterator[Account]:
        yield from reader.accounts()
        self._passed(reader)

    def _passed(self, reader: _Reader) -> None:
        """A pass read the whole file: its bytes are the first pass's, or refused."""
        digest = reader.digest.digest()
        if self._digest is None:
            self._digest = digest
        elif digest != self._digest:
            raise InputError(
                f"{_WHAT} changed while keyless read it (it was written again in place)",
                where=str(self.path),
                hint="Run the command again once the snapshot is written.",
            )
