"""Benchmark: parse + trust analysis of 20,000 varied trust policies vs orjson parse alone.

Not a test. Run: ``.venv/bin/python benchmarks/bench_trust.py``. Reports the ratio
(analysis time / orjson parse time of the same documents) measured in the same run, and the
absolute times. The analysis runs the questions every trust check asks.
"""

from __future__ import annotations

import random
import time

import orjson

from keyless.checks.registry import CheckContext, all_checks
from keyless.config import Thresholds
from keyless.model import Account, Inventory, Role

ROLES = int(__import__("os").environ.get("ROLES", "20000"))
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


def main() -> None:
    rng = random.Random(7)
    texts = [orjson.dumps(policy(rng)) for _ in range(ROLES)]
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
    inventory = Inventory(accounts=(Account(id="123456789012", roles=roles),))
    checks = [c for c in all_checks() if c.theme == "trust"]
    ctx = CheckContext(
        inventory, Thresholds(), __import__("datetime").datetime.now(), inventory.accounts[0]
    )
    start = time.perf_counter()
    documents = [orjson.loads(t) for t in texts]
    found = sum(1 for role in roles for chk in checks for _ in chk.run(role, ctx))
    analysed = time.perf_counter() - start
    distinct = len(set(texts))
    print(f"roles={ROLES} distinct policies={distinct} findings={found}")
    print(f"orjson parse: {baseline * 1000:.1f} ms; parse + trust checks: {analysed * 1000:.1f} ms")
    print(f"ratio: {analysed / baseline:.1f}x orjson parse alone")


if __name__ == "__main__":
    main()
