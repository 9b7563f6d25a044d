"""`ForAllValues:` on a single-valued OIDC claim, as AWS evaluates it: true when the request
has no such key, else the one value must match. Every web identity token has a `sub` (and
an `aud`), so `ForAllValues:StringLike` on GitHub's `sub` admits exactly what `StringLike`
does (its verdicts are those of the plain operator, no condition that fails open); on a
claim a token may lack (`environment`, set only for a job that references one) it passes
every token without it (`trust-condition-fails-open`, high).
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
https://docs.github.com/en/actions/reference/security/oidc"""

from __future__ import annotations

from typing import Any

import pytest

from tests.trust.support import GH, assert_real_witness, assess, github

AUD = {f"{GH}:aud": "sts.amazonaws.com"}


def verdicts(condition: dict[str, Any]) -> set[tuple[str, str, str]]:
    document = github(condition)
    found = assess(document).findings
    for finding in found:
        assert_real_witness(document, finding.witness)
    return {(f.check, f.severity.value, f.message) for f in found}


@pytest.mark.parametrize(
    ("operator", "sub"),
    [
        ("StringLike", "repo:octo-org/app:*"),
        ("StringLike", "repo:octo-org/app:ref:refs/heads/main"),
        ("StringEquals", "repo:octo-org/app:ref:refs/heads/main"),
        ("StringLike", "repo:*"),
    ],
)
def test_for_all_values_on_sub_is_the_plain_operator(operator: str, sub: str) -> None:
    aud_pin = {"StringEquals": AUD}
    plain = verdicts({**aud_pin, operator: {**aud_pin.get(operator, {}), f"{GH}:sub": sub}})
    each = verdicts({**aud_pin, f"ForAllValues:{operator}": {f"{GH}:sub": sub}})
    assert plain or sub.endswith(":ref:refs/heads/main")  # the wide ones have findings
    assert each == plain
    assert not any(check == "trust-condition-fails-open" for check, _, _ in each)


def test_for_all_values_on_a_claim_a_token_may_lack_fails_open() -> None:
    found = verdicts(
        {
            "StringEquals": {**AUD, f"{GH}:sub": "repo:octo-org/app:ref:refs/heads/main"},
            "ForAllValues:StringEquals": {f"{GH}:environment": "production"},
        }
    )
    assert ("trust-condition-fails-open", "high") in {(c, s) for c, s, _ in found}
