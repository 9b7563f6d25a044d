"""Deciding a trust policy is bounded too: past keyless's bound of work (set low here, so
an ordinary policy reaches it) the checks that asked are *not evaluated* for that role —
listed, exit 3, never clean — and the scan goes on. A policy of hundreds of wildcard values
can make an exact decision astronomical (issue #11: no policy may stall a scan)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.engine import assess_trust
from keyless.model import Role
from keyless.patterns.language import forget_memoised
from keyless.trust import paths

GH = "token.actions.githubusercontent.com"


@pytest.fixture(autouse=True)
def _nothing_memoised() -> None:
    """Answers are memoised across policies by their structure: start from none, so each
    test's questions are decided (and counted) here."""
    forget_memoised()


def _policy() -> dict[str, Any]:
    subs = [f"repo:acme/app{i}:*" for i in range(12)]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::111122223333:oidc-provider/{GH}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {f"{GH}:aud": "sts.amazonaws.com"},
                    "StringLike": {f"{GH}:sub": subs},
                },
            }
        ],
    }


def _role() -> Role:
    arn = "arn:aws:iam::111122223333:role/deploy"
    return Role(account_id="111122223333", name="deploy", arn=arn, trust_policy=_policy())


def test_an_ordinary_policy_is_decided_within_the_real_bound() -> None:
    assessment = assess_trust(_role())
    assert assessment.not_evaluated == ()
    assert {f.check for f in assessment.findings} >= {"trust-oidc-untrusted-trigger"}


def test_past_the_bound_the_checks_that_asked_are_not_evaluated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(paths, "DECISION_STEPS", 50)
    assessment = assess_trust(_role())
    undecided = dict(assessment.not_evaluated)
    assert "trust-oidc-untrusted-trigger" in undecided
    assert (
        "too complex to decide within keyless's bound of 50 automaton steps"
        in (undecided["trust-oidc-untrusted-trigger"])
    )
    assert "role deploy" in undecided["trust-oidc-untrusted-trigger"]
    # A check that found its answer without deciding anything costly still reports.
    assert all(
        f.check not in undecided or f.check == "trust-oidc-untrusted-trigger"
        for f in assessment.findings
    )


def test_keyless_trust_lists_them_and_exits_3(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(paths, "DECISION_STEPS", 50)
    policy = tmp_path / "deploy.json"
    policy.write_text(json.dumps(_policy()))
    result = CliRunner().invoke(cli, ["trust", str(policy)], catch_exceptions=False)
    assert result.exit_code == 3, result.stdout
    assert "Not evaluated (the role is not judged clean by these):" in result.stdout
    assert "No trust findings." not in result.stdout
    result = CliRunner().invoke(
        cli, ["trust", str(policy), "--format", "json"], catch_exceptions=False
    )
    document = json.loads(result.stdout)
    assert {item["check"] for item in document["not_evaluated"]} >= {"trust-oidc-untrusted-trigger"}
