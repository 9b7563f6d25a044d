"""keyless's own access: every API call a moto-backed ``keyless scan --org`` makes is
allowed by the generated policies (evaluated with keyless.policy), and the policies
allow nothing but reads."""

from __future__ import annotations

from typing import Any

import botocore.handlers
import pytest

from keyless.collect.demo.build import seeded_demo
from keyless.collect.live.organization import collect_organization
from keyless.generate.own_access import (
    MEMBER_ROLE,
    READ_ONLY_ACTION,
    member_policy,
    scanner_policy,
)
from keyless.policy.document import parse_policy
from keyless.policy.evaluate import Request, aws_caller, evaluate

SCANNER = "arn:aws:iam::123456789012:role/keyless-scanner"
#: Needs no permission: https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
NO_PERMISSION = {"sts:GetCallerIdentity"}


@pytest.fixture(scope="module")
def recorded() -> list[tuple[str, Any]]:
    """(IAM action, request body) of every call an org scan of the demo makes,
    recorded by a botocore ``before-call`` handler that every new session (the collector's
    member sessions included) registers, as botocore's own built-in handlers are."""
    calls: list[tuple[str, Any]] = []

    def record(model: Any, params: Any, **_: Any) -> None:
        body = params.get("body")
        fields = body if isinstance(body, dict) else {}  # JSON protocols send bytes
        calls.append((f"{model.service_model.signing_name}:{model.name}", fields))

    handlers = botocore.handlers.BUILTIN_HANDLERS
    with seeded_demo() as demo:
        # Recording starts once the demo is seeded: on the management session, and on
        # every session created from now on.
        demo.management.events.register("before-call", record)
        botocore.handlers.BUILTIN_HANDLERS = [*handlers, ("before-call", record)]
        try:
            collect_organization(demo.management, member_role=MEMBER_ROLE, max_workers=2)
        finally:
            botocore.handlers.BUILTIN_HANDLERS = handlers
    return calls


def allowed(document: Any, action: str, resource: str = "*") -> bool:
    request = Request(caller=aws_caller(SCANNER), actions=(action,), resource=resource)
    return evaluate(parse_policy(document), request).allowed


def test_the_scan_was_recorded(recorded: list[tuple[str, Any]]) -> None:
    actions = {action for action, _ in recorded}
    assert {
        "organizations:ListAccounts",
        "sts:AssumeRole",
        "iam:GetAccountAuthorizationDetails",
        "sso:ListInstances",
    } <= actions


def test_scanner_policy_allows_every_call(recorded: list[tuple[str, Any]]) -> None:
    denied = sorted(
        {
            action
            for action, params in recorded
            if action not in NO_PERMISSION
            and not allowed(scanner_policy(), action, params.get("RoleArn", "*"))
        }
    )
    assert denied == []


def test_member_policy_allows_every_iam_call(recorded: list[tuple[str, Any]]) -> None:
    iam_calls = {action for action, _ in recorded if action.startswith("iam:")}
    assert iam_calls
    assert sorted(a for a in iam_calls if not allowed(member_policy(), a)) == []


def test_scanner_may_assume_only_the_member_role() -> None:
    other = "arn:aws:iam::372342215631:role/OrganizationAccountAccessRole"
    assert allowed(
        scanner_policy(), "sts:AssumeRole", f"arn:aws:iam::372342215631:role/{MEMBER_ROLE}"
    )
    assert not allowed(scanner_policy(), "sts:AssumeRole", other)


def test_policies_allow_no_write_action() -> None:
    actions = [
        action
        for document in (member_policy(), scanner_policy())
        for statement in document["Statement"]
        for action in (
            [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        )
        if action != "sts:AssumeRole"
    ]
    assert actions
    assert [a for a in actions if not READ_ONLY_ACTION.fullmatch(a)] == []


@pytest.mark.parametrize(
    "write",
    ["iam:CreateUser", "iam:CreateAccessKey", "iam:DeleteUser", "iam:PutRolePolicy",
     "organizations:CreateAccount", "sso:CreatePermissionSet", "identitystore:CreateUser"],
)  # fmt: skip
def test_write_actions_are_denied(write: str) -> None:
    assert not allowed(member_policy(), write)
    assert not allowed(scanner_policy(), write)
