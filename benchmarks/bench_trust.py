"""Benchmark: the trust checks over many roles, against orjson's parse time (not a test).

Two modes, both in one process:

* ``python benchmarks/bench_trust.py [--roles N]``: N synthetic roles with varied trust
  policies (services, GitHub OIDC with literal and wildcard subjects, cross-account with
  and without conditions). Reported against the orjson parse of those trust documents
  alone, a harsh baseline (a few hundred bytes per role), and as milliseconds per role and per
  distinct policy.
* ``python benchmarks/bench_trust.py --export DIR``: the roles of an offline export (e.g.
  ``benchmarks/generate_export.py``'s 20,000-role account), against ``orjson.loads`` of its
  ``authorization-details.json``: the baseline of issue #2 and #4 (trust checks within
  about 2x of it, so the whole scan stays within 3x).

The GC is collected once before timing, so the trust checks are not charged for the
first walk of a freshly loaded inventory.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import time
from pathlib import Path

import orjson

from keyless.checks.registry import all_checks
from keyless.collect.offline.export import load_export
from keyless.engine import run_checks
from keyless.model import Account, Dataset, Inventory, Role
from keyless.model.inventory import AVAILABLE

ROLES = int(os.environ.get("ROLES", "20000"))
GH = "token.actions.githubusercontent.com"


def policy(rng: random.Random) -> dict[str, object]:
    kind = rng.random()
    if kind < 0.5:  # service roles: most of an account, few distinct texts
        service = rng.choice(["ec2", "lambda", "ecs-tasks", "states", "sns", "events"])
        return {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": f"{service}.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    if kind < 0.8:  # GitHub roles, one per repository
        repo = f"repo:org{rng.randint(1, 50)}/app{rng.randint(1, 400)}"
        sub = rng.choice([f"{repo}:ref:refs/heads/main", f"{repo}:*", repo.split("/")[0] + "/*"])
        return {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": f"arn:aws:iam::111122223333:oidc-provider/{GH}"},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {f"{GH}:aud": "sts.amazonaws.com"},
                        "StringLike": {f"{GH}:sub": sub},
                    },
                }
            ],
        }
    account = f"{rng.randint(100000000000, 100000000300)}"
    condition = rng.choice(
        [
            {},
            {"StringEquals": {"sts:ExternalId": f"x{rng.randint(1, 99)}"}},
            {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        ]
    )
    statement: dict[str, object] = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def trust_time(inventory: Inventory) -> tuple[float, int]:
    """Seconds to run every trust check over the inventory, and the findings."""
    checks = [c for c in all_checks() if c.theme == "trust"]
    gc.collect()
    start = time.perf_counter()
    result = run_checks(inventory, checks=checks)
    return time.perf_counter() - start, len(result.findings)


def synthetic(count: int) -> None:
    """The synthetic mode (see the module doc)."""
    rng = random.Random(7)
    texts = [orjson.dumps(policy(rng)) for _ in range(count)]
    start = time.perf_counter()
    documents = [orjson.loads(t) for t in texts]
    baseline = time.perf_counter() - start
    roles = tuple(
        Role(
            account_id="123456789012",
            name=f"r{i}",
            arn=f"arn:aws:iam::123456789012:role/r{i}",
            trust_policy=d,
        )
        for i, d in enumerate(documents)
    )
    # Every source available, as after a live collection, so the trust checks run.
    account = Account(id="123456789012", roles=roles, datasets=dict.fromkeys(Dataset, AVAILABLE))
    inventory = Inventory(accounts=(account,))
    analysed, found = trust_time(inventory)
    distinct = len(set(texts))
    print(f"roles={count} distinct policies={distinct} findings={found}")
    print(f"orjson parse of the trust documents: {baseline * 1000:.1f} ms")
    print(
        f"trust checks: {analysed * 1000:.0f} ms = {analysed / count * 1000:.3f} ms/role, "
        f"{analysed / distinct * 1000:.3f} ms/distinct policy, "
        f"{analysed / baseline:.0f}x that parse"
    )


def export(directory: Path) -> None:
    """The export mode (see the module doc)."""
    details = (directory / "authorization-details.json").read_bytes()
    start = time.perf_counter()
    orjson.loads(details)
    baseline = time.perf_counter() - start
    del details
    inventory = load_export(directory)
    roles = sum(len(account.roles) for account in inventory.accounts)
    analysed, found = trust_time(inventory)
    print(f"roles={roles} findings={found}")
    print(f"orjson.loads of authorization-details.json: {baseline:.2f} s")
    print(
        f"trust checks: {analysed:.2f} s = {analysed / roles * 1000:.3f} ms/role, "
        f"{analysed / baseline:.2f}x the parse"
    )


def main() -> None:
    """Run the mode the arguments ask for."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roles", type=int, default=ROLES)
    parser.add_argument("--export", type=Path, help="an offline export directory")
    args = parser.parse_args()
    if args.export:
        export(args.export)
    else:
        synthetic(args.roles)


if __name__ == "__main__":
    main()
