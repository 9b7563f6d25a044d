"""Worker processes for the costly part of a scan: the groups of roles that share a
prepared trust analysis.

Each group is independent (its analysis is prepared from its own trust policy and dropped
when the group is done), so groups can be judged in other processes. The workers are
forked from the scanning process once the account is loaded, so they read the inventory
they inherit and nothing is sent to them but a group's index; what comes back is each
group's findings, counts and not-evaluated entries, in the order the groups were given,
so a parallel scan's result is the serial scan's, finding for finding.

Forking is used only where it is the platform's reliable default (Linux); elsewhere, and
for groups too few to repay starting processes, the scan stays in one process.
"""

from __future__ import annotations

import copyreg
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Sequence
from types import MappingProxyType
from typing import Any

#: Fewer prepared groups than this are judged in the scanning process: starting workers
#: costs more than a hundred-odd small analyses.
MIN_GROUPS = 200

#: Groups handed to a worker at a time (fewer round trips, still balanced).
CHUNK = 8


def available_workers() -> int:
    """The CPUs this process may run on (its affinity, where the platform says)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """True where worker processes are forked (Linux)."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _read_only(items: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(items)


# Evidence and frozen policy documents are read-only mappings; they travel as their items.
copyreg.pickle(MappingProxyType, lambda proxy: (_read_only, (dict(proxy),)))

_job: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def ordered_map(
    task: Callable[[Any], Any],
    items: Sequence[Any],
    workers: int,
    weight: Callable[[Any], int] = lambda _: 1,
) -> list[Any]:
    """``[task(item) for item in items]``, computed by ``workers`` forked processes.

    The workers inherit ``task`` and ``items`` (nothing is pickled on the way in); each
    result is pickled back. The heaviest items (by ``weight``) are handed out first, one
    at a time, and the light ones in chunks, so that no worker is left with a large item
    at the end. An exception in a worker is raised here and stops the others.
    """
    global _job
    if _job is not None:
        raise RuntimeError("ordered_map does not nest")
    order = sorted(range(len(items)), key=lambda index: -weight(items[index]))
    chunks: list[list[int]] = []
    for index in order:
        if chunks and len(chunks[-1]) < CHUNK and weight(items[chunks[-1][0]]) <= 1:
            chunks[-1].append(index)
        else:
            chunks.append([index])
    results: list[Any] = [None] * len(items)
    _job = (task, items)
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(workers, initializer=_quiet_worker) as pool:
            for done in pool.imap_unordered(_run_chunk, chunks):
                for index, result in done:
                    results[index] = result
    finally:
        _job = None
    return results


def _run_chunk(indices: list[int]) -> list[tuple[int, Any]]:
    assert _job is not None  # set by ordered_map before the workers were forked
    task, items = _job
    return [(index, task(items[index])) for index in indices]


def _quiet_worker() -> None:
    # Ctrl-C reaches the whole process group: the scanning process handles it (exit 130)
    # and stops the workers; a worker printing its own KeyboardInterrupt would be noise.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
