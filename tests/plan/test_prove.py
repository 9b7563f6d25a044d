"""Never broaden: the proof accepts what is carried, rejects what is broader (with a
counterexample the concrete evaluator confirms), and agrees with the evaluator on
generated estates."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keyless.model import Account, User
from keyless.plan.build import PlanInputs, make_plan
from keyless.plan.model import Destination, Permissions, PolicyName, ProofStatus
from keyless.plan.permissions import carry
from keyless.plan.principal import Mode
from keyless.plan.prove import prove
from keyless.policy.document import parse_policy
from tests.builders import (
    DENY_WITHOUT_MFA,
    NOW,
    READ_ONLY,
    make_account,
    make_group,
    make_inventory,
    make_key,
    make_user,
)
from tests.plan.oracle import (
    ACTIONS,
    RESOURCE_PATTERNS,
    RESOURCES,
    allowed,
    contexts,
    estates,
    statements,
    target_policies,
    user_policies,
)

IC, KEYS = Mode.SIGNED_IN_WITH_MFA, Mode.ACCESS_KEY


def _doc(*statements: dict[str, Any]) -> MappingProxyType[str, Any]:
    return MappingProxyType({"Version": "2012-10-17", "Statement": list(statements)})


def _setup(*documents: MappingProxyType[str, Any]) -> tuple[User, Account]:
    user = make_user("alice", inline=documents, tags={"team": "red"})
    return user, make_account(users=[user])


def _inline(*statements: dict[str, Any]) -> Permissions:
    return Permissions(inline=_doc(*statements))


def test_the_carried_permissions_are_proved() -> None:
    user, account = _setup(READ_ONLY, DENY_WITHOUT_MFA)
    for mode in (IC, KEYS):
        permissions = carry(user, account, mode).carried.permissions
        assert prove(user, account, mode, permissions).status is ProofStatus.PROVED


def test_a_broader_action_fails_with_a_counterexample() -> None:
    user, account = _setup(READ_ONLY)
    proof = prove(
        user, account, KEYS, _inline({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    )
    assert proof.status is ProofStatus.FAILED
    assert proof.counterexample is not None
    action, _ = proof.counterexample
    assert action.lower().startswith("s3:")
    assert not action.lower().startswith(("s3:get", "s3:list"))


def test_a_broader_resource_fails() -> None:
    user, account = _setup(
        _doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::a/*"})
    )
    proof = prove(
        user, account, KEYS, _inline({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    )
    assert proof.status is ProofStatus.FAILED


def test_dropping_a_deny_that_applies_fails() -> None:
    allow = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    user, account = _setup(
        _doc(allow, {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"})
    )
    proof = prove(user, account, KEYS, _inline(allow))
    assert proof.status is ProofStatus.FAILED
    assert proof.counterexample is not None
    assert proof.counterexample[0].lower() == "s3:deletebucket"


def test_dropping_the_mfa_guard_is_proved_for_people_only() -> None:
    user, account = _setup(READ_ONLY, DENY_WITHOUT_MFA)
    without_guard = Permissions(inline=READ_ONLY)
    assert prove(user, account, IC, without_guard).status is ProofStatus.PROVED
    assert prove(user, account, KEYS, without_guard).status is ProofStatus.FAILED


def test_a_dropped_deny_disjoint_from_every_allow_is_fine() -> None:
    user, account = _setup(READ_ONLY, _doc({"Effect": "Deny", "Action": "ec2:*", "Resource": "*"}))
    assert prove(user, account, KEYS, Permissions(inline=READ_ONLY)).status is ProofStatus.PROVED


def test_a_different_boundary_fails() -> None:
    user, account = _setup(READ_ONLY)
    bounded = replace(Permissions(inline=READ_ONLY), boundary="arn:aws:iam::aws:policy/X")
    assert prove(user, account, KEYS, bounded).status is ProofStatus.FAILED


def test_a_missing_customer_managed_reference_is_unproved() -> None:
    user, account = _setup(READ_ONLY)
    missing = Permissions(customer_managed=(PolicyName("nope"),))
    assert prove(user, account, KEYS, missing).status is ProofStatus.UNPROVED


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(estates, st.sampled_from([IC, KEYS]))
def test_carried_targets_are_proved_and_the_evaluator_agrees(
    documents: list[list[dict[str, Any]]], mode: Mode
) -> None:
    user, account = _setup(*(_doc(*d) for d in documents))
    permissions = carry(user, account, mode).carried.permissions
    assert prove(user, account, mode, permissions).status is ProofStatus.PROVED
    before = [parse_policy(_doc(*d)) for d in documents]
    after = target_policies(account, permissions)
    for user_context, target_context in contexts(mode):
        for action in ACTIONS:
            for resource in RESOURCES:
                if allowed(after, action, resource, target_context):
                    assert allowed(before, action, resource, user_context)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    estates,
    st.sampled_from(ACTIONS),
    st.sampled_from(RESOURCE_PATTERNS[:2] + RESOURCE_PATTERNS[4:]),
)
def test_a_broadened_target_is_caught_and_its_counterexample_replays(
    documents: list[list[dict[str, Any]]], action: str, resource: str
) -> None:
    user, account = _setup(*(_doc(*d) for d in documents))
    carried = carry(user, account, KEYS).carried.permissions
    extra = {"Effect": "Allow", "Action": action, "Resource": resource}
    statements = [*list((carried.inline or {}).get("Statement", [])), extra]
    broadened = replace(carried, inline=_doc(*statements))
    proof = prove(user, account, KEYS, broadened)
    before = [parse_policy(_doc(*d)) for d in documents]
    after = target_policies(account, broadened)
    user_context, target_context = contexts(KEYS)[2]  # no condition's request key holds
    if proof.status is ProofStatus.FAILED:
        assert proof.counterexample is not None
        ce_action, ce_resource = proof.counterexample
        assert allowed(after, ce_action, ce_resource, target_context)
        assert not allowed(before, ce_action, ce_resource, user_context)
    else:
        assert proof.status is ProofStatus.PROVED
        for other_user_context, other_target_context in contexts(KEYS):
            for concrete in RESOURCES:
                if allowed(after, action, concrete, other_target_context):
                    assert allowed(before, action, concrete, other_user_context)


# A generated estate: users sharing groups, each with their own way of using AWS.
USER_NAMES = ["alice.smith", "bob.jones", "ci-deploy", "lambda-etl", "svc-app", "carol"]
users = st.builds(
    lambda name, console, key, groups, inline: (name, console, key, groups, inline),
    st.sampled_from(USER_NAMES),
    st.booleans(),
    st.booleans(),
    st.lists(st.sampled_from(["g0", "g1", "g2"]), max_size=2, unique=True),
    st.lists(statements, max_size=2),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(statements, min_size=1, max_size=2), min_size=3, max_size=3),
    st.lists(users, min_size=1, max_size=4, unique_by=lambda u: u[0]),
)
def test_a_generated_estate_plans_only_targets_no_broader_than_their_users(
    group_documents: list[list[dict[str, Any]]], specs: list[tuple[Any, ...]]
) -> None:
    groups = [make_group(f"g{n}", inline=[_doc(*d)]) for n, d in enumerate(group_documents)]
    built = [
        make_user(
            name,
            console=console,
            keys=[make_key(last_used_days=2)] if key else [],
            groups=member_of,
            inline=[_doc(*inline)] if inline else [],
            tags={"team": "red"},
        )
        for name, console, key, member_of, inline in specs
    ]
    account = make_account(users=built, groups=groups)
    plan = make_plan(make_inventory(account), PlanInputs(as_of=NOW))
    sets = {s.name: s.permissions for s in plan.permission_sets}
    roles = {
        r.name: r.permissions
        for r in (*plan.oidc_roles, *plan.roles_anywhere, *plan.workload_roles)
    }
    for entry in plan.users:
        if entry.proof is None or entry.target is None:
            continue
        assert entry.proof.status is ProofStatus.PROVED
        ic = entry.decision.destination is Destination.IDENTITY_CENTER
        permissions = (
            sets[entry.target.permission_set or ""] if ic else roles[entry.target.role or ""]
        )
        user = next(u for u in built if u.arn == entry.arn)
        mode = IC if ic else KEYS
        before, after = user_policies(account, user), target_policies(account, permissions)
        for user_context, target_context in contexts(mode, user):
            for action in ACTIONS:
                for resource in RESOURCES:
                    if allowed(after, action, resource, target_context):
                        assert allowed(before, action, resource, user_context)
