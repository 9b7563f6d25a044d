"""Time planning a large account against scanning it, as whole separate processes.

The baseline is `keyless scan --input DIR --format json` (output to /dev/null); against it,
in the same run, `keyless plan --input DIR --format json` (the document to /dev/null).
Each is run --repeat times; the median wall time, the median CPU time (user + system,
from os.wait4 for that child alone: on a shared machine it moves less than wall time)
and the largest peak RSS are reported, with ratios.

    python benchmarks/generate_export.py /tmp/big-export
    python benchmarks/bench_plan.py /tmp/big-export
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

GOAL = 1.0  # planning takes no longer than scanning


def run(command: list[str]) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds, peak RSS in MB and exit code of one child process."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    # ru_maxrss is in kilobytes on Linux.
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, cpu, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def measure(command: list[str], repeat: int) -> tuple[float, float, float]:
    walls, cpus, peaks = [], [], []
    for _ in range(repeat):
        wall, cpu, peak, code = run(command)
        if code not in (0, 1, 3):  # 1: findings (scan) or users to look at (plan)
            sys.exit(f"{command} failed with exit code {code}")
        walls.append(wall)
        cpus.append(cpu)
        peaks.append(peak)
    return statistics.median(walls), statistics.median(cpus), max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("export", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--now", default="2025-06-01T00:00:00Z", help="generate_export's NOW")
    args = parser.parse_args()
    keyless = shutil.which("keyless", path=str(Path(sys.executable).parent)) or "keyless"
    # An export is judged by the clock; judge it as of when generate_export.py dated it,
    # so that keys and passwords are in use as generated (else every user is retired).
    source = ["--input", str(args.export), "--format", "json", "--now", args.now]
    commands = {
        "keyless scan": [keyless, "scan", *source],
        "keyless plan": [keyless, "plan", *source],
    }
    print(f"{args.export}: repeat={args.repeat}")
    results = {name: measure(command, args.repeat) for name, command in commands.items()}
    base_wall, base_cpu, base_rss = results["keyless scan"]
    print(
        f"{'':14} {'wall s':>8} {'cpu s':>8} {'peak MB':>8} {'wall x':>7} {'cpu x':>7} {'mem x':>7}"
    )
    for name, (wall, cpu, peak) in results.items():
        print(
            f"{name:14} {wall:8.2f} {cpu:8.2f} {peak:8.0f} {wall / base_wall:7.2f} "
            f"{cpu / base_cpu:7.2f} {peak / base_rss:7.2f}"
        )
    print(f"goal: keyless plan <= {GOAL}x keyless scan")


if __name__ == "__main__":
    main()
