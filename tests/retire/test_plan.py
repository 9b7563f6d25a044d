"""``keyless retire --plan``: the plan's retire list, gated by its preconditions, against
the emulated account the plan was made from (``keyless.plan`` reads it back and plans it)."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from keyless.retire import Force, Policy, Report, RetireRequest, StepStatus, retire
from keyless.retire.plan import PlanProblems, RetirePlan, load_plan, plan_from_document
from keyless.retire.selection import SelectionError
from tests.retire.conftest import World
from tests.retire.estate import Key, Person, describe_user
from tests.retire.planning import create_role, destination, plan_of, with_key_ids, write

IDLE_BOT = Person("old-bot", keys=(Key(age=400, used=200),))
CI_USER = Person("ci-deploy", keys=(Key(age=400, used=40),), tags=(("purpose", "ci"),))
PERSON = Person(
    "alice",
    console=True,
    password_used=40,
    mfa=True,
    keys=(Key(age=400, used=40),),
    tags=(("email", "alice@example.com"),),
)


def _plan(world: World, *links: str, **changes: Any) -> RetirePlan:
    document = plan_of(world.estate, *links)
    return plan_from_document(document, "plan.json", now=world.now, **changes)


def _run(
    world: World,
    plan: RetirePlan,
    *,
    users: tuple[str, ...] = (),
    keys: tuple[str, ...] = (),
    confirmed: tuple[str, ...] = (),
    apply: bool = False,
    days: float = 0,
    force: tuple[str, ...] = (),
) -> Report:
    request = RetireRequest(
        plan.select(users, [world.key(k) for k in keys], confirmed),
        Policy(force=Force.parse(world.key(f) for f in force)),
        apply=apply,
        journal=world.journal,
        plan=plan,
    )
    return retire(request, world.reach(), clock=world.clock(days))


def _step(report: Report, user: str, kind: str) -> Any:
    (found,) = [s for s in report.steps if s.user == user and s.label == kind]
    return found


# -- what the plan selects ---------------------------------------------------------------


def test_a_user_the_plan_retires_has_its_key_deactivated(world: World) -> None:
    world.estate.add(IDLE_BOT)
    plan = _plan(world)

    report = _run(world, plan, apply=True)

    assert destination(plan_of(world.estate), "old-bot") == "retire"
    assert _step(report, "old-bot", "deactivate-key").status is StepStatus.DONE
    assert describe_user(world.estate.iam, "old-bot")["keys"][0][1] == "Inactive"


def test_the_user_goes_after_its_quarantine_with_the_no_use_since_check_met(
    world: World,
) -> None:
    world.estate.add(IDLE_BOT)
    plan = _plan(world, max_age_days=60)
    _run(world, plan, apply=True)

    report = _run(world, plan, apply=True, days=15)

    assert _step(report, "old-bot", "delete-user").status is StepStatus.DONE
    assert describe_user(world.estate.iam, "old-bot") is None


def test_a_key_created_after_the_plan_is_not_touched_and_keeps_the_user(world: World) -> None:
    world.estate.add(IDLE_BOT)
    plan = _plan(world, max_age_days=60)
    new_key = world.estate.iam.create_access_key(UserName="old-bot")["AccessKey"]["AccessKeyId"]
    _run(world, plan, apply=True)

    report = _run(world, plan, apply=True, days=15)

    unlisted = [s for s in report.steps if s.target == new_key]
    assert [s.status for s in unlisted] == [StepStatus.REFUSED]
    assert "not in the plan" in unlisted[0].reason
    assert _step(report, "old-bot", "user").status is StepStatus.WAITING
    assert (new_key, "Active") in describe_user(world.estate.iam, "old-bot")["keys"]


def test_a_user_is_narrowed_to_with_user(world: World) -> None:
    world.estate.add(IDLE_BOT, Person("other-bot", keys=(Key(age=400, used=300),)))
    plan = _plan(world)

    report = _run(world, plan, users=("old-bot",))

    assert {s.user for s in report.steps} == {"old-bot"}


def test_a_key_named_with_the_plan_is_retired_alone(world: World) -> None:
    world.estate.add(IDLE_BOT)
    document = with_key_ids(plan_of(world.estate), world.estate)
    plan = plan_from_document(document, "plan.json", now=world.now)

    report = _run(world, plan, keys=("old-bot.key1",))

    assert [s.label for s in report.steps] == ["deactivate-key"]


def test_a_user_outside_the_plan_is_refused(world: World) -> None:
    world.estate.add(IDLE_BOT)
    plan = _plan(world)
    world.estate.add(Person("newcomer", keys=(Key(age=400, used=300),)))

    with pytest.raises(SelectionError, match="not in the plan's retire list"):
        plan.select(["newcomer"])


def test_a_key_outside_the_plan_is_refused(world: World) -> None:
    world.estate.add(IDLE_BOT)
    document = with_key_ids(plan_of(world.estate), world.estate)
    plan = plan_from_document(document, "plan.json", now=world.now)

    with pytest.raises(SelectionError, match="not a key of the plan"):
        plan.select(keys=["AKIAIOSFODNN7EXAMPLE"])


def test_a_user_the_plan_keeps_is_never_selected(world: World) -> None:
    world.estate.add(IDLE_BOT, Person("other-bot", keys=(Key(age=400, used=300),)))
    document = plan_of(world.estate)
    held = _held(document, "old-bot", "keep")
    plan = plan_from_document(held, "plan.json", now=world.now)

    with pytest.raises(SelectionError, match="destination for 'old-bot' is keep"):
        plan.select(["old-bot"])


# -- preconditions checked in AWS -------------------------------------------------------


def test_a_ci_key_is_kept_while_its_oidc_role_does_not_exist(world: World) -> None:
    world.estate.add(CI_USER)
    plan = _plan(world, "ci-deploy=acme/app")

    step = _step(_run(world, plan), "ci-deploy", "deactivate-key")

    assert step.status is StepStatus.REFUSED
    assert "workflows-use-oidc not met: there is no role ci-deploy-github" in step.reason


def test_a_ci_key_is_kept_while_its_role_is_unused_since_the_plan(world: World) -> None:
    world.estate.add(CI_USER)
    plan = _plan(world, "ci-deploy=acme/app")
    create_role(world.estate, "ci-deploy-github", used=world.now - timedelta(days=1))

    step = _step(_run(world, plan), "ci-deploy", "deactivate-key")

    assert step.status is StepStatus.REFUSED
    assert "not since the plan" in step.reason


def test_a_ci_key_is_deactivated_once_its_role_is_used(world: World) -> None:
    world.estate.add(CI_USER)
    plan = _plan(world, "ci-deploy=acme/app")
    create_role(world.estate, "ci-deploy-github", used=world.now + timedelta(hours=1))

    step = _step(_run(world, plan, days=1), "ci-deploy", "deactivate-key")

    assert step.status is StepStatus.PLANNED


def test_a_password_used_after_the_plan_keeps_the_user(world: World) -> None:
    world.estate.add(Person("old-intern", console=True, password_used=90))
    plan = _plan(world, max_age_days=60)
    _backdate_password(world, "old-intern", world.now + timedelta(days=1))

    step = _step(_run(world, plan, days=2), "old-intern", "user")

    assert step.status is StepStatus.REFUSED
    assert "no-use-since not met: the console password was used" in step.reason


# -- preconditions a person confirms ---------------------------------------------------


def test_a_person_s_key_is_kept_until_confirmed(world: World) -> None:
    world.estate.add(PERSON)
    plan = _plan(world)

    step = _step(_run(world, plan), "alice", "deactivate-key")

    assert destination(plan_of(world.estate), "alice") == "identity-center"
    assert step.status is StepStatus.REFUSED
    assert "key-replaced-by-sso not confirmed" in step.reason
    assert "--confirmed 123456789012:alice" in step.reason


def test_a_confirmed_person_s_key_is_deactivated(world: World) -> None:
    world.estate.add(PERSON)
    plan = _plan(world)

    step = _step(_run(world, plan, confirmed=("alice",)), "alice", "deactivate-key")

    assert step.status is StepStatus.PLANNED


def test_the_journal_records_what_was_confirmed(world: World) -> None:
    world.estate.add(PERSON)
    plan = _plan(world)

    _run(world, plan, confirmed=("123456789012:alice",), apply=True)

    with sqlite3.connect(world.journal) as db:
        (request,) = db.execute("SELECT request FROM runs").fetchone()
    (confirmed,) = json.loads(request)["plan"]["confirmed"]
    assert confirmed["user"] == "alice"
    assert {p["kind"] for p in confirmed["preconditions"]} == {
        "target-in-use",
        "key-replaced-by-sso",
    }
    assert all(p["text"] for p in confirmed["preconditions"])


def test_a_confirmation_never_stands_in_for_a_check_in_aws(world: World) -> None:
    world.estate.add(IDLE_BOT)
    plan = _plan(world)

    with pytest.raises(SelectionError, match="nothing of 'old-bot' needs a person"):
        plan.select(confirmed=["old-bot"])


# -- plans that cannot be followed -------------------------------------------------------


def test_a_stale_plan_is_refused(world: World) -> None:
    world.estate.add(IDLE_BOT)
    document = plan_of(world.estate, as_of=world.now - timedelta(days=40))

    with pytest.raises(PlanProblems) as raised:
        plan_from_document(document, "plan.json", now=world.now)

    assert [p.pointer for p in raised.value.problems] == ["/source/as_of"]
    assert "40 days old" in raised.value.problems[0].message


def test_a_plan_without_its_gate_is_refused(world: World) -> None:
    world.estate.add(CI_USER)
    document = plan_of(world.estate, "ci-deploy=acme/app")
    for entry in document["retire"]:
        entry["preconditions"] = [p for p in entry["preconditions"] if p["kind"] == "no-use-since"]

    with pytest.raises(PlanProblems, match="workflows-use-oidc precondition is missing"):
        plan_from_document(document, "plan.json", now=world.now)


def test_every_problem_of_a_tampered_plan_is_reported(world: World) -> None:
    world.estate.add(IDLE_BOT)
    document = _held(plan_of(world.estate), "old-bot", "undecided", consistently=False)
    document["source"]["as_of"] = "2001-01-01T00:00:00Z"

    with pytest.raises(PlanProblems) as raised:
        plan_from_document(document, "plan.json", now=world.now)

    assert [p.pointer for p in raised.value.problems] == ["/retire/0", "/source/as_of"]


def test_a_plan_breaking_its_schema_is_refused(tmp_path: Path, world: World) -> None:
    world.estate.add(IDLE_BOT)
    document = plan_of(world.estate)
    document["retire"][0]["keys"][0]["access_key_id"] = "not-a-key"

    with pytest.raises(PlanProblems, match="/retire/0/keys/0/access_key_id"):
        load_plan(write(document, tmp_path / "plan.json"), now=world.now)


def _held(
    document: dict[str, Any], name: str, held: str, *, consistently: bool = True
) -> dict[str, Any]:
    """The document with ``name``'s destination edited by hand to ``held`` (and, done
    ``consistently``, its retirement removed as well)."""
    for entry in document["users"]:
        if entry["name"] == name:
            entry["destination"] = held
            entry["target"] = None
    if consistently:
        document["retire"] = [r for r in document["retire"] if r["user"] != name]
    return document


def _backdate_password(world: World, name: str, when: Any) -> None:
    from moto.iam.models import iam_backends

    iam_backends[world.estate.account]["aws"].users[name].password_last_used = when
