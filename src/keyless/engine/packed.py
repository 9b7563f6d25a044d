"""Findings held packed, so that an organization's findings cost little memory.

A scan of a large organization finds hundreds of thousands of problems (most with trust
witnesses). Held as objects they would outweigh the largest account, so the engine keeps
them the way a file would:

* :class:`FindingPack` - an append-only list in blocks of :data:`BLOCK` findings. Each
  block is pickled and compressed (zlib, level 1) as it fills: the findings of one check
  repeat the same names, remediation and evidence keys, so a block shrinks about tenfold,
  and only the open block is held as objects.
* :class:`FindingSorter` - the scan's findings in the report's order (``sort_key``, ties
  in the order they were added, as a stable sort would leave them). Only the sort keys are
  held while sorting; the findings stay in their packs.
* :class:`SortedFindings` - the sorted result: a read-only :class:`~collections.abc.Sequence`
  that decodes a window of :data:`WINDOW` findings at a time, each block it needs once per
  window, with the counts a summary needs (:class:`FindingCounts`) taken while sorting.

The blocks are this process's own pickles, never read from or written to anything else.
"""

from __future__ import annotations

import copyreg
import pickle
import zlib
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from types import MappingProxyType
from typing import Any, overload

from keyless.findings import Finding, ResourceLocation, Severity

#: Findings per block: large enough to compress well, small enough to decode at once.
BLOCK = 256
#: Findings decoded at a time when the sorted findings are read in order.
WINDOW = 4 * BLOCK
#: zlib's fastest level: the blocks compress about tenfold already.
LEVEL = 1

_SEVERITIES = {severity.value: severity for severity in Severity}


def _read_only(items: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(items)


# Evidence and frozen policy documents are read-only mappings; they are pickled as their
# items (in blocks here, and on the way back from worker processes).
copyreg.pickle(MappingProxyType, lambda proxy: (_read_only, (dict(proxy),)))

#: A finding as a block holds it: plain values pickle in C, a dataclass does not.
Row = tuple[str, str, Any, str, str, Mapping[str, Any], Mapping[str, Any] | None]


def _row(finding: Finding) -> Row:
    location = finding.location
    where: Any = (
        (location.arn, location.account) if isinstance(location, ResourceLocation) else location
    )
    return (
        finding.check,
        finding.severity.value,
        where,
        finding.message,
        finding.remediation,
        finding.evidence,
        finding.witness,
    )


def _finding(row: Row) -> Finding:
    check, severity, where, message, remediation, evidence, witness = row
    location = ResourceLocation(*where) if isinstance(where, tuple) else where
    return Finding(check, _SEVERITIES[severity], location, message, remediation, evidence, witness)


def _pack(findings: Iterable[Finding]) -> bytes:
    rows = [_row(finding) for finding in findings]
    return zlib.compress(pickle.dumps(rows, pickle.HIGHEST_PROTOCOL), LEVEL)


def _unpack(block: bytes) -> list[Row]:
    # The block was pickled by _pack in this process: nothing else is ever unpickled.
    rows: list[Row] = pickle.loads(zlib.decompress(block))  # noqa: S301
    return rows


class FindingPack:
    """An append-only list of findings, held in compressed blocks of :data:`BLOCK`."""

    __slots__ = ("_blocks", "_open")

    def __init__(self, findings: Iterable[Finding] = ()) -> None:
        self._blocks: list[bytes] = []
        self._open: list[Finding] = []
        for finding in findings:
            self.append(finding)

    def append(self, finding: Finding) -> None:
        """Add ``finding`` at the end; a full block is packed at once."""
        self._open.append(finding)
        if len(self._open) >= BLOCK:
            self._blocks.append(_pack(self._open))
            self._open = []

    def __len__(self) -> int:
        return len(self._blocks) * BLOCK + len(self._open)

    def __iter__(self) -> Iterator[Finding]:
        for block in self._blocks:
            yield from map(_finding, _unpack(block))
        yield from list(self._open)

    def sealed(self) -> tuple[bytes, ...]:
        """Every block, the open one packed too (the pack may still grow afterwards)."""
        return (*self._blocks, _pack(self._open)) if self._open else tuple(self._blocks)


@dataclass(frozen=True, slots=True)
class FindingCounts:
    """How many findings there are of each severity, in each account and of each check."""

    severities: Mapping[Severity, int]
    accounts: Mapping[str, Mapping[Severity, int]]
    checks: Mapping[str, int]

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> FindingCounts:
        """The counts of ``findings``, in one pass."""
        counter = _Counter()
        for finding in findings:
            counter.add(finding)
        return counter.counts()

    def at_or_above(self, severity: Severity) -> int:
        """How many findings are at or above ``severity``."""
        return sum(count for s, count in self.severities.items() if s >= severity)


class _Counter:
    __slots__ = ("_accounts", "_checks")

    def __init__(self) -> None:
        self._accounts: dict[str, Counter[Severity]] = {}
        self._checks: Counter[str] = Counter()

    def add(self, finding: Finding) -> None:
        account = finding.account
        counts = self._accounts.get(account)
        if counts is None:
            counts = self._accounts[account] = Counter()
        counts[finding.severity] += 1
        self._checks[finding.check] += 1

    def counts(self) -> FindingCounts:
        total: Counter[Severity] = Counter()
        for counts in self._accounts.values():
            total.update(counts)
        return FindingCounts(
            severities=MappingProxyType({s: total.get(s, 0) for s in Severity}),
            accounts=MappingProxyType(
                {
                    account: MappingProxyType({s: counts.get(s, 0) for s in Severity})
                    for account, counts in self._accounts.items()
                }
            ),
            checks=MappingProxyType(dict(self._checks)),
        )


def count_findings(findings: Iterable[Finding]) -> FindingCounts:
    """The counts of ``findings``: taken while sorting for :class:`SortedFindings`,
    counted in one pass otherwise."""
    if isinstance(findings, SortedFindings):
        return findings.counts
    return FindingCounts.of(findings)


#: How many leading fields of a sort key split a run into segments: kind, severity and
#: check for a finding about a resource (see :attr:`keyless.findings.Finding.sort_key`).
SEGMENT = 3


@dataclass(slots=True)
class _Segment:
    """Findings of one run with the same key prefix, in their final order."""

    prefix: tuple[Any, ...]
    pack: int  # the pack's index in the sorter
    positions: array[int]


class FindingSorter:
    """Findings from packs, put in the report's order: by ``sort_key``, ties in the order
    they were added (what a stable sort of the concatenated findings gives).

    Only one *run*'s sort keys are held at a time (the findings added from one pack in a
    row: in a scan, one check's). A run is sorted when the next one begins, and split into
    segments of the same key prefix (:data:`SEGMENT`); a segment whose prefix no other run
    has is in its final order already, so the result is the segments in prefix order.
    Segments of one prefix from several runs (findings of one check in two packs) are
    merged by their full keys, read again from the packs.
    """

    __slots__ = ("_counter", "_keys", "_packs", "_positions", "_run", "_segments", "_sources")

    def __init__(self) -> None:
        self._packs: list[FindingPack] = []
        self._sources: dict[int, int] = {}  # id(pack) -> its index in _packs
        self._segments: list[_Segment] = []
        self._keys: list[tuple[Any, ...]] = []  # the open run's
        self._positions = array("q")  # the open run's
        self._run: FindingPack | None = None  # the open run's pack
        self._counter = _Counter()

    def add(self, finding: Finding, pack: FindingPack, position: int) -> None:
        """Report ``finding``, which is ``pack[position]``: the pack is read again (not
        copied) when the sorted findings are."""
        if self._run is not pack:
            self._close_run()
            if id(pack) not in self._sources:
                self._sources[id(pack)] = len(self._packs)
                self._packs.append(pack)
            self._run = pack
        self._keys.append(finding.sort_key)
        self._positions.append(position)
        self._counter.add(finding)

    def _close_run(self) -> None:
        keys, positions = self._keys, self._positions
        if not keys:
            return
        pack = self._sources[id(self._run)]
        segment = _Segment((), pack, array("q"))
        for at in sorted(range(len(keys)), key=keys.__getitem__):  # stable: ties keep order
            prefix = keys[at][:SEGMENT]
            if not segment.positions or prefix != segment.prefix:
                segment = _Segment(prefix, pack, array("q"))
                self._segments.append(segment)
            segment.positions.append(positions[at])
        self._keys, self._positions = [], array("q")

    def sorted(self) -> SortedFindings:
        """The findings added so far, in order (the sorter is left empty)."""
        self._close_run()
        blocks = [pack.sealed() for pack in self._packs]
        offsets = [0]
        for pack_blocks in blocks[:-1]:
            offsets.append(offsets[-1] + len(pack_blocks))
        located = array("q")
        segments = sorted(self._segments, key=lambda s: s.prefix)  # stable: runs keep order
        for _, same in groupby(segments, key=lambda s: s.prefix):
            group = list(same)
            places = (
                ((group[0].pack, position) for position in group[0].positions)
                if len(group) == 1
                else _merged(group, blocks)
            )
            # Each place becomes its block's index among all blocks, and its slot there.
            for pack, position in places:
                block, slot = divmod(position, BLOCK)
                located.append((offsets[pack] + block) * BLOCK + slot)
        counts = self._counter.counts()
        self._packs, self._sources, self._segments, self._counter = [], {}, [], _Counter()
        self._run = None
        every_block = tuple(block for pack_blocks in blocks for block in pack_blocks)
        return SortedFindings(every_block, located, counts)


def _merged(group: list[_Segment], blocks: list[tuple[bytes, ...]]) -> list[tuple[int, int]]:
    """The places of segments of one prefix from several runs, in order: by full key,
    ties by run (then by their order in the run, which is already theirs)."""
    places = [(segment.pack, position) for segment in group for position in segment.positions]
    keys: list[tuple[Any, ...]] = []
    cached: tuple[tuple[int, int], list[Row]] = ((-1, -1), [])
    for pack, position in places:
        block, slot = divmod(position, BLOCK)
        if cached[0] != (pack, block):
            cached = ((pack, block), _unpack(blocks[pack][block]))
        keys.append(_finding(cached[1][slot]).sort_key)
    return [places[at] for at in sorted(range(len(places)), key=keys.__getitem__)]


class SortedFindings(Sequence[Finding]):
    """A scan's findings in the report's order, held packed (see the module docstring).

    Read in order (iteration), it decodes :data:`WINDOW` findings at a time, each block
    they come from once; one finding by index decodes its block (the last one is kept).
    """

    __slots__ = ("_blocks", "_cache", "_located", "counts")

    def __init__(
        self, blocks: tuple[bytes, ...], located: array[int], counts: FindingCounts
    ) -> None:
        self._blocks = blocks
        self._located = located  # the n-th finding is block located[n] // BLOCK, slot % BLOCK
        self._cache: tuple[int, list[Row]] = (-1, [])
        self.counts = counts

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> SortedFindings:
        """``findings`` sorted (a convenience for tests and small scans)."""
        pack = FindingPack()
        sorter = FindingSorter()
        for position, finding in enumerate(findings):
            pack.append(finding)
            sorter.add(finding, pack, position)
        return sorter.sorted()

    def __len__(self) -> int:
        return len(self._located)

    @overload
    def __getitem__(self, index: int) -> Finding: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Finding, ...]: ...

    def __getitem__(self, index: int | slice) -> Finding | tuple[Finding, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        block, slot = divmod(self._located[index], BLOCK)
        cached, rows = self._cache
        if cached != block:
            rows = _unpack(self._blocks[block])
            self._cache = (block, rows)
        return _finding(rows[slot])

    def __iter__(self) -> Iterator[Finding]:
        located = self._located
        for start in range(0, len(located), WINDOW):
            yield from self._window(located[start : start + WINDOW])

    def _window(self, located: array[int]) -> list[Finding]:
        wanted: dict[int, list[tuple[int, int]]] = {}
        for index, at in enumerate(located):
            block, slot = divmod(at, BLOCK)
            wanted.setdefault(block, []).append((index, slot))
        found: list[tuple[int, Finding]] = []
        for block in sorted(wanted):
            rows = _unpack(self._blocks[block])
            found += ((index, _finding(rows[slot])) for index, slot in wanted[block])
        found.sort(key=itemgetter(0))
        return [finding for _, finding in found]

    def __repr__(self) -> str:
        return f"SortedFindings({len(self)} findings in {len(self._blocks)} blocks)"
