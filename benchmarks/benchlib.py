"""Shared helpers of the benchmark scripts: child processes, the keyless CLI, caching.

Benchmarks drive keyless through its command line in separate processes, so they do not
depend on where its modules live. The only keyless imports of the benchmark harness are
the module paths named here (:data:`LOAD_EXPORT_MODULES`); bench_trust.py and
bench_patterns.py measure internals and import them directly.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"

#: The credential report's columns, in order, as AWS documents them
#: (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html)
#: and docs/export-format.md requires them. Kept here, not imported from keyless.
COLUMNS: tuple[str, ...] = (
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
)

#: Where ``load_export`` may live (the first that imports wins); the only keyless module
#: path the process benchmarks name.
LOAD_EXPORT_MODULES = ("keyless.collect.offline.export", "keyless.collect.export")

#: Exit codes of a scan that ran to the end (0 clean, 1 findings, 3 partly unreadable).
SCAN_DONE = (0, 1, 3)


@dataclass(frozen=True)
class Run:
    """One child process: wall seconds, peak RSS in MB, and how it ended."""

    wall: float
    peak_mb: float
    code: int | None  # None: killed by us (see ``stopped``)
    stopped: str = ""  # "" | "timeout" | "memory"
    cpu: float = 0.0  # user + system seconds, its worker processes included

    @property
    def finished(self) -> bool:
        return not self.stopped

    def as_dict(self) -> dict[str, object]:
        """For a --results file."""
        return {
            "wall": self.wall,
            "cpu": self.cpu,
            "peak_mb": self.peak_mb,
            "stopped": self.stopped,
        }

    def why(self, limit_s: float, limit_mb: float | None) -> str:
        """Why it did not finish, as the reports print it."""
        if self.stopped == "timeout":
            return f"did not finish in {limit_s:.0f} s"
        return f"stopped at {self.peak_mb:.0f} MB (cap {limit_mb or 0:.0f} MB)"


def memory_cap_mb() -> float:
    """RSS at which a benchmarked child is stopped: half of this machine's memory, or
    ``KEYLESS_BENCH_MAX_RSS_MB``. The machine is shared; a scan that would exhaust it
    is reported as stopped instead."""
    configured = os.environ.get("KEYLESS_BENCH_MAX_RSS_MB")
    if configured:
        return float(configured)
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024 / 2
    except OSError:
        pass
    return 8192.0


def _rss_mb(pid: int) -> float:
    """Resident set size of a live process, in MB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def child_environment() -> dict[str, str]:
    """The environment of the measured children: this one, with Python's bytecode cached
    (under ``benchmarks/out/pycache``) even where ``PYTHONDONTWRITEBYTECODE`` is set, as
    in these sandboxes. An installed keyless runs from compiled bytecode (pip compiles it
    at install); compiling its ~300 modules again in every run measured the environment,
    not keyless: about 1 billion instructions, 10% of a scan of the small messy export."""
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    environment.setdefault("PYTHONPYCACHEPREFIX", str(OUT / "pycache"))
    return environment


@functools.cache
def _compile_keyless() -> None:
    """Compile keyless's modules once, before the first measured child (where they live
    is found without importing keyless)."""
    environment = child_environment()
    spec = importlib.util.find_spec("keyless")
    if spec is None or not spec.submodule_search_locations:
        return
    for location in spec.submodule_search_locations:
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", location],
            env=environment,
            stdout=subprocess.DEVNULL,
            check=False,
        )


def run(
    command: Sequence[str],
    *,
    timeout: float | None = None,
    max_rss_mb: float | None = None,
    stdout: int | None = subprocess.DEVNULL,
) -> Run:
    """Run ``command``; wall time and peak RSS (``os.wait4``, this child alone).

    The child is killed (with its process group) after ``timeout`` seconds, or when its
    RSS passes ``max_rss_mb`` (the machine is shared: a runaway scan must not take it
    down); :attr:`Run.stopped` says which.

    Keep the calling process small: a child's ``ru_maxrss`` starts at its parent's RSS
    at fork (Linux keeps the larger of the pre- and post-exec high-water marks, with
    fork, vfork and posix_spawn alike). So generators run as children too.
    """
    environment = child_environment()
    _compile_keyless()
    started = time.perf_counter()
    child = subprocess.Popen(list(command), stdout=stdout, start_new_session=True, env=environment)
    deadline = None if timeout is None else started + timeout
    stopped = ""
    watched_peak = 0.0
    try:
        waiter = os.pidfd_open(child.pid)
    except (AttributeError, OSError):
        waiter = None
    try:
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            now = time.perf_counter()
            if deadline is not None and now >= deadline:
                stopped = "timeout"
            elif max_rss_mb is not None:
                watched_peak = max(watched_peak, _rss_mb(child.pid))
                if watched_peak > max_rss_mb:
                    stopped = "memory"
            if stopped:
                os.killpg(child.pid, signal.SIGKILL)
                _, status, usage = os.wait4(child.pid, 0)
                break
            pause = 0.25 if deadline is None else min(0.25, max(deadline - now, 0.0))
            if waiter is not None:
                select.select([waiter], [], [], pause)
            else:
                time.sleep(min(pause, 0.01))
    finally:
        if waiter is not None:
            os.close(waiter)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in kilobytes on Linux.
    peak = max(usage.ru_maxrss / 1024, watched_peak)
    cpu = usage.ru_utime + usage.ru_stime  # the child's reaped children (workers) included
    return Run(elapsed, peak, None if stopped else child.returncode, stopped, cpu)


def keyless() -> str:
    """The keyless executable of this interpreter's environment."""
    return shutil.which("keyless", path=str(Path(sys.executable).parent)) or "keyless"


def scan_command(source: Path, output: Path | None = None) -> list[str]:
    """``keyless scan --input SOURCE --format json [--output OUTPUT]``.

    Without ``output`` the document goes to standard output, which :func:`run` discards
    (keyless refuses ``--output /dev/null``: a report must be a regular file).
    """
    command = [keyless(), "scan", "--input", str(source), "--format", "json"]
    return [*command, "--output", str(output)] if output is not None else command


def parse_command(pattern: str | Path) -> list[str]:
    """A child that ``orjson.loads`` every file matching ``pattern`` (a glob), in turn."""
    code = (
        "import glob, orjson\n"
        f"for name in sorted(glob.glob({str(pattern)!r})):\n"
        "    orjson.loads(open(name, 'rb').read())"
    )
    return [sys.executable, "-c", code]


def load_export_command(directory: Path) -> list[str]:
    """A child that builds the Inventory of an export and nothing else."""
    code = (
        "import importlib, sys\n"
        f"for name in {LOAD_EXPORT_MODULES!r}:\n"
        "    try:\n"
        "        module = importlib.import_module(name)\n"
        "        break\n"
        "    except ModuleNotFoundError:\n"
        "        pass\n"
        "else:\n"
        "    sys.exit('load_export is in none of ' + ', '.join("
        + repr(LOAD_EXPORT_MODULES)
        + "))\n"
        f"module.load_export({str(directory)!r})"
    )
    return [sys.executable, "-c", code]


def cached(target: Path, recipe: Sequence[str], build: Callable[[], None]) -> bool:
    """Build ``target`` unless it was built by the same recipe and generator code.

    The stamp beside it (``TARGET.stamp``) holds a digest of the recipe and of the
    generator sources, so editing a generator regenerates its outputs. True if built now.
    """
    digest = hashlib.sha256("\0".join(recipe).encode())
    for source in sorted(HERE.glob("generate_*.py")):
        digest.update(source.read_bytes())
    stamp = target.parent / f"{target.name}.stamp"
    if target.exists() and stamp.exists() and stamp.read_text() == digest.hexdigest():
        return False
    if target.exists():
        shutil.rmtree(target)
    stamp.unlink(missing_ok=True)
    build()
    stamp.write_text(digest.hexdigest())
    return True


def size_mb(path: Path) -> float:
    """Size of a file, or of every file under a directory, in MB."""
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def largest_account(directory: Path) -> Path:
    """The account directory of an organization export with the largest
    authorization-details.json."""
    return max(
        (p.parent for p in directory.glob("[0-9]*/authorization-details.json")),
        key=lambda p: (p / "authorization-details.json").stat().st_size,
    )
