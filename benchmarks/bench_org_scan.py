"""Offline scan of a whole organization (issue #17), as whole separate processes.

For each size of --accounts (default ``100,300``; ask for 1000 explicitly), generates the
organization with ``generate_org.py`` (cached under benchmarks/out/), then measures:

(a) the baseline: ``orjson.loads`` of every account's authorization-details.json, one
    file after the other in one process (median of --repeat runs);
(b) ``keyless scan --input DIR/<id>`` of the largest account alone: its peak RSS is the
    memory baseline;
(c) ``keyless scan --input DIR --format json --output FILE`` of the whole organization:
    wall time, peak RSS (``os.wait4``) and the size of the JSON document.

Reported: (c)'s time against (a) (goal: at most 3x) and its peak memory against (b)'s
(goal: at most 2x). Each scan is stopped after --timeout seconds (or at the memory cap,
half of the machine's memory, ``KEYLESS_BENCH_MAX_RSS_MB`` to change it) and reported as
not finished; larger sizes are then skipped.

    python benchmarks/bench_org_scan.py --accounts 100,300,1000 --timeout 900
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

import benchlib

GOALS = (3.0, 2.0)  # time vs (a), memory vs (b)


def generate(accounts: int, seed: int, large_roles: int) -> Path:
    """The cached organization of ``accounts`` accounts."""
    target = benchlib.OUT / f"org-{accounts}-r{large_roles}-s{seed}"
    command = [
        sys.executable,
        str(benchlib.HERE / "generate_org.py"),
        str(target),
        "--accounts",
        str(accounts),
        "--seed",
        str(seed),
        "--large-roles",
        str(large_roles),
    ]
    benchlib.OUT.mkdir(exist_ok=True)

    def build() -> None:
        print(f"generating {target.name} ...", flush=True)
        subprocess.run(command, check=True)

    benchlib.cached(target, command[2:], build)
    return target


def scan(source: Path, output: Path | None, timeout: float) -> benchlib.Run:
    result = benchlib.run(
        benchlib.scan_command(source, output),
        timeout=timeout,
        max_rss_mb=benchlib.memory_cap_mb(),
    )
    if result.finished and result.code not in benchlib.SCAN_DONE:
        sys.exit(f"keyless scan --input {source} failed with exit code {result.code}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", default="100,300", help="comma-separated sizes")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--large-roles", type=int, default=5000, help="see generate_org.py")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the baseline (a)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds for each scan")
    parser.add_argument("--keep-output", action="store_true", help="keep the JSON documents")
    parser.add_argument("--results", type=Path, help="append the figures here (JSON lines)")
    args = parser.parse_args()
    cap = benchlib.memory_cap_mb()
    stopped = ""
    for accounts in (int(n) for n in args.accounts.split(",")):
        print(f"\n-- {accounts} accounts")
        if stopped:
            print(f"not run: {stopped}")
            continue
        directory = generate(accounts, args.seed, args.large_roles)
        files = sorted(directory.glob("[0-9]*/authorization-details.json"))
        total_mb = sum(f.stat().st_size for f in files) / 1e6
        largest = benchlib.largest_account(directory)
        pattern = str(directory / "[0-9]*" / "authorization-details.json")
        parses = [benchlib.run(benchlib.parse_command(pattern)) for _ in range(args.repeat)]
        parse = benchlib.Run(
            statistics.median(r.wall for r in parses), max(r.peak_mb for r in parses), 0
        )
        alone = scan(largest, None, args.timeout)
        output = benchlib.OUT / f"{directory.name}-scan.json"
        whole = scan(directory, output, args.timeout)
        output_mb = output.stat().st_size / 1e6 if whole.finished and output.exists() else None
        if not args.keep_output:
            output.unlink(missing_ok=True)

        largest_mb = (largest / "authorization-details.json").stat().st_size / 1e6
        print(
            f"{len(files)} accounts, {total_mb:.1f} MB of authorization details;"
            f" largest {largest.name} ({largest_mb:.1f} MB)"
        )
        print(f"{'':34} {'wall s':>8} {'peak MB':>8}")
        print(f"{'(a) orjson.loads of every file':34} {parse.wall:8.2f} {parse.peak_mb:8.0f}")
        for label, result in (("(b) scan of the largest account", alone), ("(c) scan", whole)):
            if result.finished:
                print(f"{label:34} {result.wall:8.2f} {result.peak_mb:8.0f}")
            else:
                print(f"{label:34} {result.why(args.timeout, cap)}")
        if whole.finished:
            memory = f"{whole.peak_mb / alone.peak_mb:.2f}x (b)" if alone.finished else "n/a"
            print(
                f"(c) vs goals: time {whole.wall / parse.wall:.2f}x (a) (goal <= {GOALS[0]}x),"
                f" memory {memory} (goal <= {GOALS[1]}x); JSON output {output_mb:.1f} MB"
            )
        else:
            stopped = f"{accounts} accounts: {whole.why(args.timeout, cap)}"
        if args.results:
            record = {
                "benchmark": "org",
                "accounts": accounts,
                "mb": total_mb,
                "timeout": args.timeout,
                "orjson.loads": parse.as_dict(),
                "largest": alone.as_dict(),
                "whole": whole.as_dict(),
                "output_mb": output_mb,
            }
            with args.results.open("a") as handle:
                handle.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
