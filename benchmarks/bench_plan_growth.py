"""Benchmark: how refusing a hand-edited plan grows with the plan (not a test).

A plan is a file anyone can hand keyless. The demo's plan, its pipeline role given N
repositories and N subjects, one of them of no listed repository, and again with 2N,
goes to ``keyless generate``, which refuses it (exit 2) naming that subject. Each subject
was once compared with every repository's prefix: quadratic, about a minute at 20,000.

The ratio 2N / N of the median CPU time (loading the demo included) should be about 2
or less (linear); about 4 is quadratic. This replaces the wall-clock limit
tests/hostile/test_plan_many_subjects.py once asserted.

    python benchmarks/bench_plan_growth.py [--subjects 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchlib import keyless

REFUSED = 2


def subjects(document: dict[str, Any], count: int) -> None:
    role = document["oidc_roles"][0]
    role["repositories"] = [f"acme/app{n}" for n in range(count)]
    role["subjects"] = [
        {"value": f"repo:acme/app{n}:ref:refs/heads/main", "operator": "StringEquals",
         "reason": "on: push"}
        for n in range(count)
    ]  # fmt: skip
    role["subjects"][-1]["value"] = "repo:acme/other:ref:refs/heads/main"


def median_cpu(plan: Path, out: Path, repeat: int) -> float:
    command = [keyless(), "generate", str(plan), "--demo", "--format", "terraform",
               "--out", str(out)]  # fmt: skip
    cpus = []
    for _ in range(repeat):
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        if code != REFUSED:
            raise SystemExit(f"{plan.name}: exit {code}, not the refusal (2) measured")
        cpus.append(usage.ru_utime + usage.ru_stime)
    return statistics.median(cpus)


def growth(
    label: str,
    count: int,
    grow: Callable[[dict[str, Any], int], None],
    repeat: int,
    check: Callable[[Path, Path], object] | None = None,
) -> None:
    """The demo's plan grown by ``grow`` to ``count`` and to twice that (each plan first
    passed to ``check`` when given), each refused by ``generate``: prints the median CPU
    time of each and their ratio."""
    with tempfile.TemporaryDirectory(prefix="keyless-bench-") as scratch:
        work = Path(scratch)
        base = work / "plan.json"
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        subprocess.run([keyless(), "plan", "--demo", "--out", str(base)], check=False, **quiet)
        times = []
        for size in (count, 2 * count):
            document = json.loads(base.read_text())
            grow(document, size)
            plan = work / f"{label}-{size}.json"
            plan.write_text(json.dumps(document))
            if check is not None:
                check(plan, work / "out")
            times.append(median_cpu(plan, work / "out", repeat))
        ratio = times[1] / times[0]
        verdict = "linear" if ratio < 3 else "SUPERLINEAR"
        print(f"{label + ' N':>10} {'cpu N s':>8} {'cpu 2N s':>9} {'2N/N':>6}")
        print(f"{count:10,} {times[0]:8.2f} {times[1]:9.2f} {ratio:6.2f} {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    growth("subjects", args.subjects, subjects, args.repeat)


if __name__ == "__main__":
    main()
