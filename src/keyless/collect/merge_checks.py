"""What makes snapshots impossible to merge into one (:func:`keyless.collect.shard.
merge_snapshots`), said as the cause rather than as its consequence.

Shards of two organizations (or of one organization's ID under two management
accounts), of two kinds of collection, or of two shard counts (``--shard I/4`` and
``--shard J/3``: each then collects accounts the other also collects, or leaves some to
no shard at all) are refused naming both snapshots; two snapshots collecting one account
are refused naming the shard both collected when they are shards (a job run twice).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from keyless.errors import InputError
from keyless.model import Inventory

#: The reason a shard records for an account another shard collects (``OTHER_SHARD``).
_LEFT_TO_SHARD = re.compile(r"collected by shard [0-9]{1,4}/([0-9]{1,4})")


def refuse_other_sources(paths: Sequence[Path], headers: Sequence[Inventory]) -> None:
    """Every snapshot must be of the first one's organization (ID and management account)
    and kind of collection."""
    first = headers[0]
    for path, header in zip(paths, headers, strict=True):
        if _organization(header) != _organization(first):
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


@dataclass
class ShardCounts:
    """The shard count (``N`` of ``--shard I/N``) each snapshot names in the reasons it
    records for the accounts it left to other shards, and the first account two
    snapshots both collected."""

    counts: dict[int, int] = field(default_factory=dict)
    overlap: tuple[str, int, int] | None = None

    def note_skipped(self, snapshot: int, reason: str | None) -> None:
        """Record the count a skipped account's ``reason`` names, if it names one."""
        left_to = _LEFT_TO_SHARD.fullmatch(reason or "")
        if left_to is not None:
            self.counts.setdefault(snapshot, int(left_to.group(1)))

    def note_overlap(self, account_id: str, first: int, snapshot: int) -> None:
        """``account_id`` is collected by snapshots ``first`` and ``snapshot``."""
        if self.overlap is None:
            self.overlap = (account_id, first, snapshot)

    def refuse(self, paths: Sequence[Path], shard_of: Callable[[str, int], int]) -> None:
        """Refuse shards of different counts, then snapshots that collected one account
        (``shard_of(account, count)``: the shard that collects it)."""
        counted = sorted(self.counts.items())
        for n, count in counted[1:]:
            first, first_count = counted[0]
            if count != first_count:
                raise InputError(
                    f"a shard of {count} (--shard I/{count}), and {paths[first]} one of"
                    f" {first_count}: the shards of one snapshot are collected with one count,"
                    " or some accounts are collected twice and others by no shard",
                    where=str(paths[n]),
                    hint="Collect every shard with the same --shard I/N count.",
                )
        if self.overlap is None:
            return
        account_id, first, n = self.overlap
        both = ""
        if first in self.counts and n in self.counts:
            count = self.counts[n]
            both = f" (both are shard {shard_of(account_id, count)}/{count}: one shard run twice?)"
        raise InputError(
            f"account {account_id} is collected in {paths[first]} too{both}: shards must"
            " not overlap",
            where=str(paths[n]),
        )


def _organization(inventory: Inventory) -> tuple[str, str] | None:
    org = inventory.organization
    return None if org is None else (org.id, org.management_account_id)


def _org_label(inventory: Inventory) -> str:
    org = inventory.organization
    if org is None:
        return "no organization"
    management = org.management_account_id or "unknown"
    return f"organization {org.id or '(unknown ID)'}, management account {management}"


def _origin_label(origin: str) -> str:
    return {
        "live": "a live account",
        "organization": "a live organization",
        "export": "an offline export",
        "demo": "the demo estate",
    }.get(origin, repr(origin))
