"""How the engine runs the account checks: missing data, ignores, configured thresholds."""

from __future__ import annotations

from typing import Any

import pytest

from keyless.checks import checks_by_id
from keyless.config import parse_config
from keyless.engine import run_checks
from keyless.model import Account, Dataset
from tests.builders import (
    ADMIN_POLICY_ARN,
    NOW,
    make_account,
    make_inventory,
    make_key,
    make_login,
    make_root,
    make_user,
)
from tests.checks.support import scan

ACCOUNT_CHECKS = (
    "user-long-lived-access-key",
    "key-not-rotated",
    "key-unused",
    "key-two-active",
    "user-console-without-mfa",
    "user-console-password-unused",
    "user-admin-with-access-key",
    "user-direct-policy",
    "account-mfa-not-enforced",
    "root-access-key",
    "root-without-mfa",
    "root-recently-used",
    "user-for-workload",
)
CREDENTIAL_REPORT_CHECKS = tuple(c for c in ACCOUNT_CHECKS if c != "user-direct-policy")
POLICY_CHECKS = ("user-admin-with-access-key", "user-direct-policy", "account-mfa-not-enforced")
ROOT_CHECKS = ("root-access-key", "root-without-mfa", "root-recently-used")

# An account on which every account check fires.
NOISY_USER = make_user(
    "zoe",
    keys=[make_key(1, age_days=400, last_used_days=100), make_key(2, age_days=400)],
    console=make_login(last_used_days=100),
    attached=[ADMIN_POLICY_ARN],
)
NOISY_ROOT = make_root(mfa=False, keys=[make_key(last_used_days=1)])
WORKLOAD = make_user("robot", keys=[make_key()])


def _noisy(**account_args: Any) -> Account:
    return make_account(users=[NOISY_USER, WORKLOAD], root=NOISY_ROOT, **account_args)


@pytest.mark.parametrize("check_id", ACCOUNT_CHECKS)
def test_every_account_check_is_registered_and_fires_on_noisy_account(check_id: str) -> None:
    result = scan(check_id, _noisy())
    assert result.findings, check_id
    assert result.check_runs[0].status == "evaluated"


@pytest.mark.parametrize("check_id", CREDENTIAL_REPORT_CHECKS)
def test_missing_credential_report_means_not_evaluated(check_id: str) -> None:
    result = scan(check_id, _noisy(missing=[Dataset.CREDENTIAL_REPORT]))
    (run,) = result.check_runs
    assert list(result.findings) == []
    assert run.status == "not_evaluated"
    assert "credential_report" in run.not_evaluated[0].reason


@pytest.mark.parametrize("check_id", POLICY_CHECKS)
def test_missing_authorization_details_means_not_evaluated(check_id: str) -> None:
    (run,) = scan(check_id, _noisy(missing=[Dataset.AUTHORIZATION_DETAILS])).check_runs
    assert run.status == "not_evaluated"


@pytest.mark.parametrize("check_id", ROOT_CHECKS)
def test_failed_root_source_means_not_evaluated_with_reason(check_id: str) -> None:
    account = _noisy(failed={Dataset.ROOT: "AccessDenied"})
    (run,) = scan(check_id, account).check_runs
    assert run.status == "not_evaluated"
    assert "AccessDenied" in run.not_evaluated[0].reason


def test_partial_when_one_account_lacks_the_report() -> None:
    inventory = make_inventory(
        make_account("111122223333", users=[WORKLOAD]),
        make_account("444455556666", users=[WORKLOAD], missing=[Dataset.CREDENTIAL_REPORT]),
    )
    (run,) = scan("user-for-workload", inventory).check_runs
    assert run.status == "partial"
    assert [n.account for n in run.not_evaluated] == ["444455556666"]


def test_ignore_with_reason_suppresses_matching_finding_only() -> None:
    config = parse_config(
        {
            "ignore": [
                {
                    "check": "user-for-workload",
                    "resource": "arn:aws:iam::*:user/robot",
                    "reason": "migrating in Q3",
                }
            ]
        }
    )
    other = make_user("printer", keys=[make_key()])
    result = scan("user-for-workload", make_account(users=[WORKLOAD, other]), config)
    assert [f.resource for f in result.findings] == [other.arn]
    (accepted,) = result.suppressed
    assert accepted.finding.resource == WORKLOAD.arn
    assert accepted.ignore.reason == "migrating in Q3"


def test_thresholds_from_configuration_reach_checks() -> None:
    config = parse_config({"thresholds": {"key_max_age_days": 500}})
    user = make_user(keys=[make_key(age_days=400)])
    assert scan("key-not-rotated", user).findings
    assert list(scan("key-not-rotated", user, config).findings) == []


def test_findings_carry_check_remediation_and_account() -> None:
    (finding,) = scan("root-access-key", _noisy()).findings
    assert finding.remediation == checks_by_id()["root-access-key"].remediation
    assert finding.account == "111122223333"


def test_checks_use_scan_time_not_wall_clock() -> None:
    user = make_user(keys=[make_key(age_days=100)])
    chk = checks_by_id()["key-not-rotated"]
    inventory = make_inventory(users=[user])
    assert run_checks(inventory, now=NOW, checks=[chk]).findings
    earlier = NOW.replace(year=NOW.year - 1)
    assert list(run_checks(inventory, now=earlier, checks=[chk]).findings) == []


def test_a_check_short_of_data_in_one_account_makes_the_scan_partial() -> None:
    whole = make_account("111111111111", users=[NOISY_USER])
    short = make_account("222222222222", missing=[Dataset.ROOT])
    result = run_checks(make_inventory(whole, short), now=NOW)
    partial = {run.check.id for run in result.short_runs}
    assert partial == set(ROOT_CHECKS)
    assert {run.status for run in result.short_runs} == {"partial"}
    assert result.is_complete
    assert result.exit_code() == 3
    assert result.exit_code(allow_partial=True) == 1


def test_an_estate_with_all_its_data_is_fully_evaluated() -> None:
    result = run_checks(make_inventory(make_account(users=[WORKLOAD])), now=NOW)
    assert result.is_fully_evaluated
    assert result.exit_code() == result.exit_code(allow_partial=True)


def test_run_checks_records_where_its_time_came_from() -> None:
    inventory = make_inventory(make_account())
    assert run_checks(inventory, now=NOW, now_basis="snapshot").now_basis == "snapshot"
    assert run_checks(inventory).now_basis == "clock"
