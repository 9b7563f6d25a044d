"""The adversarial trust policy (issue #11): one role whose GitHub ``sub`` condition lists
many ``StringLike`` values, each with several ``*``, in an otherwise small account.

For each --values count (default ``1,200``; 1 is the same account with an ordinary
policy, the reference), generates the account with ``generate_export.py --profile
adversarial`` (cached under benchmarks/out/), then times as whole processes:

* the baseline: ``orjson.loads`` of its authorization-details.json (median of --repeat);
* ``keyless scan --input DIR --format json`` (its output discarded), once, stopped after
  --timeout seconds and reported as "did not finish in N s".

The file is tiny, so the baseline is mostly interpreter start-up: the ratio says how long
the scan takes in units of "starting Python and parsing the file". Larger counts are
skipped once one does not finish. A benchmark figure, never a timed test.

    python benchmarks/bench_adversarial.py [--values 1,50,100,200] [--stars 4]
"""

from __future__ import annotations

import argparse
import glob
import json
import statistics
import subprocess
import sys
from pathlib import Path

import benchlib


def generate(values: int, stars: int, seed: int, shape: str = "github") -> Path:
    """The cached account for ``values`` sub values of ``stars`` stars."""
    suffix = "" if shape == "github" else f"-{shape}"
    target = benchlib.OUT / f"adversarial-{values}x{stars}-s{seed}{suffix}"
    command = [
        sys.executable,
        str(benchlib.HERE / "generate_export.py"),
        str(target),
        "--profile",
        "adversarial",
        "--values",
        str(values),
        "--stars",
        str(stars),
        "--seed",
        str(seed),
        "--shape",
        shape,
    ]
    benchlib.OUT.mkdir(exist_ok=True)
    benchlib.cached(
        target, command[2:], lambda: subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    )
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", default="1,200", help="comma-separated counts")
    parser.add_argument("--stars", type=int, default=4)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument(
        "--shape",
        choices=("github", "open-fields"),
        default="github",
        help="github: witness searches hit their bound; open-fields: decisions do",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of the baseline")
    parser.add_argument("--timeout", type=float, default=300, help="seconds for each scan")
    parser.add_argument("--results", type=Path, help="append the figures here (JSON lines)")
    args = parser.parse_args()
    counts = [int(v) for v in args.values.split(",")]
    cap = benchlib.memory_cap_mb()
    print(f"{'values':>6} {'stars':>5} {'parse s':>8} {'scan s':>9} {'peak MB':>8} {'time x':>8}")
    stopped = ""
    for values in counts:
        if stopped:
            print(f"{values:6} {args.stars:5}  not run: {stopped}")
            continue
        export = generate(values, args.stars, args.seed, args.shape)
        details = glob.escape(str(export / "authorization-details.json"))
        parse = statistics.median(
            benchlib.run(benchlib.parse_command(details)).wall for _ in range(args.repeat)
        )
        scan = benchlib.run(benchlib.scan_command(export), timeout=args.timeout, max_rss_mb=cap)
        if scan.finished and scan.code not in benchlib.SCAN_DONE:
            sys.exit(f"keyless scan --input {export} failed with exit code {scan.code}")
        if scan.finished:
            print(
                f"{values:6} {args.stars:5} {parse:8.3f} {scan.wall:9.2f} {scan.peak_mb:8.0f}"
                f" {scan.wall / parse:7.0f}x"
            )
        else:
            stopped = f"{values} values {scan.why(args.timeout, cap)}"
            print(f"{values:6} {args.stars:5} {parse:8.3f}  {scan.why(args.timeout, cap)}")
        if args.results:
            record = {
                "benchmark": "adversarial",
                "shape": args.shape,
                "values": values,
                "stars": args.stars,
                "timeout": args.timeout,
                "orjson.loads": {"wall": parse},
                "keyless scan": scan.as_dict(),
            }
            with args.results.open("a") as handle:
                handle.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
