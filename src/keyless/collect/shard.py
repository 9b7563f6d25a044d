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

import dataclasses
import hashlib
import heapq
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from keyless.errors import InputError, KeylessError, quoted
from keyless.model import Account, AccountStatus, DatasetState, Inventory, Organization

if TYPE_CHECKING:
    from keyless.collect.offline.snapshot import SnapshotFile

_SHARD = re.compile(r"([0-9]{1,4})/([0-9]{1,4})")

#: The reason recorded for an account another shard collects.
OTHER_SHARD = "collected by shard {index}/{count}"
_OTHER_SHARD = re.compile(r"collected by shard ([0-9]{1,4}/[0-9]{1,4})")

#: What a merge records for an account left to a shard whose snapshot was not merged (or
#: that did not collect it: the account joined the organization after that shard listed it).
UNMERGED_SHARD = "not collected: left to shard {shard}, but no merged snapshot collected it"


@dataclass(frozen=True, slots=True)
class Shard:
    """Shard ``index`` of ``count`` (``0 <= index < count``)."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if not 1 <= self.count <= 1024 or not 0 <= self.index < self.count:
            raise KeylessError(
                f"--shard {self.index}/{self.count}: expected I/N with 0 <= I < N <= 1024",
                where="--shard",
            )

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``--shard I/N`` (``0/4`` … ``3/4``)."""
        matched = _SHARD.fullmatch(text.strip())
        if matched is None:
            raise KeylessError(
                f"--shard {quoted(text)}: expected I/N, such as 0/4", where="--shard"
            )
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


def merge_snapshots(paths: Sequence[Path]) -> tuple[Inventory, Iterator[Account]]:
    """The snapshots at ``paths`` (shards of one organization) as one: the first
    snapshot's envelope, the earliest collection time (shards collected more than a day
    apart are refused), and each account once, in ID
    order, from the snapshot that did not skip it. Streams: one account per snapshot is
    held at a time. Each snapshot is opened once and read twice through that one open
    file (:class:`~keyless.collect.offline.snapshot.SnapshotFile`): once for which
    account each collected, then for the accounts, which are what the first read saw (a
    snapshot rewritten in place between the reads is refused as the accounts are read).

    An account every snapshot skipped stays skipped (suspended, excluded), unless one of
    them left it to another shard ("collected by shard j/N"): that shard's snapshot is
    missing from ``paths``, so the account was never read and is written as failed
    (:data:`UNMERGED_SHARD`), which makes the merged snapshot incomplete (exit code 3),
    never skipped on purpose.

    Raises :class:`InputError` when the snapshots are of different organizations, or when
    two of them collected the same account.
    """
    from keyless.collect.offline.snapshot import SnapshotFile

    if not paths:
        raise InputError("nothing to merge: name the shards' snapshots")
    files: list[SnapshotFile] = []
    try:
        files.extend(SnapshotFile(path) for path in paths)  # those opened, should one fail
        envelope, owner, missing = _first_pass(paths, [file.read() for file in files])
    except BaseException:
        for file in files:
            file.close()
        raise
    return envelope, _merged(files, owner, missing)


def _first_pass(
    paths: Sequence[Path], reads: Sequence[tuple[Inventory, Iterator[Account]]]
) -> tuple[Inventory, dict[str, int], dict[str, str]]:
    """The merged envelope, the snapshot each account is taken from, and the accounts
    left to a shard no snapshot collected them in (with that shard)."""
    headers = [header for header, _ in reads]
    first = headers[0]
    for path, header in zip(paths, headers, strict=True):
        if (header.organization and header.organization.id) != (
            first.organization and first.organization.id
        ):
            raise InputError(
                "not a snapshot of the same organization as "
                f"{paths[0]} ({_org_label(header)} vs {_org_label(first)})",
                where=str(path),
            )
        if header.origin != first.origin:
            # One snapshot says where all of its accounts came from: a merge of a live
            # shard and an export would call the export's accounts live (or the reverse).
            raise InputError(
                f"a snapshot of {_origin_label(header.origin)}, and {paths[0]} one of"
                f" {_origin_label(first.origin)}: the shards of one snapshot come from one"
                " source",
                where=str(path),
                hint="Merge the shards of one kind of collection; scan the others on their own.",
            )
    owner: dict[str, int] = {}  # the snapshot each account is taken from
    collected: set[str] = set()
    unmerged: dict[str, str] = {}  # account -> the shard it was left to
    for n, (path, (_, accounts)) in enumerate(zip(paths, reads, strict=True)):
        for account in accounts:
            if account.status is AccountStatus.SKIPPED:
                owner.setdefault(account.id, n)  # unless another snapshot collected it
                left_to = _OTHER_SHARD.fullmatch(account.error or "")
                if left_to is not None:
                    unmerged.setdefault(account.id, left_to.group(1))
                continue
            if account.id in collected:
                raise InputError(
                    f"account {account.id} is collected in {paths[owner[account.id]]} too:"
                    " shards must not overlap",
                    where=str(path),
                )
            collected.add(account.id)
            owner[account.id] = n
    envelope = dataclasses.replace(
        first,
        accounts=(),
        collected_at=_one_time(paths, headers),
        organization=_organization(paths, headers),
    )
    missing = {account: shard for account, shard in unmerged.items() if account not in collected}
    return envelope, owner, missing


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


def _origin_label(origin: str) -> str:
    return {
        "live": "a live account",
        "organization": "a live organization",
        "export": "an offline export",
        "demo": "the demo estate",
    }.get(origin, repr(origin))


def _spread(gap: timedelta) -> str:
    days = gap.days
    return f"{days} days" if days != 1 else "1 day"


def _merged(
    files: Sequence[SnapshotFile], owner: dict[str, int], missing: dict[str, str]
) -> Iterator[Account]:
    def kept(n: int) -> Iterator[tuple[str, int, Account]]:
        _, accounts = files[n].read()
        for account in accounts:
            if owner.get(account.id) != n:
                continue
            if account.id in missing:
                reason = UNMERGED_SHARD.format(shard=missing[account.id])
                account = dataclasses.replace(account, status=AccountStatus.FAILED, error=reason)
            yield account.id, n, account

    try:
        # Each (ID, snapshot) comes once, so accounts themselves are never compared.
        for _, _, account in heapq.merge(*(kept(n) for n in range(len(files)))):
            yield account
    finally:
        for file in files:
            file.close()


def _org_label(inventory: Inventory) -> str:
    return (
        f"organization {inventory.organization.id}" if inventory.organization else "no organization"
    )
