"""Shared assertions for trust tests: every witness is replayed through the concrete evaluator."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from keyless.policy.document import Policy, parse_trust_policy
from keyless.trust.replay import evaluate_witness


def assert_admitted(policy: Policy | Mapping[str, Any], witness: Mapping[str, Any] | None) -> None:
    """The witness exists and ``evaluate_witness`` allows it under ``policy``."""
    assert witness is not None, "expected a witness"
    parsed = policy if isinstance(policy, Policy) else parse_trust_policy(policy)
    decision = evaluate_witness(parsed, witness)
    assert decision.allowed, f"witness {witness} denied: {decision.explanation}"


GITHUB_PROVIDER = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
GH = "token.actions.githubusercontent.com"


def github(condition: Mapping[str, Any], *extra: Mapping[str, Any]) -> dict[str, Any]:
    """A trust policy for GitHub Actions with ``condition`` (plus extra statements)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": GITHUB_PROVIDER},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": dict(condition),
            },
            *extra,
        ],
    }


def allow(
    principal: Any, condition: Mapping[str, Any] | None = None, **fields: Any
) -> dict[str, Any]:
    """A one-statement trust policy."""
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": principal,
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = dict(condition)
    statement.update(fields)
    return {"Version": "2012-10-17", "Statement": [statement]}
