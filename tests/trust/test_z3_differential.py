"""Differential test: the trust reasoner against z3's string theory, an independent oracle.

Random trust policies (Allow and Deny statements; StringEquals, StringLike, StringNotLike,
ForAllValues:StringLike, StringLikeIfExists and Null over two single-valued keys) are encoded
in z3 directly from the IAM rules (reference_policies_condition-single-vs-multi-valued-
context-keys.html), not from our formulas. For each policy and a random question "is there an
admitted request with k:sub in L?" we compare satisfiability, check that our witness satisfies
the z3 encoding, and replay it through the concrete evaluator.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from keyless.patterns.language import Language
from keyless.policy.document import parse_trust_policy
from keyless.trust.analysis import analyse
from keyless.trust.formula import all_of, any_of, with_question
from keyless.trust.witness import find
from tests.trust.support import assert_admitted

z3 = pytest.importorskip("z3")

SEED = 20261201
POLICIES = 1500
PAIRS = 1500
ALPHABET = "ab:/*"
KEYS = ("k:sub", "k:env")
OPERATORS = (
    "StringEquals",
    "StringLike",
    "StringNotLike",
    "ForAllValues:StringLike",
    "StringLikeIfExists",
    "Null",
)


def random_value(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 4)))


def z3_wildcard(pattern: str) -> Any:
    parts = []
    for char in pattern:
        if char == "*":
            parts.append(z3.Star(z3.AllChar(z3.ReSort(z3.StringSort()))))
        elif char == "?":
            parts.append(z3.AllChar(z3.ReSort(z3.StringSort())))
        else:
            parts.append(z3.Re(z3.StringVal(char)))
    if not parts:
        return z3.Re(z3.StringVal(""))
    return parts[0] if len(parts) == 1 else z3.Concat(*parts)


class Request:
    """z3 variables of a request: per key, presence and value."""

    def __init__(self) -> None:
        self.present = {k: z3.Bool(f"{k}_present") for k in KEYS}
        self.value = {k: z3.String(f"{k}_value") for k in KEYS}


def z3_condition(operator: str, key: str, values: list[str], request: Request) -> Any:
    here, value = request.present[key], request.value[key]
    if operator == "Null":
        wanted = {v == "true" for v in values}
        if wanted == {True, False}:
            return z3.BoolVal(True)
        return z3.Not(here) if True in wanted else here
    like = "Like" in operator
    matches = (
        z3.Or(
            *[z3.InRe(value, z3_wildcard(v)) if like else value == z3.StringVal(v) for v in values]
        )
        if values
        else z3.BoolVal(False)
    )
    if operator == "StringNotLike":
        return z3.Or(z3.Not(here), z3.Not(matches))
    if operator.startswith("ForAllValues:") or operator.endswith("IfExists"):
        return z3.Or(z3.Not(here), matches)
    return z3.And(here, matches)


def random_policy(rng: random.Random) -> dict[str, Any]:
    statements = []
    for index in range(rng.randint(1, 3)):
        condition: dict[str, dict[str, Any]] = {}
        for _ in range(rng.randint(0, 3)):
            operator = rng.choice(OPERATORS)
            key = rng.choice(KEYS)
            if operator == "Null":
                values: list[str] = [rng.choice(["true", "false"])]
            else:
                values = [random_value(rng) for _ in range(rng.randint(1, 2))]
            condition.setdefault(operator, {})[key] = values
        statement: dict[str, Any] = {
            "Effect": "Deny" if index and rng.random() < 0.4 else "Allow",
            "Principal": "*",
            "Action": "sts:AssumeRole",
        }
        if condition:
            statement["Condition"] = condition
        statements.append(statement)
    if all(s["Effect"] == "Deny" for s in statements):
        statements[0]["Effect"] = "Allow"
    return {"Version": "2012-10-17", "Statement": statements}


def z3_policy(document: dict[str, Any], request: Request) -> Any:
    allows, denies = [], []
    for statement in document["Statement"]:
        parts = [
            z3_condition(operator, key, values, request)
            for operator, block in statement.get("Condition", {}).items()
            for key, values in block.items()
        ]
        (allows if statement["Effect"] == "Allow" else denies).append(
            z3.And(*parts) if parts else z3.BoolVal(True)
        )
    return z3.And(z3.Or(*allows), z3.Not(z3.Or(*denies)) if denies else z3.BoolVal(True))


def check(solver: Any) -> Any:
    solver.set("timeout", 5000)
    return solver.check()


def test_random_trust_policies_agree_with_z3() -> None:
    rng = random.Random(SEED)
    disagreements, unknown, admitted = [], 0, 0
    for _ in range(POLICIES):
        document = random_policy(rng)
        pattern = random_value(rng)
        language = Language.wildcard(pattern)
        (path,) = analyse(document).paths
        question = with_question(any_of("k:sub", language), all_of("k:sub", language))
        assert question is not None
        ours = path.solve(question)
        request = Request()
        solver = z3.Solver()
        solver.add(z3_policy(document, request))
        solver.add(request.present["k:sub"], z3.InRe(request.value["k:sub"], z3_wildcard(pattern)))
        verdict = check(solver)
        if verdict == z3.unknown:
            unknown += 1
            continue
        if (ours is not None) != (verdict == z3.sat):
            disagreements.append((document, pattern, ours is not None))
            continue
        if ours is None:
            continue
        admitted += 1
        witness = find(path, question)
        assert_admitted(document, witness)
        assert witness is not None
        context = witness["context"]
        pinned = z3.Solver()
        pinned.add(z3_policy(document, request))
        for key in KEYS:
            if key in context:
                pinned.add(request.present[key], request.value[key] == z3.StringVal(context[key]))
            else:
                pinned.add(z3.Not(request.present[key]))
        assert context["k:sub"] in language
        if check(pinned) != z3.sat:
            disagreements.append((document, pattern, witness))
    assert disagreements == []
    assert unknown < POLICIES // 20
    assert admitted > POLICIES // 10  # the witness half of the test really runs


def test_random_pattern_pairs_agree_with_z3() -> None:
    """Allow sub in A, Deny sub in B: admitted iff A \\ B is non-empty."""
    rng = random.Random(SEED + 1)
    disagreements = []
    for _ in range(PAIRS):
        first, second = random_value(rng), random_value(rng)
        document = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringLike": {"k:sub": first}},
                },
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringLike": {"k:sub": second}},
                },
            ],
        }
        (path,) = analyse(parse_trust_policy(document)).paths
        ours = path.solve()
        value = z3.String("v")
        solver = z3.Solver()
        solver.add(z3.InRe(value, z3_wildcard(first)), z3.Not(z3.InRe(value, z3_wildcard(second))))
        verdict = check(solver)
        if verdict == z3.unknown:
            continue
        if (ours is not None) != (verdict == z3.sat):
            disagreements.append((first, second))
    assert disagreements == []
