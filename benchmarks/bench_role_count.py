"""Benchmark: how refusing a plan of more roles than IAM holds grows with the plan (not a
test).

IAM holds 5,000 roles in an account at most (IAM object quotas,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). The demo's
plan, its pipeline role copied into N roles of its account (past 5,000), then 2N, goes to
``keyless generate``, which refuses it (exit 2) by the pointer of the 5,001st role,
before proving any trust policy (tests/hostile/test_plan_role_count.py). A plan of 20,000
roles once kept ``generate`` proving trust policies for minutes before IAM's quota was
checked.

The ratio 2N / N of the median CPU time (loading the demo and reading the plan included)
should be about 2 or less (linear: the plan is read whole, then counted); far more means
work per role before the refusal.

    python benchmarks/bench_role_count.py [--roles 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path
from typing import Any

from bench_plan_growth import growth
from benchlib import keyless

#: IAM's quota of roles per account, raised as far as it goes.
MOST_ROLES = 5_000


def roles(document: dict[str, Any], count: int) -> None:
    """The plan's first OIDC role and ``count - 1`` copies of it, each of its own name, in
    its account (its user names the first one only: the copies are refused for that too,
    as in a hand-edited plan)."""
    role = document["oidc_roles"][0]
    copies = [dict(role, name=f"ci-role-{n}") for n in range(1, count)]
    document["oidc_roles"] = [role, *copies]


def refusal(plan: Path, out: Path) -> str:
    """What ``generate`` says of ``plan``; it must be refused for the role count."""
    command = [keyless(), "generate", str(plan), "--demo", "--format", "terraform",
               "--out", str(out)]  # fmt: skip
    said = subprocess.run(command, capture_output=True, text=True, check=False)
    if said.returncode != 2 or f"more than {MOST_ROLES:,} roles" not in said.stderr:
        raise SystemExit(f"{plan.name}: exit {said.returncode}, not the role-count refusal")
    return said.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roles", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.roles <= MOST_ROLES:
        parser.error(f"--roles must be more than {MOST_ROLES:,}: fewer are no refusal")
    growth("roles", args.roles, roles, args.repeat, refusal)


if __name__ == "__main__":
    main()
