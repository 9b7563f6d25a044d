"""``keyless retire rollback --user U`` naming a user the journal has nothing of (never
retired with it, or typed in another case: ``ALICE`` for alice, which IAM takes as the
same user) said "Nothing to do" and exited 0, leaving the keys someone needed out of
service. A name differing only in case now finds the user, and one the journal records
nothing of is refused before anything connects (exit 2), naming it."""

from __future__ import annotations

import pytest

from keyless.errors import KeylessError
from keyless.retire import StepStatus
from tests.retire.conftest import World
from tests.retire.estate import Key, Person, describe_user


def test_a_user_named_in_another_case_is_rolled_back(world: World) -> None:
    world.estate.add(Person("ci-deploy", keys=(Key(),)))
    world.retire("ci-deploy")

    report = world.rollback("CI-Deploy", days=1)

    assert [step.status for step in report.steps] == [StepStatus.DONE]
    assert describe_user(world.estate.iam, "ci-deploy")["keys"][0][1] == "Active"


@pytest.mark.parametrize("apply", [True, False])
def test_a_user_never_retired_is_refused_by_name(world: World, apply: bool) -> None:
    world.estate.add(Person("ci-deploy", keys=(Key(),)), Person("other", keys=(Key(),)))
    world.retire("ci-deploy")

    with pytest.raises(KeylessError, match=r"records nothing keyless did to 'other'"):
        world.rollback("ci-deploy", "other", apply=apply, days=1)

    assert describe_user(world.estate.iam, "ci-deploy")["keys"][0][1] == "Inactive"


def test_a_key_never_taken_out_of_service_is_refused(world: World) -> None:
    world.estate.add(Person("ci-deploy", keys=(Key(), Key())))
    world.retire(keys=("ci-deploy.key1",))

    with pytest.raises(KeylessError, match="records nothing keyless did to"):
        world.rollback(keys=("ci-deploy.key2",), days=1)


def test_a_rollback_of_everything_still_has_nothing_to_refuse(world: World) -> None:
    world.estate.add(Person("ci-deploy", keys=(Key(),)))

    assert world.rollback(days=1).steps == ()
