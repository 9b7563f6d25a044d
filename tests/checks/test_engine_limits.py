"""A role whose trust policy is beyond keyless's limits (keyless.policy.limits) is not
evaluated by any trust check in a scan: named with the reason, never clean, never a
finding about its content; the scan is partial (exit 3) unless partial is allowed."""

from __future__ import annotations

from typing import Any

from keyless.checks import all_checks
from keyless.engine import run_checks, run_checks_by_account
from keyless.model import Inventory
from keyless.policy.limits import MAX_TRUST_POLICY_CHARACTERS
from tests.builders import NOW, make_account, make_inventory, make_role
from tests.policy.test_limits import sized, with_values

TRUST = [c for c in all_checks() if c.theme == "trust"]


def open_to_anyone(padding_to: int | None = None) -> dict[str, Any]:
    """A trust policy open to every AWS principal (trust-anyone finds it), padded by its
    Sid to ``padding_to`` characters."""
    return sized(padding_to or 200, principal="*")


def estate(*roles: Any) -> Inventory:
    return make_inventory(make_account(roles=roles))


def test_every_trust_check_names_the_oversized_role_as_not_evaluated() -> None:
    huge = make_role("huge", trust=open_to_anyone(MAX_TRUST_POLICY_CHARACTERS + 100))
    result = run_checks(estate(huge, make_role("plain")), now=NOW, checks=TRUST)
    for run in result.check_runs:
        assert [gap.reason for gap in run.not_evaluated] == [
            "role huge: trust policy not analysed, 41,060 characters (keyless's limit: 40,960)"
        ], run.check.id


def test_an_oversized_policy_yields_no_finding_about_its_content() -> None:
    huge = make_role("huge", trust=open_to_anyone(MAX_TRUST_POLICY_CHARACTERS + 100))
    result = run_checks(estate(huge), now=NOW, checks=TRUST)
    assert list(result.findings) == []


def test_the_same_policy_under_the_limit_is_judged() -> None:
    # The near miss: the class of policy is found when it fits.
    near = make_role("near", trust=open_to_anyone(MAX_TRUST_POLICY_CHARACTERS))
    result = run_checks(estate(near), now=NOW, checks=TRUST)
    assert "trust-anyone" in {f.check for f in result.findings}
    assert result.is_fully_evaluated


def test_a_scan_with_an_oversized_role_is_partial() -> None:
    huge = make_role("huge", trust=with_values(5_000))
    result = run_checks(estate(huge), now=NOW, checks=TRUST)
    assert result.exit_code() == 3
    assert result.exit_code(allow_partial=True) == 0


def test_other_roles_of_the_account_are_still_judged() -> None:
    huge = make_role("huge", trust=with_values(5_000))
    result = run_checks(estate(huge, make_role("open", trust=open_to_anyone())), now=NOW)
    assert [f.resource for f in result.findings if f.check == "trust-anyone"] == [
        "arn:aws:iam::111122223333:role/open"
    ]


def test_roles_sharing_an_oversized_policy_are_each_named() -> None:
    document = with_values(5_000)
    roles = (make_role("first", trust=document), make_role("second", trust=document))
    result = run_checks(estate(*roles), now=NOW, checks=TRUST)
    run = result.check_runs[0]
    assert [gap.reason.split(":")[0] for gap in run.not_evaluated] == [
        "role first",
        "role second",
    ]


def test_the_account_by_account_scan_reports_it_too() -> None:
    huge = make_role("huge", trust=with_values(5_000))
    inventory = estate(huge)
    result = run_checks_by_account(inventory, inventory.accounts, now=NOW, checks=TRUST)
    assert all(run.status == "not_evaluated" for run in result.check_runs)
