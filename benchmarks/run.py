"""`make bench`: every benchmark in one go, each reporting ratios against a baseline
measured in the same run. Not tests; run on an otherwise idle machine.

    python benchmarks/run.py [--quick] [--org-accounts 100,300,1000]

--quick shrinks the workloads (a smoke run of the scripts themselves). Generated inputs
are cached under benchmarks/out/ (regenerated when a generator changes); the figures of
the scan benchmarks are collected in benchmarks/out/results[-quick].jsonl and summarised
at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import benchlib

HERE = benchlib.HERE
OUT = benchlib.OUT


def step(title: str, *args: str, env: dict[str, str] | None = None) -> None:
    print(f"\n== {title}", flush=True)
    subprocess.run([sys.executable, *args], check=True, env={**os.environ, **(env or {})})


def export(name: str, *arguments: str) -> Path:
    """A generate_export.py account under benchmarks/out/, cached."""
    target = OUT / name
    command = [str(HERE / "generate_export.py"), str(target), *arguments]
    OUT.mkdir(exist_ok=True)
    benchlib.cached(
        target, command[1:], lambda: step(f"generate {name}: {' '.join(arguments)}", *command)
    )
    return target


def ratio(record: dict[str, dict[str, float]], name: str, base: str = "orjson.loads") -> str:
    result = record[name]
    if result.get("stopped"):
        return f"did not finish ({result['stopped']})"
    return (
        f"time {result['wall'] / record[base]['wall']:.2f}x,"
        f" memory {result['peak_mb'] / record[base]['peak_mb']:.2f}x"
    )


def summary(results: Path) -> None:
    """The headline figures of the scan benchmarks of this run."""
    print("\n== summary (each against a baseline measured in this run)")
    for line in results.read_text().splitlines():
        record = json.loads(line)
        kind = record["benchmark"]
        if kind == "scan":
            print(
                f"scan {record['label']} ({record['mb']:.1f} MB): {ratio(record, 'keyless scan')}"
                " vs orjson.loads (goal <= 3x time, <= 1.5x memory)"
            )
        elif kind == "adversarial":
            scan = record["keyless scan"]
            what = f"{record['values']} sub values x {record['stars']} stars"
            if record.get("shape", "github") != "github":
                what += f" ({record['shape']}: decisions bounded, exit 3)"
            if scan["stopped"]:
                figure = f"did not finish in {record['timeout']:.0f} s"
                if scan["stopped"] == "memory":
                    figure = f"stopped at the memory cap ({scan['peak_mb']:.0f} MB)"
            else:
                parse = record["orjson.loads"]["wall"]
                figure = f"{scan['wall']:.2f} s = {scan['wall'] / parse:.0f}x orjson.loads"
            print(f"adversarial policy, {what}: {figure}")
        elif kind == "org":
            whole, largest = record["whole"], record["largest"]
            if whole["stopped"]:
                figure = f"did not finish ({whole['stopped']}, limit {record['timeout']:.0f} s)"
            else:
                figure = (
                    f"time {whole['wall'] / record['orjson.loads']['wall']:.2f}x (a),"
                    f" memory {whole['peak_mb'] / largest['peak_mb']:.2f}x (b),"
                    f" JSON {record['output_mb']:.1f} MB"
                )
            print(
                f"organization of {record['accounts']} accounts ({record['mb']:.0f} MB): {figure}"
                " (goal <= 3x, <= 2x)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--org-accounts", help="organization sizes (default 100,300,1000; --quick: 10)"
    )
    args = parser.parse_args()
    quick = args.quick
    suffix = "-quick" if quick else ""
    results = OUT / f"results{suffix}.jsonl"
    OUT.mkdir(exist_ok=True)
    results.write_text("")
    record = ["--results", str(results)]
    repeat = ["--repeat", "1" if quick else "3"]

    tidy = export(
        f"export{suffix}",
        *(["--users", "200", "--roles", "1000", "--policies", "300"] if quick else []),
    )
    step(
        "offline scan vs orjson parse: tidy export",
        str(HERE / "bench_scan.py"),
        str(tidy),
        "--scan",
        *repeat,
        "--label",
        "tidy",
        *record,
    )
    messy = export(
        f"export-messy{suffix}",
        "--profile",
        "messy",
        *(["--users", "250", "--roles", "1000", "--policies", "400"] if quick else []),
    )
    step(
        "offline scan vs orjson parse: messy export (issue #11)",
        str(HERE / "bench_scan.py"),
        str(messy),
        "--scan",
        *repeat,
        "--label",
        "messy",
        *record,
    )
    step(
        "adversarial trust policy (issue #11)",
        str(HERE / "bench_adversarial.py"),
        "--values",
        "1,5" if quick else "1,200",
        "--timeout",
        "60" if quick else "300",
        *record,
    )
    step(
        "adversarial trust policy, open fields: the decisions' bound (issue #11)",
        str(HERE / "bench_adversarial.py"),
        "--shape",
        "open-fields",
        "--values",
        "5" if quick else "200",
        "--timeout",
        "60" if quick else "300",
        *record,
    )
    step(
        "planning vs scanning",
        str(HERE / "bench_plan.py"),
        str(tidy),
        "--repeat",
        "1" if quick else "3",
    )
    step(
        "refusing a plan of many subjects: doubling them (linear, not quadratic)",
        str(HERE / "bench_plan_growth.py"),
        "--subjects",
        "5000" if quick else "20000",
        "--repeat",
        "1" if quick else "3",
    )
    step(
        "refusing a plan of more roles than IAM holds: doubling them (linear)",
        str(HERE / "bench_role_count.py"),
        "--roles",
        "5001" if quick else "10000",
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
    step(
        "offline scan of an organization (issue #17)",
        str(HERE / "bench_org_scan.py"),
        "--accounts",
        args.org_accounts or ("10" if quick else "100,300,1000"),
        *(["--large-roles", "400", "--repeat", "1"] if quick else []),
        "--timeout",
        "120" if quick else "900",
        *record,
    )
    step(
        "keyless iac vs HCL parse",
        str(HERE / "bench_iac.py"),
        "--resources",
        "200" if quick else "2000",
        "--repeat",
        "1" if quick else "3",
    )
    step(
        "workflows on large files: doubling the file (linear, not quadratic)",
        str(HERE / "bench_workflows.py"),
        "--scale",
        "0.2" if quick else "1",
        "--repeat",
        "1" if quick else "3",
    )
    step(
        "workflows fix: reading its own GitLab rewrite again, vs the comment-gathering reader",
        str(HERE / "bench_yaml_read.py"),
        "--jobs",
        "300" if quick else "3000",
        "--repeat",
        "1" if quick else "3",
    )
    summary(results)


if __name__ == "__main__":
    main()
