"""Time reading and writing a snapshot against parsing it, as whole separate processes.

The baseline is `orjson.loads` of the snapshot file; against it, in the same run:
`load_snapshot` (the whole Inventory), `iter_snapshot_accounts` (one account at a time,
each dropped before the next), and `write_snapshot` of the loaded Inventory. Median wall
time and largest peak RSS of --repeat runs, with ratios, as bench_scan.py does.

    python benchmarks/generate_export.py /tmp/export --users 2000 --roles 8000 --policies 2000
    keyless collect --input /tmp/export --out /tmp/snap.json
    python benchmarks/bench_snapshot.py /tmp/snap.json
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from bench_scan import measure

GOALS = {"load_snapshot": (2.0, 1.5)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("snapshot", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    python = sys.executable
    path = str(args.snapshot)
    out = str(args.snapshot.with_name("bench-rewritten.json"))
    commands = {
        "orjson.loads": [python, "-c", f"import orjson; orjson.loads(open({path!r}, 'rb').read())"],
        "load_snapshot": [
            python,
            "-c",
            f"from keyless.collect.offline.snapshot import load_snapshot; load_snapshot({path!r})",
        ],
        "load+write": [
            python,
            "-c",
            "from keyless.collect.offline.snapshot import load_snapshot, write_snapshot; "
            f"write_snapshot(load_snapshot({path!r}), {out!r})",
        ],
    }
    streaming = (
        "from keyless.collect.offline.snapshot import iter_snapshot_accounts; "
        f"[None for _ in iter_snapshot_accounts({path!r})]"
    )
    try:
        import keyless.collect.offline.snapshot as module

        if hasattr(module, "iter_snapshot_accounts"):
            commands["iter_accounts"] = [python, "-c", streaming]
    except ImportError:
        pass
    print(f"{path}: {os.path.getsize(path) / 1e6:.1f} MB, repeat={args.repeat}")
    results = {name: measure(command, args.repeat) for name, command in commands.items()}
    base_time, base_rss = results["orjson.loads"]
    print(f"{'':14} {'wall s':>8} {'peak MB':>8} {'time x':>7} {'mem x':>7}  goal")
    for name, (elapsed, peak) in results.items():
        goal = GOALS.get(name)
        target = f"<= {goal[0]}x time, <= {goal[1]}x memory" if goal else ""
        print(
            f"{name:14} {elapsed:8.2f} {peak:8.0f} {elapsed / base_time:7.2f} "
            f"{peak / base_rss:7.2f}  {target}"
        )
    Path(out).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
