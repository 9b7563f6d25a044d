"""IAM takes a user path of ``/`` or ``/…/`` holding any ASCII character from ``!``
(U+0021) through DEL (U+007F) (CreateUser's ``Path``:
https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html). The backup
reader held paths to ``!`` through ``~``: a user whose path holds DEL was backed up and
deleted, and the rollback then refused its backup as damaged (exit 2), so the user could
not be brought back. Such a path is now read back and the user recreated under it."""

from __future__ import annotations

from tests.retire.conftest import World
from tests.retire.estate import READ_ONLY, Person, describe_user

PATH = "/ops\x7fteam/"


def test_a_user_whose_path_holds_del_is_rolled_back(world: World) -> None:
    world.estate.add(Person("alice", path=PATH, groups=("admins",), inline={"r": READ_ONLY}))
    world.retire("alice")
    assert describe_user(world.estate.iam, "alice") is None

    world.rollback("alice")

    restored = describe_user(world.estate.iam, "alice")
    assert restored is not None
    assert restored["path"] == PATH
    assert restored["groups"] == ["admins"]
