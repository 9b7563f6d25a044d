"""Time loading a large export against parsing it, as whole separate processes.

The baseline is `orjson.loads` of authorization-details.json; against it, in the same
run: `load_export` of the directory, and (with --scan) the whole `keyless scan --input
DIR --format json` (its output discarded). Each is run --repeat times; the median wall time
and the largest peak RSS (from os.wait4 for that child alone) are reported, with ratios.
A child still running after --timeout seconds is stopped and reported as such.

    python benchmarks/generate_export.py /tmp/big-export
    python benchmarks/bench_scan.py /tmp/big-export --scan
"""

from __future__ import annotations

import argparse
import glob
import json
import statistics
import sys
from pathlib import Path

import benchlib

GOALS = {
    "load_export": (2.0, 1.4),
    "keyless scan": (3.0, 1.5),
    "  --workers 1": (3.0, 1.5),
}


def measure(command: list[str], repeat: int) -> tuple[float, float]:
    """Median wall seconds and largest peak RSS in MB of ``repeat`` runs (exits if one
    fails). bench_snapshot.py uses this too."""
    result = measure_run(command, repeat, timeout=None)
    return result.wall, result.peak_mb


def measure_run(command: list[str], repeat: int, timeout: float | None) -> benchlib.Run:
    """Median wall time and largest peak of ``repeat`` runs; the first unfinished run."""
    runs = []
    for _ in range(repeat):
        result = benchlib.run(command, timeout=timeout, max_rss_mb=benchlib.memory_cap_mb())
        if not result.finished:
            return result
        if result.code not in benchlib.SCAN_DONE:  # scan exits 1 when it finds something
            sys.exit(f"{command} failed with exit code {result.code}")
        runs.append(result)
    return benchlib.Run(
        statistics.median(r.wall for r in runs),
        max(r.peak_mb for r in runs),
        runs[0].code,
        cpu=statistics.median(r.cpu for r in runs),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("export", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scan", action="store_true", help="also time `keyless scan`")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per child")
    parser.add_argument("--label", default="", help="name of the export in --results")
    parser.add_argument("--results", type=Path, help="append the figures here (JSON lines)")
    args = parser.parse_args()
    details = args.export / "authorization-details.json"
    commands = {
        "orjson.loads": benchlib.parse_command(glob.escape(str(details))),
        "load_export": benchlib.load_export_command(args.export),
    }
    if args.scan:
        # By default the trust analyses run in one worker per CPU; one process, for the
        # CPU time of the analysis itself.
        commands["keyless scan"] = benchlib.scan_command(args.export)
        commands["  --workers 1"] = [*benchlib.scan_command(args.export), "--workers", "1"]
    print(f"{details}: {details.stat().st_size / 1e6:.1f} MB, repeat={args.repeat}")
    results = {
        name: measure_run(command, args.repeat, args.timeout) for name, command in commands.items()
    }
    base = results["orjson.loads"]
    print(f"{'':14} {'wall s':>8} {'CPU s':>8} {'peak MB':>8} {'time x':>7} {'mem x':>7}  goal")
    for name, result in results.items():
        goal = GOALS.get(name)
        target = f"<= {goal[0]}x time, <= {goal[1]}x memory" if goal else "baseline"
        if not result.finished:
            print(f"{name:14} {result.why(args.timeout, benchlib.memory_cap_mb())}  {target}")
            continue
        print(
            f"{name:14} {result.wall:8.2f} {result.cpu:8.2f} {result.peak_mb:8.0f} "
            f"{result.wall / base.wall:7.2f} "
            f"{result.peak_mb / base.peak_mb:7.2f}  {target}"
        )
    if args.results:
        record = {
            "benchmark": "scan",
            "label": args.label or args.export.name,
            "mb": details.stat().st_size / 1e6,
            **{name: result.as_dict() for name, result in results.items()},
        }
        with args.results.open("a") as handle:
            handle.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
