"""``retire status --format json`` says of each backed-up user what the text says: its
state (restored, superseded by a later backup of the name, deleted, retirement
unfinished), the later backup that supersedes it, a rollback's unfinished re-creation and
the unique ID a rollback checks. The JSON document held only the dates of the backup, the
deletion and the restoration: a script could not tell a backup a rollback restores from
one it never will, nor that a rollback would leave another user of the name alone. And
the text of a run dates the plan it follows to the second, as its other times."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

from keyless.render import Format, render
from keyless.retire import Report, StatusReport
from tests.retire.conftest import World
from tests.retire.estate import READ_ONLY, Person

SCHEMA = Path(__file__).parents[2] / "docs" / "schemas" / "retire-status-v1.schema.json"


def _document(report: StatusReport) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(render(report, Format.JSON))
    jsonschema.validate(document, json.loads(SCHEMA.read_text()))
    return document


def _lines(report: StatusReport) -> list[str]:
    return [line for line in render(report, Format.TEXT).splitlines() if "alice in" in line]


def test_a_superseded_backup_is_superseded_in_json_too(world: World) -> None:
    world.estate.add(Person("alice", groups=("admins",)))
    world.retire("alice")
    world.estate.iam.create_user(UserName="alice")
    world.retire("alice", days=1)

    report = world.status(days=1)
    first, second = _document(report)["users"]
    lines = _lines(report)

    assert (first["state"], second["state"]) == ("superseded", "deleted")
    assert first["superseded"] == second["backed_up"]
    assert second["superseded"] is None
    assert "superseded" in lines[0]
    assert "superseded" not in lines[1]


def test_the_unique_id_a_rollback_checks_is_in_json(world: World) -> None:
    world.estate.add(Person("alice"))
    old_id = world.estate.iam.get_user(UserName="alice")["User"]["UserId"]
    world.retire("alice")

    report = world.status()
    (user,) = _document(report)["users"]

    assert (user["state"], user["user_id"], user["recreated"]) == ("deleted", old_id, None)
    assert f"({old_id})" in _lines(report)[0]


def test_an_unfinished_rollback_is_in_json(world: World) -> None:
    world.estate.add(Person("alice", groups=("admins",), inline={"deploy": READ_ONLY}))
    world.retire("alice")
    world.estate.iam.delete_group(GroupName="admins")
    world.rollback("alice")

    report = world.status()
    (user,) = _document(report)["users"]

    assert user["state"] == "deleted"
    assert user["recreated"] is not None
    assert "a rollback created it again" in _lines(report)[0]


def test_the_plan_a_run_follows_is_dated_to_the_second() -> None:
    # A plan made without --now records microseconds; make demo's last stage showed
    # "its evidence as of 2026-12-07T21:34:53.773628Z" among times to the second.
    plan = {
        "path": "plan.json",
        "fingerprint": "f",
        "as_of": "2026-12-07T21:34:53.773628Z",
        "confirmed": [],
    }
    report = Report(command="retire", apply=False, journal="j", steps=(), plan=plan)

    text = render(report, Format.TEXT)

    assert "following plan plan.json (its evidence as of 2026-12-07T21:34:53Z)" in text
    assert json.loads(render(report, Format.JSON))["plan"]["as_of"] == plan["as_of"]
