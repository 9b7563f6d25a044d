"""Offline organizations: an export directory of per-account directories, and a snapshot
of an organization scan, both give back the organization."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from keyless.collect.live.organization import collect_organization
from keyless.collect.offline.export import load_export
from keyless.collect.offline.snapshot import load_snapshot, write_snapshot
from keyless.engine import EXIT_INCOMPLETE, run_checks
from keyless.model import AccountStatus, Inventory
from tests.org.conftest import (
    MANAGEMENT,
    Estate,
    assumed_account,
    error_response,
    make_session,
    member_session,
)


@pytest.fixture(scope="module")
def live(estate: Estate, seeded: dict[str, Any]) -> Inventory:
    """A scan with one scanned member per kind: duplicated people, a denied role, a
    suspended account and excluded ones."""
    session = make_session()

    def deny(params: dict[str, Any], **_: Any) -> Any:
        if assumed_account(params) == estate.denied:
            return error_response("AccessDenied", "not authorized to perform sts:AssumeRole")
        return None

    session.events.register("before-call.sts.AssumeRole", deny)
    keep = {MANAGEMENT, *estate.members[:4], estate.denied, estate.suspended}
    excluded = [a for a in [MANAGEMENT, *estate.members] if a not in keep]
    return collect_organization(session, endpoint_url=estate.endpoint, exclude_accounts=excluded)


def users_by_account(inventory: Inventory) -> dict[str, list[tuple[str, bool, int]]]:
    return {
        account.id: sorted(
            (u.name, u.has_console_access, len(u.active_keys)) for u in account.users
        )
        for account in inventory.scanned_accounts
    }


def test_snapshot_of_an_organization_round_trips(live: Inventory, tmp_path: Path) -> None:
    path = tmp_path / "org.json"
    write_snapshot(live, path)
    loaded = load_snapshot(path)
    assert loaded.organization == live.organization
    assert loaded.organization is not None
    assert loaded.organization.identity_center is not None
    assert any(p.inline_policy for p in loaded.organization.identity_center.permission_sets)
    assert [(a.id, a.status, a.error) for a in loaded.accounts] == [
        (a.id, a.status, a.error) for a in live.accounts
    ]
    assert users_by_account(loaded) == users_by_account(live)
    assert loaded.accounts == live.accounts


def test_snapshot_keeps_the_exit_code_and_findings(live: Inventory, tmp_path: Path) -> None:
    path = tmp_path / "org.json"
    write_snapshot(live, path)
    before, after = run_checks(live), run_checks(load_snapshot(path))
    assert after.exit_code() == before.exit_code() == EXIT_INCOMPLETE
    assert [(f.check, f.resource) for f in after.findings] == [
        (f.check, f.resource) for f in before.findings
    ]


def export_account(endpoint: str, account_id: str, directory: Path) -> None:
    """Write what `aws iam get-account-authorization-details` and the decoded credential
    report give for one account, the way a person would export it."""
    session = make_session() if account_id == MANAGEMENT else member_session(endpoint, account_id)
    iam = session.client("iam", endpoint_url=endpoint)
    details = iam.get_account_authorization_details()
    details.pop("ResponseMetadata", None)
    iam.generate_credential_report()
    report = iam.get_credential_report()["Content"]
    directory.mkdir(parents=True)
    (directory / "authorization-details.json").write_text(json.dumps(details, default=str))
    content = report if isinstance(report, bytes) else base64.b64decode(report)
    (directory / "credential-report.csv").write_bytes(content)


def test_organization_export_loads_every_account(
    estate: Estate, live: Inventory, tmp_path: Path
) -> None:
    exported = [a.id for a in live.scanned_accounts]
    for account_id in exported:
        export_account(estate.endpoint, account_id, tmp_path / account_id)
    org = live.organization
    assert org is not None
    (tmp_path / "organization.json").write_text(
        json.dumps({"id": org.id, "management_account_id": org.management_account_id})
    )
    loaded = load_export(tmp_path)
    assert loaded.organization is not None
    assert loaded.organization.id == org.id
    assert [a.id for a in loaded.accounts] == sorted(exported)
    assert {a.status for a in loaded.accounts} == {AccountStatus.SCANNED}
    assert users_by_account(loaded) == users_by_account(live)


def test_organization_export_finds_the_same_duplicated_people(
    estate: Estate, live: Inventory, tmp_path: Path
) -> None:
    for account in live.scanned_accounts:
        export_account(estate.endpoint, account.id, tmp_path / account.id)
    (tmp_path / "organization.json").write_text(
        json.dumps({"id": "o-offline123", "management_account_id": MANAGEMENT})
    )

    def people(inventory: Inventory) -> list[list[str]]:
        return sorted(
            sorted(u["arn"] for u in f.evidence["users"])
            for f in run_checks(inventory).findings
            if f.check == "user-duplicated-across-accounts"
        )

    assert people(load_export(tmp_path)) == people(live)
    assert people(live)


def test_organization_export_without_organization_json_is_an_organization(
    estate: Estate, live: Inventory, tmp_path: Path
) -> None:
    for account in live.scanned_accounts[:2]:
        export_account(estate.endpoint, account.id, tmp_path / account.id)
    inventory = load_export(tmp_path)
    assert inventory.organization is not None
    runs = {run.check.id: run for run in run_checks(inventory).check_runs}
    assert runs["user-duplicated-across-accounts"].status == "evaluated"
    # Whether Identity Center exists is unknown offline: not evaluated, never clean.
    assert runs["org-identity-center-missing"].status == "not_evaluated"
