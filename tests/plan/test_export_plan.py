"""An offline export planned end to end: console users become Identity Center users,
CI users OIDC roles trusting exactly the jobs that used their keys, unused users are
retired, and every target is proved no broader."""

from __future__ import annotations

import pytest

from keyless.model import Inventory
from keyless.plan.model import Destination, Plan, ProofStatus
from tests.plan.support import entry, export_plan, plan_of


@pytest.fixture
def plan(export: Inventory) -> Plan:
    return export_plan(export)


@pytest.mark.parametrize("name", ["maria.garcia", "tom.baker", "ops-lead"])
def test_console_users_go_to_identity_center(plan: Plan, name: str) -> None:
    assert entry(plan, name).decision.destination is Destination.IDENTITY_CENTER


@pytest.mark.parametrize("name", ["old-intern", "stale-bot"])
def test_unused_users_are_retired(plan: Plan, name: str) -> None:
    assert entry(plan, name).decision.destination is Destination.RETIRE


def test_a_ci_user_trusts_exactly_the_job_that_used_its_key(plan: Plan) -> None:
    (role,) = [r for r in plan.oidc_roles if r.user.endswith("/ci-deploy")]
    assert [(s.value, s.operator) for s in role.subjects] == [
        ("repo:acme/app:environment:production", "StringEquals")
    ]
    assert role.provider.issuer == "token.actions.githubusercontent.com"


def test_a_branch_family_is_withheld_as_workflows_fix_withholds_it(plan: Plan) -> None:
    # One tool, one verdict (issue #18): `release/*` admits any branch of that name, which
    # `keyless trust` rates high, so the plan trusts only what `workflows fix` recommends.
    (role,) = [r for r in plan.oidc_roles if r.user.endswith("/ci-infra")]
    assert [(s.value, s.operator) for s in role.subjects] == [
        ("repo:acme/infra:ref:refs/heads/main", "StringEquals"),
    ]
    assert any("release/*" in note and "not trusted" in note for note in plan.notes)


def test_without_workflows_the_role_says_what_is_missing(export: Inventory) -> None:
    plan = plan_of(export, "ci-deploy=acme/app")
    user = entry(plan, "ci-deploy")
    assert any("--workflows" in item for item in user.decision.would_decide)
    assert user in plan.open_users


def test_the_customer_managed_policy_of_a_role_stays_a_reference(plan: Plan) -> None:
    (role,) = [r for r in plan.oidc_roles if r.user.endswith("/ci-deploy")]
    assert [ref.name for ref in role.permissions.customer_managed] == ["deploy-app"]


def test_self_service_statements_never_reach_a_permission_set(plan: Plan) -> None:
    carried = entry(plan, "maria.garcia").carried
    assert carried is not None
    assert sum("own credentials" in d.why for d in carried.dropped) == 3


def test_service_and_host_workloads(plan: Plan) -> None:
    assert [r.service for r in plan.workload_roles] == ["lambda.amazonaws.com"]
    assert [(r.common_name, r.common_name_source) for r in plan.roles_anywhere] == [
        ("backup-nas", "proposed")
    ]


def test_keys_to_retire_name_the_replacement_first(plan: Plan) -> None:
    (retirement,) = [r for r in plan.retirements if r.user == "ci-deploy"]
    kinds = [p.kind for p in retirement.preconditions]
    assert kinds == ["workflows-use-oidc", "no-use-since"]
    assert [k.slot for k in retirement.keys] == [1]


def test_nothing_is_broader_than_before(plan: Plan) -> None:
    proofs = [u.proof for u in plan.users if u.proof is not None]
    assert len(proofs) == 7
    assert all(p.status is ProofStatus.PROVED for p in proofs)
