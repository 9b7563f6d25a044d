"""collect_organization against a moto server holding an organization of 53 accounts."""

from __future__ import annotations

from typing import Any

import pytest

from keyless.collect.live.organization import collect_organization
from keyless.engine import EXIT_INCOMPLETE, run_checks
from keyless.errors import KeylessError
from keyless.model import AccountStatus, Inventory
from tests.org.conftest import (
    MANAGEMENT,
    MEMBER_COUNT,
    Estate,
    assumed_account,
    error_response,
    make_session,
)


@pytest.fixture(scope="module")
def scanned(estate: Estate) -> tuple[Inventory, list[tuple[int, int, int]]]:
    """One full scan with 8 workers, the role of ``estate.denied`` denied."""
    session = make_session()

    def deny(params: dict[str, Any], **_: Any) -> Any:
        if assumed_account(params) == estate.denied:
            return error_response("AccessDenied", "not authorized to perform sts:AssumeRole")
        return None

    session.events.register("before-call.sts.AssumeRole", deny)
    calls: list[tuple[int, int, int]] = []
    inventory = collect_organization(
        session, endpoint_url=estate.endpoint, max_workers=8, progress=lambda *a: calls.append(a)
    )
    return inventory, calls


def by_id(inventory: Inventory) -> dict[str, Any]:
    return {account.id: account for account in inventory.accounts}


def test_every_account_of_the_organization_is_listed(scanned: Any, estate: Estate) -> None:
    inventory, _ = scanned
    assert set(by_id(inventory)) == {MANAGEMENT, *estate.members}
    assert len(inventory.accounts) == MEMBER_COUNT + 1


def test_account_whose_role_cannot_be_assumed_is_failed_with_reason(
    scanned: Any, estate: Estate
) -> None:
    account = by_id(scanned[0])[estate.denied]
    assert account.status is AccountStatus.FAILED
    assert "AccessDenied" in account.error
    assert f"arn:aws:iam::{estate.denied}:role/OrganizationAccountAccessRole" in account.error
    assert account.users == ()


def test_other_accounts_are_scanned_despite_the_failure(scanned: Any, estate: Estate) -> None:
    statuses = {a.id: a.status for a in scanned[0].accounts}
    others = set(statuses) - {estate.denied, estate.suspended}
    assert {statuses[i] for i in others} == {AccountStatus.SCANNED}
    assert len(others) == MEMBER_COUNT - 1


def test_member_users_come_from_their_own_account(scanned: Any, estate: Estate) -> None:
    accounts = by_id(scanned[0])
    assert [u.name for u in accounts[estate.members[1]].users] == ["alice-admin"]
    assert {u.name for u in accounts[MANAGEMENT].users} == {"alice", "deploy"}
    assert (
        accounts[estate.members[1]]
        .users[0]
        .arn.startswith(f"arn:aws:iam::{estate.members[1]}:user/")
    )


def test_suspended_account_is_skipped_with_reason(scanned: Any, estate: Estate) -> None:
    account = by_id(scanned[0])[estate.suspended]
    assert account.status is AccountStatus.SKIPPED
    assert "SUSPENDED" in account.error


def test_account_names_and_emails_come_from_organizations(scanned: Any, estate: Estate) -> None:
    account = by_id(scanned[0])[estate.members[5]]
    assert account.name == "member-05"
    assert account.email == "m5@example.com"


def test_organization_is_recorded(scanned: Any) -> None:
    org = scanned[0].organization
    assert org.management_account_id == MANAGEMENT
    assert org.id.startswith("o-")


def test_scan_with_a_failed_account_exits_3(scanned: Any) -> None:
    result = run_checks(scanned[0])
    assert result.exit_code() == EXIT_INCOMPLETE


def test_duplicated_person_is_found_across_accounts(scanned: Any, estate: Estate) -> None:
    result = run_checks(scanned[0])
    duplicates = [f for f in result.findings if f.check == "user-duplicated-across-accounts"]
    alice = next(f for f in duplicates if f.evidence["person"] == "alice.smith@example.com")
    assert set(alice.evidence["accounts"]) == {MANAGEMENT, estate.members[0], estate.members[1]}
    assert estate.members[2] not in alice.evidence["accounts"]  # alice.jones is someone else


def test_progress_reports_done_failed_remaining(scanned: Any) -> None:
    calls = scanned[1]
    assert calls[0] == (0, 0, MEMBER_COUNT)  # 53 accounts, one suspended
    assert calls[-1] == (MEMBER_COUNT - 1, 1, 0)
    assert len(calls) == MEMBER_COUNT + 1


def test_accounts_selects_only_those(estate: Estate) -> None:
    wanted = estate.members[:2]
    inventory = collect_organization(make_session(), endpoint_url=estate.endpoint, accounts=wanted)
    scanned_ids = {a.id for a in inventory.accounts if a.status is AccountStatus.SCANNED}
    assert scanned_ids == set(wanted)
    others = [a for a in inventory.accounts if a.id not in wanted]
    assert {a.status for a in others} == {AccountStatus.SKIPPED}
    assert by_id(inventory)[MANAGEMENT].error == "not selected by --accounts"


def test_exclude_accounts_leaves_them_out(estate: Estate) -> None:
    keep = estate.members[:3]
    excluded = [a for a in [MANAGEMENT, *estate.members] if a not in keep]
    inventory = collect_organization(
        make_session(), endpoint_url=estate.endpoint, exclude_accounts=excluded
    )
    accounts = by_id(inventory)
    assert {i for i, a in accounts.items() if a.status is AccountStatus.SCANNED} == set(keep)
    assert accounts[estate.members[10]].error == "excluded by --exclude-accounts"


def test_unknown_selected_account_is_a_usage_error(estate: Estate) -> None:
    with pytest.raises(KeylessError, match="not in the organization: 999999999999"):
        collect_organization(
            make_session(), endpoint_url=estate.endpoint, accounts=["999999999999"]
        )


def test_malformed_account_id_is_a_usage_error(estate: Estate) -> None:
    with pytest.raises(KeylessError, match="not a 12-digit account ID"):
        collect_organization(make_session(), endpoint_url=estate.endpoint, accounts=["prod"])


def test_denied_iam_calls_make_the_account_failed(estate: Estate) -> None:
    session = make_session()
    session.events.register(
        "before-call.iam.GetAccountAuthorizationDetails",
        lambda **_: error_response("AccessDenied", "iam:GetAccountAuthorizationDetails denied"),
    )
    inventory = collect_organization(
        session, endpoint_url=estate.endpoint, accounts=[estate.members[0]]
    )
    account = by_id(inventory)[estate.members[0]]
    assert account.status is AccountStatus.FAILED
    assert "GetAccountAuthorizationDetails" in account.error
    assert "AccessDenied" in account.error
    assert run_checks(inventory).exit_code() == EXIT_INCOMPLETE


def test_throttled_assume_role_is_retried(estate: Estate) -> None:
    session = make_session()
    attempts: list[str] = []

    def throttle_twice(params: dict[str, Any], **_: Any) -> Any:
        attempts.append(assumed_account(params))
        if len(attempts) <= 2:
            return error_response("Throttling", "Rate exceeded", status=400)
        return None

    session.events.register("before-call.sts.AssumeRole", throttle_twice)
    inventory = collect_organization(
        session, endpoint_url=estate.endpoint, accounts=[estate.members[3]]
    )
    assert by_id(inventory)[estate.members[3]].status is AccountStatus.SCANNED
    assert attempts == [estate.members[3]] * 3


def test_assume_role_throttled_forever_fails_the_account(estate: Estate) -> None:
    session = make_session()
    session.events.register(
        "before-call.sts.AssumeRole",
        lambda **_: error_response("Throttling", "Rate exceeded", status=400),
    )
    inventory = collect_organization(
        session, endpoint_url=estate.endpoint, accounts=[estate.members[4]]
    )
    account = by_id(inventory)[estate.members[4]]
    assert account.status is AccountStatus.FAILED
    assert "Throttling" in account.error


def test_external_id_and_session_name_are_sent(estate: Estate) -> None:
    session = make_session()
    sent: list[dict[str, Any]] = []
    session.events.register(
        "before-call.sts.AssumeRole", lambda params, **_: sent.append(params["body"])
    )
    collect_organization(
        session,
        endpoint_url=estate.endpoint,
        accounts=[estate.members[6]],
        member_role="AuditRole",
        external_id="ext-123",
    )
    assert sent[0]["RoleArn"] == f"arn:aws:iam::{estate.members[6]}:role/AuditRole"
    assert sent[0]["RoleSessionName"] == "keyless"
    assert sent[0]["ExternalId"] == "ext-123"


def test_the_callers_own_account_is_not_assumed(estate: Estate) -> None:
    session = make_session()
    assumed: list[str] = []
    session.events.register(
        "before-call.sts.AssumeRole", lambda params, **_: assumed.append(assumed_account(params))
    )
    inventory = collect_organization(session, endpoint_url=estate.endpoint, accounts=[MANAGEMENT])
    assert by_id(inventory)[MANAGEMENT].status is AccountStatus.SCANNED
    assert assumed == []


def test_secrets_are_not_logged(estate: Estate, caplog: pytest.LogCaptureFixture) -> None:
    # keyless's own loggers only: botocore's DEBUG output includes the session token in
    # request headers, so it must never be enabled around a real scan.
    caplog.set_level("DEBUG", logger="keyless")
    session = make_session()
    secrets: list[str] = []
    session.events.register(
        "after-call.sts.AssumeRole",
        lambda parsed, **_: secrets.extend(
            [parsed["Credentials"]["SecretAccessKey"], parsed["Credentials"]["SessionToken"]]
        ),
    )
    collect_organization(session, endpoint_url=estate.endpoint, accounts=estate.members[:2])
    assert secrets
    assert caplog.records
    assert not any(secret in caplog.text for secret in secrets)
