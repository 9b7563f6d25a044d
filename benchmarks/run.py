"""`make bench`: every benchmark in one go, each reporting ratios against a baseline
measured in the same run. Not tests; run on an otherwise idle machine.

    python benchmarks/run.py [--quick]

--quick shrinks the workloads (a smoke run of the scripts themselves).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


def step(title: str, *args: str, env: dict[str, str] | None = None) -> None:
    print(f"\n== {title}", flush=True)
    subprocess.run([sys.executable, *args], check=True, env={**os.environ, **(env or {})})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    export = OUT / ("export-quick" if quick else "export")
    if not (export / "authorization-details.json").exists():
        sizes = ["--users", "200", "--roles", "1000", "--policies", "300"] if quick else []
        step("generate the synthetic export", str(HERE / "generate_export.py"), str(export), *sizes)
    step(
        "offline scan vs orjson parse",
        str(HERE / "bench_scan.py"),
        str(export),
        "--scan",
        "--repeat",
        "1" if quick else "3",
    )
    step(
        "trust analysis vs parse",
        str(HERE / "bench_trust.py"),
        env={"ROLES": "1000" if quick else "20000"},
    )
    step(
        "wildcard automata", str(HERE / "bench_patterns.py"), "--pairs", "500" if quick else "5000"
    )
    step("organization fan-out", str(HERE / "bench_org.py"), "--accounts", "20" if quick else "200")


if __name__ == "__main__":
    main()
