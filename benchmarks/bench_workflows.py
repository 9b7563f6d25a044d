"""Workflow reading and rewriting on large files and hostile text: linear, not quadratic.

Four shapes that were quadratic (each finding or edit walked every job, step or template of
its file): 1,200+ GitLab templates with keys and an endpoint kept in a variable, 1,500+
GitHub jobs with keys in their env, one GitHub job of 3,000+ steps with keys, and `fix` of
1,500+ GitLab jobs given the file's keys. Three hostile inputs the tests hold to a result
at a size only a linear reading finishes (their clocks moved here): a key expression
behind 150,000+ unclosed `${{`, a `run:` of 100,000+ `helm template` words, and YAML
aliases nested 11+ deep in a Bitbucket file (10^N strings if expanded). Each is timed (CPU,
best of --repeat) at N and 2N; the ratio of the two is the figure (about 2 when linear,
about 4 when quadratic).

    python benchmarks/bench_workflows.py [--scale 1.0] [--repeat 3] [--only fix:]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from keyless.workflows import FixOptions, RoleSource, fix, scan
from keyless.workflows.github_insertion import shows_aws_use
from keyless.workflows.github_values import computed_secret_names

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


def _hostile_expression(n: int) -> Callable[[], object]:
    value = "${{ " * n + "${{ secrets[format('KEY_{0}', inputs.stage)] }}"
    return lambda: computed_secret_names([value])


def _offline_words(n: int) -> Callable[[], object]:
    step = {"run": "helm template x " * n}
    return lambda: shows_aws_use(step)


def _alias_bomb(n: int) -> dict[str, str]:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, n + 1)]
    tail = f"pipelines:\n  default:\n    - step: {{script: [*a{n}]}}\n"
    return {"bitbucket-pipelines.yml": "\n".join(lines) + "\n" + tail}


def _files(
    build: Callable[[int], dict[str, str]], run: Callable[[Path], object]
) -> Callable[[int, Path], Callable[[], object]]:
    """A case over files: ``build(n)``'s files written under a directory, ``run`` on it."""

    def prepare(n: int, root: Path) -> Callable[[], object]:
        for relative, text in build(n).items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return lambda: run(root)

    return prepare


def _call(
    make: Callable[[int], Callable[[], object]],
) -> Callable[[int, Path], Callable[[], object]]:
    """A case over one function's input: ``make(n)`` the call."""
    return lambda n, _root: make(n)


CASES: tuple[tuple[str, Callable[[int, Path], Callable[[], object]], int], ...] = (
    ("scan: GitLab templates, endpoint in a variable", _files(_gitlab_templates, _scan), 1_200),
    ("scan: GitHub jobs with keys in their env", _files(_github_jobs, _scan), 1_500),
    ("scan: one GitHub job, keys in every step", _files(_github_steps, _scan), 3_000),
    ("fix: GitLab jobs given the file's keys", _files(_gitlab_jobs, _fix), 1_500),
    ("hostile: a key expression behind N '${{'", _call(_hostile_expression), 150_000),
    ("hostile: a run of N 'helm template' words", _call(_offline_words), 100_000),
    ("hostile: Bitbucket aliases N deep", _files(_alias_bomb, _scan), 11),
)


def _cpu(prepare: Callable[[int, Path], Callable[[], object]], n: int, repeat: int) -> float:
    best = float("inf")
    with tempfile.TemporaryDirectory() as directory:
        run = prepare(n, Path(directory))
        for _ in range(repeat):
            started = time.process_time()
            run()
            best = min(best, time.process_time() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every N")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="run the cases whose title holds this")
    args = parser.parse_args()
    print(f"{'case':48} {'N':>6} {'CPU s':>7} {'2N CPU s':>9} {'ratio':>6}  goal")
    for title, prepare, size in CASES:
        if args.only not in title:
            continue
        n = max(min(size, 10), int(size * args.scale))
        once = _cpu(prepare, n, args.repeat)
        twice = _cpu(prepare, 2 * n, args.repeat)
        ratio = twice / once if once else float("inf")
        verdict = "ok" if ratio <= GOAL else "QUADRATIC?"
        print(f"{title:48} {n:>6} {once:7.2f} {twice:9.2f} {ratio:6.2f}  <= {GOAL} {verdict}")


if __name__ == "__main__":
    main()
