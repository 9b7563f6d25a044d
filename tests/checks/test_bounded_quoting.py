"""A trust policy's condition value is quoted in part in a finding's message
(``keyless.errors.quoted``): a 30,000-character value (trust policies are refused past
40,960 characters) is not read out whole; the evidence keeps it."""

from __future__ import annotations

from tests.builders import make_account, make_role
from tests.checks.support import findings
from tests.trust.support import GH, github

LARGE = "x" * 30_000


def test_a_dead_condition_value_is_quoted_in_part() -> None:
    trust = github(
        {
            "StringEquals": {f"{GH}:aud": "sts.amazonaws.com"},
            "StringLike": {f"{GH}:sub": ["repo:acme/app:ref:refs/heads/main", LARGE]},
        }
    )
    found = findings("trust-dead-condition", make_account(roles=[make_role("r", trust=trust)]))
    messages = [f.message for f in found if "xxxxxxxx" in f.message]
    assert messages
    assert all(len(m) < 500 and "xxxxxxxx…" in m for m in messages), [m[:300] for m in messages]
