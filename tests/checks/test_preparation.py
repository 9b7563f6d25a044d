"""The engine owns "prepare once per subject": work a check family shares is done once per
group of subjects with the same key, only for selected checks, and not kept afterwards."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from keyless.checks.registry import Check, CheckContext, Preparation, Scope, all_checks
from keyless.engine import run_checks, select_checks
from keyless.findings import Problem, Severity
from keyless.model import Inventory, Role
from tests.builders import make_account, make_role, make_user

NOW = datetime(2026, 1, 1, tzinfo=UTC)


class Prepared:
    """What the test preparation hands out: weak-referenceable, so a test can see it go."""

    def __init__(self, key: str) -> None:
        self.key = key


def _inventory(*roles: Role) -> Inventory:
    return Inventory(accounts=(make_account(roles=list(roles), users=[make_user("alice")]),))


def _family(log: list[str], alive: list[weakref.ref[Prepared]]) -> tuple[Check, Check]:
    def prepare(role: Role, ctx: CheckContext) -> Prepared:
        log.append(role.name)
        prepared = Prepared(role.path.strip("/"))
        alive.append(weakref.ref(prepared))
        return prepared

    shared = Preparation("test-preparation", prepare, key=lambda role: role.path)

    def first(role: Role, ctx: CheckContext, prepared: Prepared) -> Iterator[Problem]:
        """Reports every role, naming its group."""
        yield Problem(role.arn, f"first {prepared.key}")

    def second(role: Role, ctx: CheckContext, prepared: Prepared) -> Iterator[Problem]:
        """Reports every role too."""
        yield Problem(role.arn, f"second {prepared.key}")

    def make(name: str, function: Any) -> Check:
        return Check(
            id=name,
            title=name,
            severity=Severity.LOW,
            scope=Scope.ROLE,
            rationale="test",
            remediation="test",
            theme="test",
            function=function,
            prepared=shared,
        )

    return make("test-first", first), make("test-second", second)


def test_one_preparation_per_group_shared_by_every_check_of_the_family() -> None:
    log: list[str] = []
    alive: list[weakref.ref[Prepared]] = []
    checks = _family(log, alive)
    roles = [make_role(f"r{i}", path="/a/" if i < 3 else "/b/") for i in range(5)]
    result = run_checks(_inventory(*roles), now=NOW, checks=checks)
    assert len(log) == 2  # groups "a" and "b", whatever the number of roles and checks
    assert len(result.findings) == 10
    assert {f.message for f in result.findings} == {"first a", "first b", "second a", "second b"}


def test_a_preparation_is_not_kept_after_its_group() -> None:
    log: list[str] = []
    alive: list[weakref.ref[Prepared]] = []
    checks = _family(log, alive)
    roles = [make_role(f"r{i}", path=f"/{i}/") for i in range(4)]
    run_checks(_inventory(*roles), now=NOW, checks=checks)
    gc.collect()
    assert len(alive) == 4
    assert [ref() for ref in alive] == [None, None, None, None]


def test_nothing_is_prepared_when_no_check_of_the_family_is_selected() -> None:
    log: list[str] = []
    checks = _family(log, [])
    other = [c for c in all_checks() if c.scope is Scope.USER]
    run_checks(_inventory(make_role("r", path="/a/")), now=NOW, checks=other)
    assert log == []
    run_checks(_inventory(make_role("r", path="/a/")), now=NOW, checks=checks[:1])
    assert log == ["r"]


def test_the_trust_family_declares_its_analysis_once() -> None:
    trust = [c for c in all_checks() if c.theme == "trust"]
    assert trust
    assert len({c.prepared for c in trust}) == 1
    assert all(c.prepared is not None for c in trust)
    assert all(c.prepared is None for c in all_checks() if c.theme != "trust")


def test_selecting_one_trust_check_runs_only_it() -> None:
    role = make_role(
        "r",
        trust={
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
            ],
        },
    )
    result = run_checks(_inventory(role), now=NOW, checks=select_checks(["trust-anyone"]))
    assert [run.check.id for run in result.check_runs] == ["trust-anyone"]
    assert [f.check for f in result.findings] == ["trust-anyone"]
