"""A limit on the session tags a caller sets (`ForAllValues:StringLike aws:TagKeys
datazone*`, as AWS's DataZone execution role and session-tag guides write it) passes a
request that sets no tag, as it means to: no `trust-condition-fails-open`.
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html"""

from __future__ import annotations

import pytest

from tests.trust.support import allow, run_check

ACTIONS = ["sts:AssumeRole", "sts:TagSession"]


@pytest.mark.parametrize("key", ["aws:TagKeys", "sts:TransitiveTagKeys"])
def test_a_limit_on_the_tag_keys_set_is_not_failing_open(key: str) -> None:
    trust = allow(
        {"Service": "datazone.amazonaws.com"},
        {
            "StringEquals": {"aws:SourceAccount": "111122223333"},
            "ForAllValues:StringLike": {key: "datazone*"},
        },
        Action=ACTIONS,
    )
    assert run_check("trust-condition-fails-open", trust) == ()


def test_another_for_all_values_key_still_fails_open() -> None:
    trust = allow(
        {"AWS": "*"},
        {"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-abc123def4"}},
    )
    (finding,) = run_check("trust-condition-fails-open", trust)
    assert "aws:PrincipalOrgID" in finding.message
