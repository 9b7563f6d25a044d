"""Facts the inventory keeps about itself for the checks."""

from __future__ import annotations

from keyless.model import Inventory, Organization
from tests.org.builders import make_account

MANAGEMENT = "111111111111"


def test_organization_account_ids_hold_members_and_the_management_account() -> None:
    organization = Organization("o-abc123def4", MANAGEMENT)
    inventory = Inventory(
        accounts=(make_account("222222222222"), make_account("333333333333")),
        organization=organization,
    )
    assert inventory.organization_account_ids == {MANAGEMENT, "222222222222", "333333333333"}
    # Asked for every role: the same set each time, not rebuilt.
    assert inventory.organization_account_ids is inventory.organization_account_ids


def test_no_organization_means_no_organization_accounts() -> None:
    inventory = Inventory(accounts=(make_account("222222222222"),))
    assert inventory.organization_account_ids == frozenset()
