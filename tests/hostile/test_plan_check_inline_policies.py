"""``keyless generate`` refuses an inline policy IAM or Identity Center would refuse (a
character past U+00FF, an action with no service prefix, a resource that is no ARN, a
permission set's policy past 10,240 bytes without white space, a role's past 10,240
characters, no-break spaces counted); ``keyless plan --check`` only parsed it and said
the plan was "valid against its source". Both now report the same problem by pointer
(exit 2): the check is in ``keyless.plan.policy_grammar``, which generate imports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.generate.conftest import edited, generated_and_checked

SET = "/identity_center/permission_sets/1/inline_policy"
ROLE = "/workload_roles/0/permissions/inline_policy"


def _policy(statement: dict[str, Any], count: int = 1) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [dict(statement, Sid=f"S{n}") for n in range(count)],
    }


READ = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}


def _padded(length: int) -> dict[str, Any]:
    """A policy of ``length`` characters (its compact JSON), a condition value of no-break
    spaces (U+00A0, which a policy may hold) making up the rest. IAM's quotas page says
    only that it does not count "white space", and keyless counted these as white space
    (str.isspace), so a policy of any length passed. They are counted now, as in a trust
    policy's length."""

    def policy(value: str) -> dict[str, Any]:
        condition = {"StringEquals": {"aws:PrincipalTag/t": value}}
        return _policy(dict(READ, Condition=condition))

    around = len(json.dumps(policy(""), separators=(",", ":"), ensure_ascii=False))
    return policy("\u00a0" * (length - around))


def _set(policy: dict[str, Any]) -> Any:
    def change(document: dict[str, Any]) -> None:
        document["identity_center"]["permission_sets"][1]["inline_policy"] = policy

    return change


def _role(policy: dict[str, Any]) -> Any:
    def change(document: dict[str, Any]) -> None:
        document["workload_roles"][0]["permissions"]["inline_policy"] = policy

    return change


@pytest.mark.parametrize(
    ("change", "pointer", "message"),
    [
        (_set(_policy(READ, 200)), SET, "AWS takes 10,240 at most"),
        (_role(_policy(READ, 300)), ROLE, "AWS takes 10,240 at most"),
        (_role(_policy(dict(READ, Resource="arn:aws:s3:::李雷"))), f"{ROLE}/Statement/0/Resource",
         "holds a character IAM refuses"),
        (_set(_policy(dict(READ, Action="s3:Get Object"))), f"{SET}/Statement/0/Action",
         "is not service:action or *"),
        (_role(_padded(10_241)), ROLE, "10,241 characters without white space"),
    ],
    ids=["set-size", "role-size", "role-character", "set-action", "no-break-spaces"],
)  # fmt: skip
def test_plan_check_refuses_what_generate_refuses(
    export_plan: Path, tmp_path: Path, ca_cert: Path, change: Any, pointer: str, message: str
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", change)
    generated, checked = generated_and_checked(export_plan, plan, tmp_path / "out", ca_cert)
    for result in (checked, generated):
        assert result.exit_code == 2, result.output
        lines = [line for line in result.stderr.splitlines() if f"#{pointer}: " in line]
        assert any(message in line for line in lines), result.stderr
