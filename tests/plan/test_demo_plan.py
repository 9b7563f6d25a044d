"""The demo organization's plan: every user has a destination and a reason, a person
with users in several accounts is one Identity Center user, users with the same
policies share a permission set, and no target is broader than its user."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from keyless.model import Inventory
from keyless.plan.model import Destination, Plan, ProofStatus
from keyless.render.plan import render_plan_text
from tests.plan.support import entry, plan_of


@pytest.fixture(scope="module")
def plan(demo: Inventory) -> Plan:
    return plan_of(demo)


def test_every_user_has_a_destination_and_a_reason(plan: Plan, demo: Inventory) -> None:
    users = {u.arn for a in demo.accounts for u in a.users}
    assert {u.arn for u in plan.users} == users
    assert all(u.decision.reason for u in plan.users)


def test_one_person_across_accounts_is_one_identity_center_user(plan: Plan) -> None:
    (alice,) = [u for u in plan.identity_center_users if u.user_name == "alice@example.com"]
    names = sorted(arn.rsplit("/", 1)[-1] for arn in alice.iam_users)
    assert names == ["alice", "alice-admin", "alice.smith"]
    accounts = {a.account for a in plan.assignments if a.user_name == "alice@example.com"}
    assert len(accounts) == 2


def test_users_with_the_same_policies_share_a_permission_set(plan: Plan) -> None:
    targets = [entry(plan, name).target for name in ("carol", "alice.jones")]
    assert {t.permission_set for t in targets if t is not None} == {"ReadOnlyAccess"}
    assert {a.account for a in plan.assignments if a.permission_set == "ReadOnlyAccess"} == {
        entry(plan, "carol").account,
        entry(plan, "alice.jones").account,
    }


def test_the_mfa_guard_is_dropped_for_people(plan: Plan) -> None:
    carried = entry(plan, "alice.smith").carried
    assert carried is not None
    assert any("deny-unless-MFA" in d.why for d in carried.dropped)


def test_unused_users_are_retired(plan: Plan) -> None:
    for name in ("bob", "ci-terraform", "ci-deploy", "legacy-backup", "experiment-bot"):
        assert entry(plan, name).decision.destination is Destination.RETIRE


def test_every_target_is_proved_no_broader(plan: Plan) -> None:
    proofs = [u.proof for u in plan.users if u.proof is not None]
    assert proofs
    assert {p.status for p in proofs} == {ProofStatus.PROVED}


def test_administrator_access_is_flagged(plan: Plan) -> None:
    (admin,) = [s for s in plan.permission_sets if s.name == "AdministratorAccess"]
    assert admin.flags == ("*:*",)


def test_a_user_without_permissions_is_said_to_get_no_permission_set(plan: Plan) -> None:
    # make demo's dave: "→ Identity Center user dave@example.com" and nothing more, beside
    # lines that name a set, read as if the set were missing from the text.
    buffer = io.StringIO()
    render_plan_text(plan, Console(file=buffer, width=200, no_color=True))
    (line,) = [line for line in buffer.getvalue().splitlines() if line.strip().startswith("dave ")]
    assert line.endswith(
        "→ Identity Center user dave@example.com, no permission set (no assignment)"
    )
