"""Crash and resume: the run (deactivation, deletion, or rollback) is killed between
every pair of AWS calls of a multi-user run, then run again; it must end in the state an
uninterrupted run reaches, with every change made exactly once.

The kill is a botocore event hook that raises a BaseException (as SIGKILL would, nothing
of keyless runs after it: no handler, no journal write) either right after a call returned
(the change is made, its outcome not recorded) or right before a call is built (an
intended change may be recorded, not made). tests/retire/test_server.py kills a real
process with SIGKILL against the moto server.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from keyless.retire import Journal, Report
from tests.retire.conftest import World, new_world
from tests.retire.estate import READ_ONLY, Key, Person, describe_user
from tests.retire.stubs import READS, Calls

PEOPLE = (
    Person(
        "alice",
        keys=(Key(), Key(age=800, used=None, active=False)),
        console=True,
        password_used=90,
        mfa=True,
        groups=("devs",),
        policies=("read",),
        inline={"extra": READ_ONLY},
        ssh_keys=1,
        tags=(("team", "payments"),),
    ),
    Person("bob", keys=(Key(age=300, used=60),), groups=("devs",)),
    Person("carol", keys=(Key(), Key(age=20, used=1))),
)
USERS = ("alice", "bob")
KEYS = ("carol.key1",)


class Crash(BaseException):
    """The process dies here."""


class Killer:
    """Raises :class:`Crash` at the ``at``-th AWS call of the session's clients: right
    after it returned, or, ``before`` it is built, at the ``at``-th change (before a read
    is the same moment as after the call before it)."""

    def __init__(self, world: World, at: int, moment: str) -> None:
        self.at = at
        self.count = 0
        self.armed = True
        event = "after-call" if moment == "after" else "before-parameter-build"
        self.changes_only = moment == "before"
        world.estate.session.events.register(f"{event}.*.*", self._count)

    def _count(self, model: Any, **_: Any) -> None:
        if not self.armed or (self.changes_only and model.name.startswith(READS)):
            return
        self.count += 1
        if self.count == self.at:
            self.armed = False
            raise Crash


def _stage(world: World, stage: str) -> Report:
    if stage == "rollback":
        return world.rollback(days=16)
    return world.retire(*USERS, keys=KEYS, days=15 if stage == "delete" else 0)


def _outcome(world: World, calls: Calls) -> tuple[Any, ...]:
    label = world.estate.label
    state = {
        name: _labelled(describe_user(world.estate.iam, name), label)
        for name in ("alice", "bob", "carol")
    }
    changes = [(name, _labelled(arguments, label)) for name, arguments in calls.changes()]
    with Journal.open(world.journal, writable=False) as journal:  # type: ignore[union-attr]
        done = [entry.action.subject for entry in journal.entries() if entry.state == "done"]
        pending = journal.pending()
    done = [tuple(label(part) for part in subject) for subject in done]
    return state, changes, sorted(done), pending


def _labelled(value: Any, label: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return label(value)
    if isinstance(value, dict):
        return {k: _labelled(v, label) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return sorted((_labelled(v, label) for v in value), key=repr)
    return value


STAGES = ("deactivate", "delete", "rollback")


def _journey(journal: Path, now: datetime, stage: str, kill: tuple[int, str] | None):
    """Seed, go through the stages before ``stage``, then run it (killed at ``kill``,
    then resumed by running it again)."""
    with new_world(journal, now) as world:
        world.estate.add(*PEOPLE)
        for earlier in STAGES[: STAGES.index(stage)]:
            _stage(world, earlier)
        world.reconnect()
        calls = Calls(world.estate.session)
        killer = Killer(world, *kill) if kill else None
        try:
            _stage(world, stage)
        except Crash:
            assert killer is not None
            resumed = _stage(world, stage)
            assert resumed.exit_code in (0, 1)
        crashed = killer is not None and not killer.armed
        return _outcome(world, calls), crashed, len(calls.made), len(calls.changes())


SHARDS = 3  # the kill points of one case, spread over test workers


@pytest.mark.slow
@pytest.mark.parametrize("shard", range(SHARDS))
@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("moment", ["after", "before"])
def test_a_run_killed_between_any_two_calls_resumes_to_the_same_end(
    tmp_path: Path, stage: str, moment: str, shard: int
) -> None:
    now = datetime.now().astimezone()
    expected, _, calls, changes = _journey(tmp_path / "reference.sqlite", now, stage, None)
    assert expected[1], "the stage changes something"
    for at in range(1 + shard, (calls if moment == "after" else changes) + 1, SHARDS):
        outcome, crashed, *_ = _journey(tmp_path / f"killed-{at}.sqlite", now, stage, (at, moment))
        assert crashed, f"no call {at}"
        assert outcome[0] == expected[0], f"state after a kill at call {at}"
        assert outcome[1] == expected[1], f"changes after a kill at call {at}"
        assert outcome[2] == expected[2], f"journal after a kill at call {at}"
        assert outcome[3] == (), f"unsettled actions after a kill at call {at}"
