"""A trigger's witness shows what the pattern admits beyond its own literal text: under
`repo:o/r:environment:prod*` an environment `prod…` a workflow may create, not `prod`
itself, which may be the protected environment the pattern was written for (the witness
showed `environment:prod`, as if the protected environment were the risk)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.trust.support import GH, assert_real_witness, assess, github

AUD = {f"{GH}:aud": "sts.amazonaws.com"}


def _trigger_witnesses(value: str) -> dict[str, str]:
    document = github({"StringEquals": AUD, "StringLike": {f"{GH}:sub": value}})
    found: dict[str, str] = {}
    for finding in assess(document).findings:
        if finding.check == "trust-oidc-untrusted-trigger":
            assert_real_witness(document, finding.witness)
            found[finding.evidence["trigger"]] = finding.witness["claims"]["sub"]
    return found


@pytest.mark.parametrize(
    ("value", "trigger", "literal"),
    [
        (
            "repo:octo-org/app:environment:prod*",
            "an environment a workflow creates unprotected",
            "repo:octo-org/app:environment:prod",
        ),
        (
            "repo:octo-org/app:ref:refs/heads/release-*",
            "an unprotected branch",
            "repo:octo-org/app:ref:refs/heads/release-",
        ),
    ],
)
def test_the_witness_is_not_the_patterns_literal_text(
    value: str, trigger: str, literal: str
) -> None:
    witnesses: dict[str, Any] = _trigger_witnesses(value)
    assert trigger in witnesses
    assert witnesses[trigger] != literal
    assert witnesses[trigger].startswith(literal)


def test_a_pattern_the_example_matches_keeps_the_example() -> None:
    # `*:environment:preview` is the environment trigger's readable example: still chosen.
    witnesses = _trigger_witnesses("repo:octo-org/app:environment:*")
    assert witnesses["an environment a workflow creates unprotected"] == (
        "repo:octo-org/app:environment:preview"
    )
