"""The engine owns "prepare once per subject": work a check family shares is done once per
group of subjects with the same key, only for selected checks, and not kept afterwards."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from dataclasses import replace
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


def _shared_family(calls: list[str], restamps: bool = True) -> Check:
    """A check whose problems depend on a role only through its tag ``team`` (declared as
    the share) and its ARN (rewritten by the restamp, which refuses roles tagged ``odd``)."""

    def restamp(problem: Problem, judged: Role, role: Role) -> Problem | None:
        if not restamps or "odd" in role.tags:
            return None
        return Problem(role.arn, problem.message)

    shared = Preparation(
        "test-shared",
        lambda role, ctx: role.path,
        key=lambda role: role.path,
        share=lambda role: role.tags.get("team"),
        restamp=restamp,
    )

    def reported(role: Role, ctx: CheckContext, prepared: str) -> Iterator[Problem]:
        """Reports every role with its team."""
        calls.append(role.name)
        yield Problem(role.arn, f"{prepared} {role.tags.get('team')}")

    return Check(
        id="test-shared",
        title="test",
        severity=Severity.LOW,
        scope=Scope.ROLE,
        rationale="test",
        remediation="test",
        theme="test",
        function=reported,
        prepared=shared,
    )


def test_a_shared_family_runs_once_per_share_and_restamps_the_other_subjects() -> None:
    calls: list[str] = []
    roles = [
        make_role("a1", path="/a/", tags={"team": "x"}),
        make_role("a2", path="/a/", tags={"team": "x"}),
        make_role("a3", path="/a/", tags={"team": "y"}),
        make_role("a4", path="/a/", tags={"team": "x", "odd": "1"}),
        make_role("b1", path="/b/", tags={"team": "x"}),
    ]
    result = run_checks(_inventory(*roles), now=NOW, checks=[_shared_family(calls)])
    # a2 is restamped from a1; a3 has another share; a4's restamp is refused, so it runs.
    assert calls == ["a1", "a3", "a4", "b1"]
    found = {(f.location.arn, f.message) for f in result.findings}
    assert found == {
        (roles[0].arn, "/a/ x"),
        (roles[1].arn, "/a/ x"),
        (roles[2].arn, "/a/ y"),
        (roles[3].arn, "/a/ x"),
        (roles[4].arn, "/b/ x"),
    }
    assert result.check_runs[0].evaluated == 5


def test_a_family_without_restamp_runs_on_every_subject() -> None:
    calls: list[str] = []
    roles = [make_role(f"r{i}", path="/a/", tags={"team": "x"}) for i in range(3)]
    run_checks(_inventory(*roles), now=NOW, checks=[_shared_family(calls, restamps=False)])
    assert calls == ["r0", "r1", "r2"]


_OUTSIDE = "arn:aws:iam::444455556666:root"
_SHARED_POLICIES = (
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": _OUTSIDE}, "Action": "sts:AssumeRole"}
        ],
    },
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "config.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    },
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {
                    "Federated": "arn:aws:iam::111122223333:oidc-provider/"
                    "token.actions.githubusercontent.com"
                },
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringLike": {"token.actions.githubusercontent.com:sub": "repo:org/*"}
                },
            }
        ],
    },
)


def test_trust_findings_of_roles_sharing_a_policy_are_those_of_each_role_judged_alone() -> None:
    # The same policies in two accounts (one of them the trusted one), under plain and
    # service-linked roles of several names: each role's findings are what a scan of that
    # role alone reports, however many roles share its policy.
    trust = [c for c in all_checks() if c.theme == "trust"]
    accounts = []
    for account_id in ("111122223333", "444455556666"):
        roles = [
            make_role(f"{kind}{n}-{i}", trust=policy, account_id=account_id, path=path)
            for i, policy in enumerate(_SHARED_POLICIES)
            for kind, path in (("plain", "/"), ("linked", "/aws-service-role/x/"))
            for n in range(3)
        ]
        accounts.append(make_account(account_id, roles=roles))
    together = run_checks(Inventory(accounts=tuple(accounts)), now=NOW, checks=trust)
    assert together.findings
    seen = 0
    for account in accounts:
        for role in account.roles:
            alone = Inventory(
                accounts=tuple(replace(a, roles=(role,) if a is account else ()) for a in accounts)
            )
            expected = run_checks(alone, now=NOW, checks=trust).findings
            got = [f for f in together.findings if f.location.arn == role.arn]
            assert got == list(expected)
            seen += len(got)
    assert seen == len(together.findings)
