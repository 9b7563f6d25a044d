"""Workflow reading and rewriting on large files: linear, not quadratic.

Four shapes that were quadratic (each finding or edit walked every job, step or template of
its file): 1,200+ GitLab templates with keys and an endpoint kept in a variable, 1,500+
GitHub jobs with keys in their env, one GitHub job of 3,000+ steps with keys, and `fix` of
1,500+ GitLab jobs given the file's keys. Each is timed (CPU, best of --repeat) at N and
2N; the ratio of the two is the figure (about 2 when linear, about 4 when quadratic).

    python benchmarks/bench_workflows.py [--scale 1.0] [--repeat 3] [--only fix:]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from keyless.workflows import FixOptions, RoleSource, fix, scan

GOAL = 2.6  # doubling the file at most 2.6x the CPU


def _gitlab_templates(n: int) -> dict[str, str]:
    return {
        ".gitlab-ci.yml": "".join(
            f".t{i}:\n  variables:\n    AWS_ACCESS_KEY_ID: $K{i}\n    AWS_SECRET_ACCESS_KEY: $S\n"
            f"j{i}:\n  extends: .t{i}\n  script:\n    - aws s3 ls --endpoint-url $E\n"
            for i in range(n)
        )
    }


def _github_jobs(n: int) -> dict[str, str]:
    jobs = "".join(
        f"  j{i}:\n    runs-on: ubuntu-latest\n    env:\n"
        f"      AWS_ACCESS_KEY_ID: ${{{{ secrets.K{i} }}}}\n"
        "      AWS_SECRET_ACCESS_KEY: ${{ secrets.S }}\n"
        '    steps:\n      - run: aws s3 ls --endpoint-url "$E"\n'
        for i in range(n)
    )
    return {".github/workflows/w.yml": "on: push\njobs:\n" + jobs}


def _github_steps(n: int) -> dict[str, str]:
    steps = "".join(
        f"      - run: aws s3 cp f{i} s3://b/\n        env:\n"
        f"          AWS_ACCESS_KEY_ID: ${{{{ secrets.K{i} }}}}\n"
        "          AWS_SECRET_ACCESS_KEY: ${{ secrets.S }}\n"
        for i in range(n)
    )
    text = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n" + steps
    return {".github/workflows/w.yml": text}


def _gitlab_jobs(n: int) -> dict[str, str]:
    jobs = "".join(f"j{i}:\n  script:\n    - aws s3 cp f{i} s3://b/\n" for i in range(n))
    text = "variables:\n  AWS_ACCESS_KEY_ID: $A\n  AWS_SECRET_ACCESS_KEY: $B\n" + jobs
    return {".gitlab-ci.yml": text}


def _scan(root: Path) -> object:
    return scan([root])


def _fix(root: Path) -> object:
    options = FixOptions(
        RoleSource(arn="arn:aws:iam::123456789012:role/ci"),
        region="us-east-1",
        repository="acme/app",
    )
    return fix([root], options)


CASES: tuple[tuple[str, Callable[[int], dict[str, str]], Callable[[Path], object], int], ...] = (
    ("scan: GitLab templates, endpoint in a variable", _gitlab_templates, _scan, 1_200),
    ("scan: GitHub jobs with keys in their env", _github_jobs, _scan, 1_500),
    ("scan: one GitHub job, keys in every step", _github_steps, _scan, 3_000),
    ("fix: GitLab jobs given the file's keys", _gitlab_jobs, _fix, 1_500),
)


def _cpu(files: dict[str, str], run: Callable[[Path], object], repeat: int) -> float:
    best = float("inf")
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        for relative, text in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        for _ in range(repeat):
            started = time.process_time()
            run(root)
            best = min(best, time.process_time() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every N")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="run the cases whose title holds this")
    args = parser.parse_args()
    print(f"{'case':48} {'N':>6} {'CPU s':>7} {'2N CPU s':>9} {'ratio':>6}  goal")
    for title, build, run, size in CASES:
        if args.only not in title:
            continue
        n = max(10, int(size * args.scale))
        once = _cpu(build(n), run, args.repeat)
        twice = _cpu(build(2 * n), run, args.repeat)
        ratio = twice / once if once else float("inf")
        verdict = "ok" if ratio <= GOAL else "QUADRATIC?"
        print(f"{title:48} {n:>6} {once:7.2f} {twice:9.2f} {ratio:6.2f}  <= {GOAL} {verdict}")


if __name__ == "__main__":
    main()
