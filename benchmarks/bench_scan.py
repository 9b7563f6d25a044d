"""Time loading a large export against parsing it, as whole separate processes.

The baseline is `orjson.loads` of authorization-details.json; against it, in the same
run: `load_export` of the directory, and (with --scan) the whole `keyless scan --input
DIR --format json --output /dev/null`. Each is run --repeat times; the median wall time
and the largest peak RSS (from os.wait4 for that child alone) are reported, with ratios.

    python benchmarks/generate_export.py /tmp/big-export
    python benchmarks/bench_scan.py /tmp/big-export --scan
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

GOALS = {"load_export": (2.0, 1.4), "keyless scan": (3.0, 1.5)}


def run(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB and exit code of one child process."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in kilobytes on Linux.
    return elapsed, usage.ru_maxrss / 1024, child.returncode


def measure(command: list[str], repeat: int) -> tuple[float, float]:
    times, peaks = [], []
    for _ in range(repeat):
        elapsed, peak, code = run(command)
        if code not in (0, 1, 3):  # scan exits 1 when it finds something
            sys.exit(f"{command} failed with exit code {code}")
        times.append(elapsed)
        peaks.append(peak)
    return statistics.median(times), max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("export", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scan", action="store_true", help="also time `keyless scan`")
    args = parser.parse_args()
    python = sys.executable
    details = args.export / "authorization-details.json"
    commands = {
        "orjson.loads": [
            python,
            "-c",
            f"import orjson; orjson.loads(open({str(details)!r}, 'rb').read())",
        ],
        "load_export": [
            python,
            "-c",
            "from keyless.collect.offline.export import load_export; "
            f"load_export({str(args.export)!r})",
        ],
    }
    if args.scan:
        keyless = shutil.which("keyless", path=str(Path(python).parent)) or "keyless"
        commands["keyless scan"] = [
            keyless,
            "scan",
            "--input",
            str(args.export),
            "--format",
            "json",
            "--output",
            os.devnull,
        ]
    print(f"{details}: {details.stat().st_size / 1e6:.1f} MB, repeat={args.repeat}")
    results = {name: measure(command, args.repeat) for name, command in commands.items()}
    base_time, base_rss = results["orjson.loads"]
    print(f"{'':14} {'wall s':>8} {'peak MB':>8} {'time x':>7} {'mem x':>7}  goal")
    for name, (elapsed, peak) in results.items():
        goal = GOALS.get(name)
        target = f"<= {goal[0]}x time, <= {goal[1]}x memory" if goal else "baseline"
        print(
            f"{name:14} {elapsed:8.2f} {peak:8.0f} {elapsed / base_time:7.2f} "
            f"{peak / base_rss:7.2f}  {target}"
        )


if __name__ == "__main__":
    main()
