"""Past one machine: an organization collected in shards, and the shards' snapshots
merged back into one.

``keyless collect --org --shard I/N`` collects the accounts :class:`Shard` ``I/N`` owns
(the others are recorded as skipped, so every shard's snapshot still names every
account of the organization); ``keyless merge`` takes each account from the snapshot
that collected it. Every shard reads the organization-level data (the organization, its
account list and IAM Identity Center: about 15 calls from the management account), so
any shard's snapshot scans on its own; the merge keeps Identity Center from a shard that
read it (shards that read it differently are refused), and refuses shards of different
sources (a live organization and an offline export).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import heapq
import re
from collections.abc import Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from keyless.collect.merge_checks import ShardCounts, refuse_other_sources
from keyless.errors import InputError, KeylessError, quoted
from keyless.model import Account, AccountStatus, DatasetState, Inventory, Organization

if TYPE_CHECKING:
    from keyless.collect.offline.snapshot_passes import SnapshotFile

_SHARD = re.compile(r"([0-9]{1,4})/([0-9]{1,4})")

#: The reason recorded for an account another shard collects.
OTHER_SHARD = "collected by shard {index}/{count}"
_OTHER_SHARD = re.compile(r"collected by shard ([0-9]{1,4}/[0-9]{1,4})")

#: The reason recorded for an account ``collect --org`` leaves out on purpose.
EXCLUDED = "excluded by --exclude-accounts"
#: The reason recorded for an account outside ``--accounts``: left to another batch, when
#: an organization is collected in ``--accounts`` batches.
NOT_SELECTED = "not selected by --accounts"

#: What a merge records for an account left to a shard whose snapshot was not merged (or
#: that did not collect it: the account joined the organization after that shard listed it).
UNMERGED_SHARD = "not collected: left to shard {shard}, but no merged snapshot collected it"
#: What a merge records for an account outside the ``--accounts`` of every merged snapshot.
UNSELECTED = "not collected: no merged snapshot selected it with --accounts"


@dataclass(frozen=True)
class MergedSnapshots:
    """What :func:`merge_snapshots` returns: the merged snapshot's envelope, its accounts
    (one at a time, each read once), and the accounts no merged snapshot collected nor
    left out on purpose (ID -> the reason written for it: :data:`UNMERGED_SHARD` or
    :data:`UNSELECTED`), written as failed.

    It holds every snapshot open until the accounts are exhausted or it is closed: use
    it as a context manager, so that the files are closed on every path, an exception
    while the accounts are written (a full disk) or before they are read included."""

    envelope: Inventory
    accounts: Iterator[Account]
    uncovered: Mapping[str, str]
    _files: contextlib.ExitStack = field(
        default_factory=contextlib.ExitStack, repr=False, compare=False
    )

    def close(self) -> None:
        """Close every snapshot (the accounts can no longer be read)."""
        self._files.close()

    def __enter__(self) -> MergedSnapshots:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True, slots=True)
class Shard:
    """Shard ``index`` of ``count`` (``0 <= index < count``)."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if not 1 <= self.count <= 1024 or not 0 <= self.index < self.count:
            raise KeylessError(
                f"{self.index}/{self.count} is not I/N with 0 <= I < N <= 1024",
                where="--shard",
            )

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``--shard I/N`` (``0/4`` … ``3/4``)."""
        matched = _SHARD.fullmatch(text.strip())
        if matched is None:
            raise KeylessError(f"{quoted(text)} is not I/N, such as 0/4", where="--shard")
        return cls(int(matched.group(1)), int(matched.group(2)))

    def owns(self, account_id: str) -> bool:
        """True when this shard collects ``account_id``."""
        return shard_of(account_id, self.count) == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def shard_of(account_id: str, count: int) -> int:
    """The shard of ``count`` that collects ``account_id``: the first 8 bytes of the
    ID's SHA-256, modulo ``count``. Stable across runs, machines and Python versions
    (unlike ``hash()``), and even: accounts created together do not land together."""
    digest = hashlib.sha256(account_id.encode("ascii")).digest()
    return int.from_bytes(digest[:8], "big") % count


def _refuse_named_twice(paths: Sequence[Path]) -> None:
    """One file named twice (or under two names: a link, ``./x``) is a slip, not two
    overlapping shards: said as such."""
    seen: dict[tuple[int, int], Path] = {}
    for path in paths:
        try:
            status = path.stat()
        except OSError:
            continue  # the snapshot reader says why it cannot be read
        first = seen.setdefault((status.st_dev, status.st_ino), path)
        if first is not path:
            again = (
                f"{quoted(str(path))} is named twice"
                if str(path) == str(first)
                else f"{quoted(str(path))} is the snapshot {quoted(str(first))} named again"
            )
            raise InputError(f"{again}: name each shard's snapshot once")


def merge_snapshots(paths: Sequence[Path]) -> MergedSnapshots:
    """The snapshots at ``paths`` (shards of one organization) as one: the first
    snapshot's envelope, the earliest collection time (shards collected more than a day
    apart are refused), and each account once, from the snapshot that did not skip it
    (merged by account ID, keeping each snapshot's own order: ID order when every snapshot
    lists its accounts in ID order). Streams: one account per snapshot is
    held at a time. Each snapshot is opened once and read twice through that one open
    file (:class:`~keyless.collect.offline.snapshot_passes.SnapshotFile`): once for which
    account each collected, then for the accounts, which are what the first read saw (a
    snapshot rewritten in place between the reads is refused as the accounts are read).

    An account no snapshot collected stays skipped when one of them left it out on purpose
    (suspended, ``--exclude-accounts``, or outside an ``--accounts`` every snapshot
    shares). One they all only left to another shard ("collected by shard j/N") or, when
    their ``--accounts`` differ (batches), to another batch was never read: that shard's
    or batch's snapshot is missing from ``paths``, so it is written as failed
    (:data:`UNMERGED_SHARD`, :data:`UNSELECTED`), which makes the merged snapshot
    incomplete (exit code 3), never skipped on purpose.

    Raises :class:`InputError` when the snapshots are of different organizations (or
    kinds of collection, or shard counts), or when two of them collected the same account
    (:mod:`keyless.collect.merge_checks`).
    """
    from keyless.collect.offline.snapshot_passes import SnapshotFile

    if not paths:
        raise InputError("nothing to merge: name the shards' snapshots")
    _refuse_named_twice(paths)
    with contextlib.ExitStack() as opened:  # those opened are closed, should one fail
        files = [opened.enter_context(SnapshotFile(path)) for path in paths]
        envelope, owner, missing = _first_pass(paths, [file.read() for file in files])
        accounts = _merged(files, owner, missing)
        # From here the merged snapshots own the files (and close the accounts first).
        owned = opened.pop_all()
    owned.callback(accounts.close)
    return MergedSnapshots(envelope, accounts, MappingProxyType(missing), owned)


def _first_pass(
    paths: Sequence[Path], reads: Sequence[tuple[Inventory, Iterator[Account]]]
) -> tuple[Inventory, dict[str, int], dict[str, str]]:
    """The merged envelope, the snapshot each account is taken from, and the accounts no
    snapshot collected nor left out on purpose (with the reason written for them)."""
    headers = [header for header, _ in reads]
    first = headers[0]
    refuse_other_sources(paths, headers)
    counts = ShardCounts()
    coverage = _Coverage()
    for n, (_, accounts) in enumerate(reads):
        selected: set[str] = set()
        for account in accounts:
            if account.status is AccountStatus.SKIPPED and account.error == NOT_SELECTED:
                coverage.owner.setdefault(account.id, n)
                coverage.unselected.add(account.id)
                continue
            selected.add(account.id)
            if account.status is AccountStatus.SKIPPED:
                counts.note_skipped(n, account.error)
                coverage.skipped(n, account)
            elif account.id in coverage.collected:
                # Said once every snapshot is read: shards of two counts overlap too.
                counts.note_overlap(account.id, coverage.owner[account.id], n)
            else:
                coverage.collected.add(account.id)
                coverage.owner[account.id] = n
        coverage.selections.add(frozenset(selected))
    counts.refuse(paths, shard_of)
    envelope = dataclasses.replace(
        first,
        accounts=(),
        collected_at=_one_time(paths, headers),
        organization=_organization(paths, headers),
    )
    return envelope, coverage.owner, coverage.missing()


@dataclass
class _Coverage:
    """Which merged snapshot collected each account, and why the others left it out."""

    owner: dict[str, int] = dataclasses.field(default_factory=dict)  # the one taken
    collected: set[str] = dataclasses.field(default_factory=set)
    deliberate: set[str] = dataclasses.field(default_factory=set)  # out on purpose
    to_shard: dict[str, str] = dataclasses.field(default_factory=dict)  # left to a shard
    unselected: set[str] = dataclasses.field(default_factory=set)  # outside an --accounts
    #: Each snapshot's accounts but those outside its ``--accounts``: all alike when the
    #: snapshots are shards of one selection, different when they are batches.
    selections: set[frozenset[str]] = dataclasses.field(default_factory=set)

    def skipped(self, n: int, account: Account) -> None:
        left_to = _OTHER_SHARD.fullmatch(account.error or "")
        if left_to is not None:
            self.owner.setdefault(account.id, n)  # unless another snapshot collected it
            self.to_shard.setdefault(account.id, UNMERGED_SHARD.format(shard=left_to.group(1)))
            return
        # Suspended, or excluded: the snapshot that says why it is out is kept.
        if account.id not in self.collected and account.id not in self.deliberate:
            self.owner[account.id] = n
        self.deliberate.add(account.id)

    def missing(self) -> dict[str, str]:
        """The accounts no snapshot collected nor left out on purpose, with the reason
        written for them. Outside every snapshot's ``--accounts`` is on purpose when the
        snapshots share one selection (the shards of ``--accounts A,B --shard I/N``), a
        batch's snapshot missing when their selections differ."""
        batches = len(self.selections) > 1
        uncovered = self.to_shard.keys() | (self.unselected if batches else set())
        return {
            account: self.to_shard.get(account, UNSELECTED)
            for account in sorted(uncovered)
            if account not in self.collected and account not in self.deliberate
        }


#: How far apart the shards of one merged snapshot may have been collected.
MERGE_SPREAD = timedelta(days=1)


def _one_time(paths: Sequence[Path], headers: Sequence[Inventory]) -> datetime | None:
    """The merged snapshot's ``collected_at``: the earliest of the shards'. A scan of it
    measures every account's ages against that one moment, so shards collected further
    apart than :data:`MERGE_SPREAD` are refused: the later ones' keys would look younger
    by the gap, and one created in between would be judged before it existed."""
    times = [(h.collected_at, path) for h, path in zip(headers, paths, strict=True)]
    known = [(time, path) for time, path in times if time is not None]
    if not known:
        return None
    earliest, first = min(known)
    latest, last = max(known)
    if latest - earliest > MERGE_SPREAD:
        raise InputError(
            f"collected {_spread(latest - earliest)} after {first}: a merged snapshot is"
            " judged as of one moment, so its shards must be collected together (within"
            " a day)",
            where=str(last),
            hint="Collect the shards again in one run, or scan each snapshot on its own.",
        )
    return earliest


def _organization(paths: Sequence[Path], headers: Sequence[Inventory]) -> Organization | None:
    """The merged snapshot's organization, with IAM Identity Center as the shards that read
    it saw it: a shard whose read failed (or partly failed) does not make the merge
    incomplete when another read it whole, and shards that read it whole but differently
    (an assignment made between them) are refused, naming both, rather than one kept
    silently."""
    first = headers[0].organization
    read = [
        (header.organization, path)
        for header, path in zip(headers, paths, strict=True)
        if header.organization is not None
        and header.organization.identity_center_state.state is DatasetState.AVAILABLE
    ]
    # A read whose calls all answered is preferred to one with a failed call.
    whole = [
        (org, path)
        for org, path in read
        if org.identity_center and not org.identity_center.failed_calls
    ]
    if not whole:
        return read[0][0] if read else first
    chosen, where = whole[0]
    for other, path in whole[1:]:
        if other.identity_center != chosen.identity_center:
            raise InputError(
                f"IAM Identity Center differs from {where}'s (its permission sets or"
                " assignments changed between the shards): one snapshot has one",
                where=str(path),
                hint="Collect the shards again in one run.",
            )
    return chosen


def _spread(gap: timedelta) -> str:
    days = gap.days
    return f"{days} days" if days != 1 else "1 day"


def _merged(
    files: Sequence[SnapshotFile], owner: dict[str, int], missing: dict[str, str]
) -> Generator[Account, None, None]:
    def kept(n: int) -> Iterator[tuple[str, int, Account]]:
        _, accounts = files[n].read()
        for account in accounts:
            if owner.get(account.id) != n:
                continue
            if account.id in missing:
                reason = missing[account.id]
                account = dataclasses.replace(account, status=AccountStatus.FAILED, error=reason)
            yield account.id, n, account

    try:
        # Each (ID, snapshot) comes once, so accounts themselves are never compared.
        for _, _, account in heapq.merge(*(kept(n) for n in range(len(files)))):
            yield account
    finally:
        for file in files:
            file.close()
