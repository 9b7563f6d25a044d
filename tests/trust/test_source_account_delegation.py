"""A service pinned to a *named other* account is a delegation, not a confused deputy.

AWS's confused-deputy guidance: the deputy is a service "manipulated to use its permissions
to act on another customer's resources"; "Use aws:SourceArn if you want only one resource to
be associated with the cross-service access. Use aws:SourceAccount if you want to allow any
resource in that account to be associated with the cross-service use"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html). A role whose SNS
trust names the central logging account 222233334444 exactly lets that account's topics use
it and nobody else's: not reported, and "who can assume" names the account. A pattern over
accounts admits strangers: still reported.
"""

from __future__ import annotations

from typing import Any

from keyless.trust.analysis import analyse
from keyless.trust.describe import describe_path
from tests.trust.support import allow, run_check

OWN, OTHER = "111122223333", "222233334444"
CHECK = "trust-service-confused-deputy"


def sns(condition: dict[str, Any]) -> dict[str, Any]:
    return allow({"Service": "sns.amazonaws.com"}, condition)


def test_source_account_of_a_named_other_account_is_no_confused_deputy() -> None:
    assert run_check(CHECK, sns({"StringEquals": {"aws:SourceAccount": OTHER}})) == ()


def test_source_arn_of_a_named_other_account_is_no_confused_deputy() -> None:
    trust = sns({"ArnLike": {"aws:SourceArn": f"arn:aws:sns:*:{OTHER}:*"}})
    assert run_check(CHECK, trust) == ()


def test_own_and_other_account_listed_is_no_confused_deputy() -> None:
    assert run_check(CHECK, sns({"StringEquals": {"aws:SourceAccount": [OWN, OTHER]}})) == ()


def test_description_names_the_delegated_account() -> None:
    (path,) = analyse(sns({"StringEquals": {"aws:SourceAccount": OTHER}})).paths
    assert describe_path(path, OWN) == (
        f"the AWS service sns.amazonaws.com, for resources of account {OTHER} (another account)"
    )
    assert describe_path(path, OTHER).endswith("(the role's own)")


def test_pattern_over_accounts_is_still_reported_with_an_account_id() -> None:
    (finding,) = run_check(CHECK, sns({"StringLike": {"aws:SourceAccount": "2222*"}}))
    assert finding.witness is not None
    account = finding.witness["context"]["aws:SourceAccount"]
    assert account.startswith("2222")
    assert len(account) == 12


def test_pin_a_request_without_the_key_passes_is_still_reported() -> None:
    trust = sns({"StringEqualsIfExists": {"aws:SourceAccount": OTHER}})
    (finding,) = run_check(CHECK, trust)
    assert finding.witness is not None
    assert "aws:SourceAccount" not in finding.witness.get("context", {})
