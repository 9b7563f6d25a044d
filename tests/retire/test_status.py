"""keyless retire status: how long each key has been out of service, and whether anything
tried to use it since (IAM's last-used record; CloudTrail through Stubber, which moto
lacks)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from keyless.errors import KeylessError
from tests.retire.conftest import World
from tests.retire.estate import Key, Person
from tests.retire.stubs import Stubbed


@pytest.fixture
def deactivated(world: World) -> World:
    world.estate.add(Person("ci", keys=(Key(age=400, used=100),)))
    world.retire("ci")
    return world


def test_a_quiet_key_shows_its_days_out_of_service(deactivated: World) -> None:
    report = deactivated.status(days=5)

    (key,) = report.keys
    assert (key.state, key.inactive_days, key.flag) == ("inactive", 5, None)
    assert key.quarantine_ends == deactivated.now + timedelta(days=14)
    assert report.exit_code == 0


def test_a_key_used_after_deactivation_is_flagged(deactivated: World) -> None:
    deactivated.estate.use_key("ci.key1", deactivated.now + timedelta(days=1))

    report = deactivated.status(days=2)

    assert "after it was taken out of service" in (report.keys[0].flag or "")
    assert report.exit_code == 1


def test_a_key_reactivated_outside_keyless_is_flagged(deactivated: World) -> None:
    deactivated.estate.iam.update_access_key(
        UserName="ci", AccessKeyId=deactivated.key("ci.key1"), Status="Active"
    )

    report = deactivated.status(days=1)

    assert report.keys[0].state == "active"
    assert report.exit_code == 1


def test_cloudtrail_events_with_the_key_are_flagged(deactivated: World) -> None:
    trail = Stubbed(deactivated.estate.session, "cloudtrail")
    key_id = deactivated.key("ci.key1")
    event = {"errorCode": "InvalidClientTokenId", "eventName": "GetObject"}
    trail.add_response(
        "LookupEvents",
        {
            "Events": [
                {
                    "EventName": "GetObject",
                    "EventTime": deactivated.now + timedelta(days=1),
                    "AccessKeyId": key_id,
                    "CloudTrailEvent": json.dumps(event),
                }
            ]
        },
        {
            "LookupAttributes": [{"AttributeKey": "AccessKeyId", "AttributeValue": key_id}],
            "StartTime": deactivated.now,
            "MaxResults": 50,
        },
    )

    report = deactivated.status(days=2, cloudtrail=True)

    (key,) = report.keys
    assert key.trail is not None
    assert (key.trail.events, key.trail.latest_error) == (1, "InvalidClientTokenId")
    assert "CloudTrail" in (key.flag or "")
    assert report.exit_code == 1


def test_cloudtrail_that_cannot_be_read_is_said_and_not_counted_as_use(
    deactivated: World,
) -> None:
    trail = Stubbed(deactivated.estate.session, "cloudtrail")
    trail.add_error("LookupEvents", "AccessDeniedException", "no cloudtrail:LookupEvents")

    report = deactivated.status(days=2, cloudtrail=True)

    assert "AccessDeniedException" in (report.keys[0].trail_error or "")
    assert report.keys[0].flag is None


def test_deleted_users_and_their_backups_are_listed(world: World) -> None:
    world.estate.add(Person("old", keys=(Key(),)))
    world.retire("old")
    world.retire("old", days=15)

    report = world.status(days=16)

    assert [(u.user, u.deleted is not None) for u in report.users] == [("old", True)]
    assert [k.state for k in report.keys] == ["deleted"]


def test_status_without_a_journal_is_an_error(world: World) -> None:
    with pytest.raises(KeylessError, match="no journal"):
        world.status()
