"""Benchmark: how one trust policy's cost grows with its size, under keyless's limits
(issue #10 item 12; not a test).

For each shape, a policy of N independent parts and one of 4N, both under the limits of
``keyless.policy.limits`` (40,960 characters, 1,024 condition values), are judged by every
trust check (``assess_trust``, as ``keyless trust`` does) in one process; each time is the
median of --repeat runs, each on names of its own (so no run reuses another's
automata). The
ratio 4N / N should be at most about 4 (linear); the printed verdict says whether it is.

Shapes: ``statements`` (GitHub OIDC statements, one repository each), ``values`` (one
statement, N wildcard ``sub`` values), ``accounts`` (N cross-account statements with an
external ID each).

    python benchmarks/bench_trust_growth.py [--n 25] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from keyless.engine import assess_trust
from keyless.model import Role
from keyless.policy.limits import MAX_TRUST_CONDITION_VALUES, MAX_TRUST_POLICY_CHARACTERS

GH = "token.actions.githubusercontent.com"
FEDERATED = {"Federated": f"arn:aws:iam::123456789012:oidc-provider/{GH}"}


def statements(n: int, salt: str = "") -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": FEDERATED,
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {f"{GH}:aud": "sts.amazonaws.com"},
                    "StringLike": {f"{GH}:sub": f"repo:org{salt}{i}/r*:ref:refs/heads/main"},
                },
            }
            for i in range(n)
        ],
    }


def values(n: int, salt: str = "") -> dict[str, Any]:
    subs = [f"repo:org{salt}/r{i}:*" for i in range(n)]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": FEDERATED,
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringLike": {f"{GH}:sub": subs}},
            }
        ],
    }


def accounts(n: int, salt: str = "") -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"{100000000000 + i}"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": f"x{salt}{i}"}},
            }
            for i in range(n)
        ],
    }


SHAPES: dict[str, Callable[[int, str], dict[str, Any]]] = {
    "statements": statements,
    "values": values,
    "accounts": accounts,
}


def judge(build: Callable[[int, str], dict[str, Any]], n: int, repeat: int) -> float:
    times = []
    for run in range(repeat):
        # Names differ from run to run: no run reuses another's automata or memo entries.
        role = Role(
            account_id="123456789012",
            name="bench",
            arn="arn:aws:iam::123456789012:role/bench",
            trust_policy=build(n, f"x{n}r{run}"),
        )
        start = time.perf_counter()
        assess_trust(role)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=25, help="the smaller size (the other is 4x)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    judge(statements, 1, 1)  # grammars and automata built once per process, not charged
    print(f"{'shape':>10} {'N':>5} {'chars':>7} {'s':>7} {'4N':>5} {'chars':>7} {'s':>7} ratio")
    for name, build in SHAPES.items():
        small, large = build(args.n, ""), build(4 * args.n, "")
        size = len(json.dumps(large, separators=(",", ":")))
        if size > MAX_TRUST_POLICY_CHARACTERS or 4 * args.n > MAX_TRUST_CONDITION_VALUES:
            print(f"{name:>10}: 4N is beyond keyless's limits ({size:,} characters); smaller --n")
            continue
        first, second = judge(build, args.n, args.repeat), judge(build, 4 * args.n, args.repeat)
        ratio = second / first
        verdict = "linear" if ratio <= 4.5 else "SUPERLINEAR"
        print(
            f"{name:>10} {args.n:5} {len(json.dumps(small, separators=(',', ':'))):7,}"
            f" {first:7.3f} {4 * args.n:5} {size:7,} {second:7.3f} {ratio:5.2f} {verdict}"
        )


if __name__ == "__main__":
    main()
