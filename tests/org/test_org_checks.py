"""The organization checks on in-memory inventories."""

from __future__ import annotations

from keyless.engine import run_checks
from keyless.findings import Severity
from keyless.model import (
    AVAILABLE,
    AccountStatus,
    DatasetState,
    DatasetStatus,
    IdentityCenter,
    Inventory,
    Organization,
)
from tests.org.builders import make_account, make_user

M, A, B = "123456789012", "111111111111", "222222222222"


def org(center: IdentityCenter | None = None, state: DatasetStatus = AVAILABLE) -> Organization:
    return Organization("o-abc123def4", M, identity_center=center, identity_center_state=state)


def findings(inventory: Inventory, check: str) -> list:  # type: ignore[type-arg]
    return [f for f in run_checks(inventory).findings if f.check == check]


def test_one_finding_per_person_with_every_user_and_the_signals() -> None:
    inventory = Inventory(
        accounts=(
            make_account(M, make_user(M, "alice", email="alice@example.com", console=True)),
            make_account(A, make_user(A, "alice-admin", console=True)),
            make_account(B, make_user(B, "alice_ci")),
        ),
        organization=org(),
    )
    (finding,) = findings(inventory, "user-duplicated-across-accounts")
    assert finding.severity is Severity.MEDIUM
    assert finding.evidence["accounts"] == sorted([A, B, M])
    assert {u["arn"] for u in finding.evidence["users"]} == {
        f"arn:aws:iam::{M}:user/alice",
        f"arn:aws:iam::{A}:user/alice-admin",
        f"arn:aws:iam::{B}:user/alice_ci",
    }
    assert "same-name" in finding.evidence["signals"]
    assert all(link["signals"] for link in finding.evidence["matches"])


def test_machine_identity_copies_are_low() -> None:
    inventory = Inventory(
        accounts=(
            make_account(A, make_user(A, "terraform")),
            make_account(B, make_user(B, "terraform")),
        ),
        organization=org(),
    )
    (finding,) = findings(inventory, "user-duplicated-across-accounts")
    assert finding.severity is Severity.LOW


def test_users_of_failed_accounts_are_not_matched() -> None:
    inventory = Inventory(
        accounts=(
            make_account(A, make_user(A, "alice")),
            make_account(B, make_user(B, "alice"), status=AccountStatus.FAILED, error="denied"),
        ),
        organization=org(),
    )
    assert findings(inventory, "user-duplicated-across-accounts") == []


def test_identity_center_missing_is_reported() -> None:
    inventory = Inventory(accounts=(make_account(M),), organization=org())
    (finding,) = findings(inventory, "org-identity-center-missing")
    assert finding.severity is Severity.MEDIUM
    assert finding.account == M


def test_identity_center_present_is_not_reported() -> None:
    center = IdentityCenter("arn:aws:sso:::instance/ssoins-1", "d-1")
    inventory = Inventory(accounts=(make_account(M),), organization=org(center))
    assert findings(inventory, "org-identity-center-missing") == []


def test_identity_center_unreadable_is_not_reported_as_missing() -> None:
    state = DatasetStatus(DatasetState.FAILED, "sso-admin:ListInstances failed: AccessDenied")
    inventory = Inventory(accounts=(make_account(M),), organization=org(state=state))
    assert findings(inventory, "org-identity-center-missing") == []
