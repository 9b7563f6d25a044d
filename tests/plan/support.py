"""Helpers for plan tests: plan an inventory, find a user's entry."""

from __future__ import annotations

from keyless.model import Inventory
from keyless.plan.build import PlanInputs, make_plan
from keyless.plan.links import parse_link_option
from keyless.plan.model import Plan, UserPlan
from keyless.plan.pipelines import WorkflowSource
from tests.builders import NOW
from tests.plan.conftest import REPOS

# The export fixture's CI users, linked to the fixture repositories.
EXPORT_LINKS = ("ci-deploy=acme/app", "ci-infra=acme/infra")
EXPORT_WORKFLOWS = (
    WorkflowSource(REPOS / "app", "acme/app"),
    WorkflowSource(REPOS / "infra", "acme/infra"),
)


def plan_of(inventory: Inventory, *links: str, **inputs: object) -> Plan:
    """The plan of ``inventory`` with ``--link`` texts and other PlanInputs fields."""
    return make_plan(
        inventory,
        PlanInputs(
            links=tuple(parse_link_option(text) for text in links),
            as_of=NOW,
            **inputs,  # type: ignore[arg-type]
        ),
    )


def export_plan(inventory: Inventory) -> Plan:
    """The export fixture planned with its links and workflows."""
    return plan_of(inventory, *EXPORT_LINKS, workflows=EXPORT_WORKFLOWS)


def entry(plan: Plan, name: str, account: str | None = None) -> UserPlan:
    """The one user called ``name`` (in ``account`` when given)."""
    (found,) = [
        u for u in plan.users if u.name == name and (account is None or u.account == account)
    ]
    return found
