"""Per-policy bounds: an adversarial policy yields exact verdicts with the witness omitted,
and analysis work grows linearly with independent statements (counted, never timed)."""

from __future__ import annotations

from typing import Any

from keyless.engine import assess_trust
from keyless.model import Role
from keyless.patterns.budget import SearchBudget, bounded
from keyless.patterns.language import Language
from keyless.trust.analysis import analyse
from keyless.trust.formula import any_of

GH = "token.actions.githubusercontent.com"
ARN = "arn:aws:iam::123456789012:role/r"


def _role(document: dict[str, Any]) -> Role:
    return Role(account_id="123456789012", name="r", arn=ARN, trust_policy=document)


def _adversarial(values: int) -> dict[str, Any]:
    subs = [f"repo:a*cme/da{i}ta:*ref:refs/*heads/cat{i}alo*g" for i in range(values)]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::123456789012:oidc-provider/{GH}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringLike": {f"{GH}:sub": subs}},
            }
        ],
    }


def test_adversarial_policy_reports_the_bound_instead_of_a_witness() -> None:
    findings = assess_trust(_role(_adversarial(200)), None).findings
    omitted = [f for f in findings if "witness_omitted" in f.evidence]
    assert omitted
    assert all(f.witness is None for f in omitted)


def _independent(count: int) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{100000000000 + i}:root"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringLike": {"aws:PrincipalArn": f"arn:aws:iam::*:role/r{i}-*"}},
            }
            for i in range(count)
        ],
    }


def _steps(count: int) -> int:
    budget = SearchBudget(10**12)
    with bounded(budget):
        analysis = analyse(_independent(count), memoise=False)
        question = any_of("aws:principalarn", Language.wildcard("arn:aws:iam::*:role/r1*-x"))
        for path in analysis.paths:
            path.solve(question)
    return budget.limit - budget.remaining


def test_search_work_is_linear_in_independent_statements() -> None:
    small, large = _steps(50), _steps(200)
    assert small > 0
    assert large <= 4 * small * 1.25
