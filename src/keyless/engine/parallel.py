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

import logging
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any

# Evidence and frozen policy documents are read-only mappings: packed registers how they
# pickle (as their items), for the findings on their way back from the workers too.
import keyless.engine.packed  # noqa: F401

#: Fewer prepared groups than this are judged in the scanning process: starting workers
#: costs more than a hundred-odd small analyses.
MIN_GROUPS = 200

#: At most this many groups are handed to a worker at a time (fewer round trips).
CHUNK = 32

log = logging.getLogger(__name__)


#: The default number of workers is one per CPU, up to this many: each worker builds its
#: own automata (100 to 200 MB on a messy account), so a 64-CPU machine would spend gigabytes.
DEFAULT_MAX_WORKERS = 8


def available_workers() -> int:
    """The default number of workers: the CPUs this process may run on (its affinity,
    where the platform says), at most :data:`DEFAULT_MAX_WORKERS`."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, DEFAULT_MAX_WORKERS))


def can_fork() -> bool:
    """True where worker processes are forked (Linux)."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


_job: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def ordered_map(
    task: Callable[[Any], Any],
    items: Sequence[Any],
    workers: int,
    weight: Callable[[Any], int] = lambda _: 1,
    meanwhile: Callable[[], object] | None = None,
) -> list[Any]:
    """``[task(item) for item in items]``, computed by ``workers`` forked processes.
    ``meanwhile`` is called in this process once the items are handed out, while the
    workers judge them (this process would otherwise only wait).

    The workers inherit ``task`` and ``items`` (nothing is pickled on the way in); each
    result is pickled back. The heaviest items (by ``weight``) are handed out first, the
    light ones in chunks that grow smaller towards the end, so that no worker is left with
    a large item, or a large chunk, while the others wait. An
    exception in ``task`` is raised here. A worker that dies (killed for memory, say) is
    not waited for: what was not judged yet is judged in this process.
    """
    global _job
    if _job is not None:
        raise RuntimeError("ordered_map does not nest")
    chunks = chunked([max(1, weight(item)) for item in items], workers)
    results: dict[int, Any] = {}
    _job = (task, items)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, context, initializer=_quiet_worker) as pool:
            pending = [pool.submit(_run_chunk, chunk) for chunk in chunks]
            try:
                if meanwhile is not None:
                    meanwhile()
                for future in as_completed(pending):
                    results.update(future.result())
            except BrokenProcessPool:
                log.warning("a worker process died; judging the rest in this process")
            finally:
                for future in pending:
                    future.cancel()
    finally:
        _job = None
    return [results[i] if i in results else task(items[i]) for i in range(len(items))]


def chunked(weights: Sequence[int], workers: int) -> list[list[int]]:
    """The indices of ``weights`` in the chunks they are handed out in: the heaviest
    first, at most :data:`CHUNK` to a chunk, each chunk about a 64th of a worker's share
    of the work, and the last ones smaller with the work left (a quarter of each worker's
    share of it), so that the workers finish together."""
    remaining = sum(weights)
    share = max(1, remaining // (workers * 64))
    chunks: list[list[int]] = []
    load = target = 0
    for index in sorted(range(len(weights)), key=lambda i: -weights[i]):
        if not chunks or len(chunks[-1]) >= CHUNK or load + weights[index] > target:
            chunks.append([])
            load = 0
            target = min(share, remaining // (workers * 4))
        chunks[-1].append(index)
        load += weights[index]
        remaining -= weights[index]
    return chunks


def _run_chunk(indices: list[int]) -> list[tuple[int, Any]]:
    assert _job is not None  # set by ordered_map before the workers were forked
    task, items = _job
    return [(index, task(items[index])) for index in indices]


def _quiet_worker() -> None:
    # Ctrl-C reaches the whole process group: the scanning process handles it (exit 130)
    # and stops the workers; a worker printing its own KeyboardInterrupt would be noise.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
