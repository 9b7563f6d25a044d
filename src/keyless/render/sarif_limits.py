"""GitHub code scanning's limits on an uploaded SARIF file, checked on what keyless
writes. A log past a limit is still written whole and valid (another SARIF reader may
take it); keyless warns on stderr (``logging``), naming the limit and what GitHub does:
rejects the upload, or keeps only part of it.

The limits are GitHub's, as documented in "SARIF support for code scanning"
(https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning#validating-your-sarif-file)
and "SARIF results exceed one or more limits"
(https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/results-exceed-limit).
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

LIMITS_URL = (
    "https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/"
    "results-exceed-limit"
)

#: The largest upload GitHub accepts: the SARIF file compressed with gzip (as
#: ``github/codeql-action/upload-sarif`` sends it).
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limit:
    """How many of something GitHub accepts (``maximum``: more is rejected) and, where it
    keeps fewer than it accepts, how many it shows (``shown``)."""

    what: str
    maximum: int
    shown: int | None = None


RUNS = Limit("runs per file", 20)
RESULTS = Limit("results per run", 25_000, 5_000)
RULES = Limit("rules per run", 25_000)
EXTENSIONS = Limit("tool extensions per run", 100)
LOCATIONS = Limit("locations per result", 1_000, 100)
THREAD_FLOW_LOCATIONS = Limit("thread flow locations per result", 10_000, 1_000)
TAGS = Limit("tags per rule", 20, 10)


def past_limits(sarif: Mapping[str, Any], *, results: int | None = None) -> list[str]:
    """What of ``sarif`` is past one of GitHub's limits, one sentence each. ``results``:
    the number of results of its one run when they are streamed (not a list yet)."""
    problems: list[str] = []
    runs = sarif.get("runs") or []
    _check(problems, RUNS, len(runs), "the file")
    for number, run in enumerate(runs, start=1):
        where = f"run {number}"
        listed = run.get("results")
        count = results if results is not None else len(listed or ())
        _check(problems, RESULTS, count, where)
        driver = (run.get("tool") or {}).get("driver") or {}
        rules = driver.get("rules") or []
        _check(problems, RULES, len(rules), where)
        _check(problems, EXTENSIONS, len((run.get("tool") or {}).get("extensions") or ()), where)
        for rule in rules:
            tags = (rule.get("properties") or {}).get("tags") or ()
            _check(problems, TAGS, len(tags), f"rule {rule.get('id')} of {where}")
        for index, result in enumerate(listed if isinstance(listed, list) else ()):
            here = f"result {index + 1} of {where}"
            _check(problems, LOCATIONS, len(result.get("locations") or ()), here)
            flows = (
                len(thread.get("locations") or ())
                for flow in result.get("codeFlows") or ()
                for thread in flow.get("threadFlows") or ()
            )
            _check(problems, THREAD_FLOW_LOCATIONS, sum(flows), here)
    return problems


def _check(problems: list[str], limit: Limit, count: int, where: str) -> None:
    if count > limit.maximum:
        problems.append(
            f"{where} has {count:,} {limit.what.split(' per ')[0]}: GitHub code scanning "
            f"rejects more than {limit.maximum:,} {limit.what}"
        )
    elif limit.shown is not None and count > limit.shown:
        problems.append(
            f"{where} has {count:,} {limit.what.split(' per ')[0]}: GitHub code scanning "
            f"keeps only {limit.shown:,} {limit.what}"
        )


def size_problem(size: int, compressed: int) -> str | None:
    """A sentence when the file, compressed with gzip, is larger than GitHub takes."""
    if compressed <= MAX_UPLOAD_BYTES:
        return None
    return (
        f"the file is {size:,} bytes, {compressed:,} compressed with gzip: GitHub code "
        f"scanning rejects an upload larger than {MAX_UPLOAD_BYTES:,} bytes compressed"
    )


def compressed_size(data: bytes) -> int:
    """The size of ``data`` compressed as gzip compresses it (deflate, level 6)."""
    return len(zlib.compress(data, 6))


def warn(problems: Iterable[str]) -> None:
    """Each problem as one warning on stderr (the CLI's logging), with GitHub's page."""
    for problem in problems:
        log.warning("SARIF past GitHub code scanning's limits: %s (%s)", problem, LIMITS_URL)


def warn_about(sarif: Mapping[str, Any], data: bytes) -> None:
    """Warn about a log written whole (``data``: its JSON)."""
    problems = past_limits(sarif)
    size = None
    if len(data) > MAX_UPLOAD_BYTES:  # smaller, it is smaller compressed too
        size = size_problem(len(data), compressed_size(data))
    warn([*problems, *([size] if size else [])])


def watched(chunks: Iterable[bytes], sarif: Mapping[str, Any], results: int) -> Iterator[bytes]:
    """``chunks`` passed on as they come; once all are written, the warnings about the log
    (``results``: how many its one run streamed), its size included."""
    size = 0
    compressor = zlib.compressobj(6)
    compressed = 0
    for chunk in chunks:
        size += len(chunk)
        compressed += len(compressor.compress(chunk))
        yield chunk
    compressed += len(compressor.flush())
    problem = size_problem(size, compressed)
    warn([*past_limits(sarif, results=results), *([problem] if problem else [])])
