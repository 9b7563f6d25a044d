"""Reading a large GitLab rewrite again: `workflows fix` parses every rewrite it hands out
(a rewrite that does not parse is a bug in keyless, never handed out) and scans it for
keys left. That parse was the largest cost of fixing a large GitLab file.

Timed (CPU, best of --repeat), all in this run, on the rewrite of N jobs given the file's
keys (`fix: GitLab jobs given the file's keys` of bench_workflows.py): keyless's reader
(`yamldoc.load_text`), the baseline (ruamel.yaml's round-trip reader as keyless used it
before, its scanner gathering every comment for a dump keyless never makes), and the
whole `fix`. Figures: reader / baseline (lower is better) and the reader's share of `fix`.

    python benchmarks/bench_yaml_read.py [--jobs 3000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ruamel.yaml import YAML

from keyless.workflows import FixOptions, RoleSource, fix
from keyless.workflows.yamldoc import _constructor, load_text


def _pipeline(n: int) -> str:
    jobs = "".join(
        f"j{i}:\n  # job {i}\n  script:\n    - aws s3 cp f{i} s3://b/  # copy\n" for i in range(n)
    )
    return "variables:\n  AWS_ACCESS_KEY_ID: $A\n  AWS_SECRET_ACCESS_KEY: $B\n" + jobs


def _baseline(text: str) -> object:
    """The round-trip reader with its own (comment-gathering) scanner."""
    yaml = YAML(typ="rt")
    yaml.Constructor = _constructor()
    return yaml.load(text)


def _cpu(run: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        run()
        best = min(best, time.process_time() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=3_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    options = FixOptions(
        RoleSource(arn="arn:aws:iam::123456789012:role/ci"),
        region="us-east-1",
        repository="acme/app",
    )
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        (root / ".gitlab-ci.yml").write_text(_pipeline(args.jobs), encoding="utf-8")
        fixed = _cpu(lambda: fix([root], options), args.repeat)
        (rewrite,) = fix([root], options).files
    after = rewrite.after
    path = Path(".gitlab-ci.yml")
    reader = _cpu(lambda: load_text(after, path, gitlab_header=True), args.repeat)
    baseline = _cpu(lambda: _baseline(after), args.repeat)
    lines = after.count("\n")
    print(f"rewrite of {args.jobs:,} jobs: {lines:,} lines")
    print(f"baseline (round-trip scanner)  {baseline:7.2f} s")
    print(f"keyless's reader               {reader:7.2f} s  {reader / baseline:5.2f}x baseline")
    print(f"whole fix                      {fixed:7.2f} s  reader {reader / fixed:5.1%} of it")


if __name__ == "__main__":
    main()
