"""The demo estate: a small organization, seeded into moto and read back through the
live collector, with dates that make every age-based check fire."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from keyless.collect.demo.build import demo_inventory
from keyless.model import Account, Dataset, DatasetState, Inventory, User

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo() -> Inventory:
    return demo_inventory(now=NOW)


def _account(inventory: Inventory, alias: str) -> Account:
    return next(a for a in inventory.accounts if a.alias == alias)


def _user(account: Account, name: str) -> User:
    return next(u for u in account.users if u.name == name)


def _days(moment: datetime | None) -> int:
    assert moment is not None
    return (NOW - moment).days


def test_is_an_organization_of_four_accounts(demo: Inventory) -> None:
    assert demo.origin == "demo"
    assert demo.organization is not None
    assert demo.organization.management_account_id == "123456789012"
    assert demo.organization.id.startswith("o-")
    assert [a.alias for a in demo.accounts] == [
        "acme-mgmt",
        "acme-prod",
        "acme-staging",
        "acme-sandbox",
    ]
    assert len({a.id for a in demo.accounts}) == 4
    assert all(a.failed_calls == () for a in demo.accounts)


def test_every_account_has_a_root_row_said_to_be_seeded_by_keyless(demo: Inventory) -> None:
    for account in demo.accounts:
        assert account.root is not None
        root = account.dataset(Dataset.ROOT)
        assert root.state is DatasetState.AVAILABLE
        assert "seeded by keyless" in root.reason


def test_the_seeded_root_rows_are_backdated(demo: Inventory) -> None:
    prod = _account(demo, "acme-prod").root
    assert prod is not None
    (key,) = prod.active_keys
    assert _days(key.created) == 1200
    assert _days(key.last_used) == 6
    staging = _account(demo, "acme-staging").root
    assert staging is not None
    assert not staging.mfa_active


def test_account_ids_are_the_same_on_every_run(demo: Inventory) -> None:
    again = demo_inventory(now=NOW)
    assert [a.id for a in again.accounts] == [a.id for a in demo.accounts]
    assert again.organization is not None
    assert demo.organization is not None
    assert again.organization.id == demo.organization.id


def test_keys_are_backdated(demo: Inventory) -> None:
    prod = _account(demo, "acme-prod")
    old, fresh = _user(prod, "ci-deploy").active_keys
    assert _days(old.created) == 400
    assert _days(old.last_used) == 120
    assert _days(fresh.created) == 30
    assert fresh.last_used is None
    legacy = _user(prod, "legacy-backup")
    assert [k.active for k in legacy.access_keys] == [True, False]


def test_people_with_and_without_mfa(demo: Inventory) -> None:
    mgmt = _account(demo, "acme-mgmt")
    alice, bob = _user(mgmt, "alice"), _user(mgmt, "bob")
    assert alice.has_console_access
    assert alice.has_mfa
    assert alice.mfa_devices[0].serial.endswith(":mfa/alice")
    assert bob.has_console_access
    assert not bob.has_mfa
    assert bob.login_profile is not None
    assert _days(bob.login_profile.password_last_used) == 90


def test_same_person_in_several_accounts(demo: Inventory) -> None:
    by_email = [
        (a.alias, u.name)
        for a in demo.accounts
        for u in a.users
        if u.tag("email") == "alice@example.com"
    ]
    assert ("acme-mgmt", "alice") in by_email
    assert ("acme-prod", "alice.smith") in by_email
    assert ("acme-prod", "alice-admin") in by_email
    jones = _user(_account(demo, "acme-prod"), "alice.jones")
    assert jones.tag("email") == "alice.jones@example.com"


def test_administrators_and_direct_policies(demo: Inventory) -> None:
    mgmt = _account(demo, "acme-mgmt")
    terraform = _user(mgmt, "ci-terraform")
    assert [p.arn for p in terraform.attached_policies] == [
        "arn:aws:iam::aws:policy/AdministratorAccess"
    ]
    assert mgmt.policies_by_arn["arn:aws:iam::aws:policy/AdministratorAccess"].document
    admins = mgmt.groups_by_name["admins"]
    assert admins.inline_policies[0].document["Statement"][0] == {
        "Effect": "Allow",
        "Action": "*",
        "Resource": "*",
    }


def test_deploy_policy_keeps_its_default_version(demo: Inventory) -> None:
    prod = _account(demo, "acme-prod")
    deploy = next(p for p in prod.policies if p.name == "deploy")
    assert deploy.default_version_id == "v2"
    assert len(deploy.document["Statement"]) == 2


def test_github_roles_well_and_badly_pinned(demo: Inventory) -> None:
    prod = _account(demo, "acme-prod")
    conditions = {
        name: prod.roles_by_name[name].trust_policy["Statement"][0]["Condition"]
        for name in ("github-deploy-prod", "github-any-repo", "github-sub-list", "github-no-sub")
    }
    sub = "token.actions.githubusercontent.com:sub"
    assert conditions["github-deploy-prod"]["StringEquals"][sub] == (
        "repo:example-org/deploy:ref:refs/heads/main"
    )
    assert conditions["github-any-repo"]["StringLike"][sub] == "repo:example-org/*"
    assert conditions["github-sub-list"]["StringLike"][sub][1] == "*"
    assert sub not in str(conditions["github-no-sub"])
    federated = prod.roles_by_name["github-no-sub"].trust_policy["Statement"][0]["Principal"]
    assert federated["Federated"] == (
        f"arn:aws:iam::{prod.id}:oidc-provider/token.actions.githubusercontent.com"
    )
    assert prod.oidc_providers[0].url == "https://token.actions.githubusercontent.com"
    assert prod.saml_providers[0].name == "okta"


def test_cross_account_and_public_roles(demo: Inventory) -> None:
    prod = _account(demo, "acme-prod")
    vendor = prod.roles_by_name["vendor-audit"].trust_policy["Statement"][0]
    assert vendor["Principal"] == {"AWS": "arn:aws:iam::999988887777:root"}
    assert "Condition" not in vendor
    assert prod.roles_by_name["anyone-can-assume"].trust_policy["Statement"][0]["Principal"] == "*"
    staging = _account(demo, "acme-staging")
    from_prod = staging.roles_by_name["from-prod"].trust_policy["Statement"][0]
    assert from_prod["Principal"] == {"AWS": f"arn:aws:iam::{prod.id}:root"}


def test_by_default_the_timeline_starts_today_and_the_collection_is_now() -> None:
    before = datetime.now(UTC)
    inventory = demo_inventory()
    after = datetime.now(UTC)
    sandbox = _account(inventory, "acme-sandbox")
    (key,) = _user(sandbox, "experiment-bot").access_keys
    days = {moment.replace(hour=0, minute=0, second=0, microsecond=0) for moment in (before, after)}
    assert key.created in {day - timedelta(days=30) for day in days}
    assert inventory.collected_at is not None
    assert before <= inventory.collected_at <= after


def test_two_demo_snapshots_of_one_day_differ_in_nothing(tmp_path: Path) -> None:
    """A newcomer diffing two demo snapshots sees no change: the demo's keys are the same
    keys in every run (same creation instants), so nothing is added, removed or fixed."""
    from click.testing import CliRunner

    from keyless.cli import cli

    runner = CliRunner()
    snapshots = [tmp_path / "first.json", tmp_path / "second.json"]
    for snapshot in snapshots:
        result = runner.invoke(cli, ["collect", "--demo", "--quiet", "--out", str(snapshot)])
        assert result.exit_code == 0, result.output
    if len({datetime.fromisoformat(_collected(s)).date() for s in snapshots}) > 1:
        pytest.skip("the two snapshots were taken either side of midnight UTC")
    result = runner.invoke(cli, ["diff", "--format", "json", *map(str, snapshots)])
    assert result.exit_code == 0, result.output
    totals = json.loads(result.output)["totals"]
    changed = {name: count for name, count in totals.items() if name != "findings_unchanged"}
    assert set(changed.values()) == {0}, totals
    assert totals["findings_unchanged"] > 0


def _collected(snapshot: Path) -> str:
    collected: str = json.loads(snapshot.read_text())["collected_at"]
    return collected.replace("Z", "+00:00")


def test_the_readme_shows_the_demo_account_ids(demo: Inventory) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    shown = set(re.findall(r"(acme-[a-z]+) \((\d{12})\)", readme))
    assert shown == {(a.alias, a.id) for a in demo.accounts}
