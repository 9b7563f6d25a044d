"""Micro benchmark of keyless.patterns.language on a trust-analysis-like workload (not a test).

Each operation takes two OIDC ``sub`` patterns of the kind GitHub and GitLab trust policies
hold, builds ``allowed - intended`` (what the policy admits beyond what it means to) and asks
for its shortest example, the question the trust checks ask for every role.

Run: ``.venv/bin/python benchmarks/bench_patterns.py [--pairs N] [--seed S]``.

Two figures are reported:

* cold: every cache cleared first, so each pattern's automaton is built once during the pass;
* warm: the pattern automata cached (as in a real account, where a few hundred patterns
  repeat). Answers themselves are not memoised across questions: each pair is decided
  again on the lazy product of its two patterns.
"""

from __future__ import annotations

import argparse
import random
import time

from keyless.patterns import language as patterns
from keyless.patterns.language import Language

ORGS = ["octo-org", "acme", "example-co", "widgets", "contoso", "initech"]
REPOS = ["app", "infra", "deploy", "website", "api", "terraform", "tools"]
BRANCHES = ["main", "master", "release/*", "prod", "develop", "feature/*"]
ENVIRONMENTS = ["production", "staging", "prod-*", "dev"]


def github_subject(rng: random.Random) -> str:
    """A GitHub Actions ``sub`` value or pattern, as trust policies write them."""
    org, repo = rng.choice(ORGS), rng.choice(REPOS)
    shapes = [
        f"repo:{org}/*",
        f"repo:{org}/{repo}:*",
        f"repo:{org}/{repo}:ref:refs/heads/{rng.choice(BRANCHES)}",
        f"repo:{org}/{repo}:environment:{rng.choice(ENVIRONMENTS)}",
        f"repo:{org}/{repo}:pull_request",
        f"repo:{org}/*:ref:refs/tags/v*",
        f"repo:{org}/{repo}*",
        "repo:*",
    ]
    return rng.choice(shapes)


def gitlab_subject(rng: random.Random) -> str:
    """A GitLab CI ``sub`` value or pattern."""
    group, project = rng.choice(ORGS), rng.choice(REPOS)
    return rng.choice(
        [
            f"project_path:{group}/{project}:ref_type:branch:ref:{rng.choice(BRANCHES)}",
            f"project_path:{group}/*",
            f"project_path:{group}/{project}:*",
        ]
    )


def make_pairs(count: int, seed: int) -> list[tuple[str, str]]:
    """``count`` (allowed, intended) pattern pairs."""
    rng = random.Random(seed)
    subject = [github_subject, github_subject, github_subject, gitlab_subject]
    return [(rng.choice(subject)(rng), rng.choice(subject)(rng)) for _ in range(count)]


def run(pairs: list[tuple[str, str]]) -> int:
    """Ask every question; return how many pairs admit something unintended."""
    loose = 0
    for allowed, intended in pairs:
        extra = Language.wildcard(allowed).intersection(Language.wildcard(intended).complement())
        if extra.shortest_example() is not None:
            loose += 1
    return loose


def clear_caches() -> None:
    """Forget every memoised pattern automaton."""
    for name in ("_from_glob", "_from_tokens", "_arn_pattern"):
        getattr(patterns, name).cache_clear()


def timed(pairs: list[tuple[str, str]]) -> float:
    """Operations per second of one pass."""
    start = time.perf_counter()
    run(pairs)
    return len(pairs) / (time.perf_counter() - start)


def main() -> None:
    """Print ops/second for the cold and warm cases."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    pairs = make_pairs(args.pairs, args.seed)
    distinct = sorted(set(pairs))
    clear_caches()
    cold = timed(distinct)
    warm = timed(pairs)
    patterns_seen = len({p for pair in pairs for p in pair})
    print(f"{len(pairs)} pairs, {len(distinct)} distinct, {patterns_seen} distinct patterns")
    print(f"cold (patterns and pairs built):   {cold:10.0f} ops/s")
    print(f"warm (pattern automata cached):    {warm:10.0f} ops/s")


if __name__ == "__main__":
    main()
