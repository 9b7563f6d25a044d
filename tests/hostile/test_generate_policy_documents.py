"""An inline policy of a plan is written into a role (``PutRolePolicy``) or a permission
set (``PutInlinePolicyToPermissionSet``). IAM takes policy documents of tabs, line breaks
and the characters U+0020 to U+00FF only, and a role's inline policies up to 10,240
characters without white space
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html); Identity
Center an inline policy up to 10,240 bytes without white space
(https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html).
A plan's policy with ``李雷`` in a condition, or of 20,000 characters, was written and
refused at deploy, after the files before it were applied; it is refused by pointer
(exit 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.generate.conftest import edited, run

SET = "/identity_center/permission_sets/0/inline_policy"
ROLE = "/workload_roles/0/permissions/inline_policy"


def _policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(resource: str = "*", **condition: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": resource}
    if condition:
        statement["Condition"] = {"StringEquals": condition}
    return statement


def _big(count: int) -> dict[str, Any]:
    return _policy(*(_allow(f"arn:aws:s3:::bucket-{n:05d}/*") for n in range(count)))


def _in_set(policy: dict[str, Any]) -> Any:
    def change(document: dict[str, Any]) -> None:
        document["identity_center"]["permission_sets"][0]["inline_policy"] = policy

    return change


def _in_role(policy: dict[str, Any]) -> Any:
    def change(document: dict[str, Any]) -> None:
        document["workload_roles"][0]["permissions"]["inline_policy"] = policy

    return change


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        (_in_set(_policy(_allow(**{"aws:PrincipalTag/name": "李雷"}))), SET),
        (_in_role(_policy(_allow(**{"aws:PrincipalTag/name": "李雷"}))), ROLE),
        (_in_role(_big(150)), ROLE),
        (_in_set(_big(125)), SET),
    ],
    ids=["set-characters", "role-characters", "role-size", "set-size"],
)
def test_a_policy_iam_refuses_is_refused(
    export_plan: Path, tmp_path: Path, ca_cert: Path, change: Any, pointer: str
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", change)
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "terraform", "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code == 2, result.output
    assert f"#{pointer}" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    "change",
    [
        _in_set(_policy(_allow(**{"aws:PrincipalTag/name": "Jörg Müller"}))),
        _in_role(_big(100)),
        _in_set(_big(120)),
    ],
    ids=["latin-1", "role-under-the-quota", "set-under-the-quota"],
)
def test_a_policy_iam_takes_is_written(
    export_plan: Path, tmp_path: Path, ca_cert: Path, change: Any
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", change)
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "terraform", "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code in (0, 1), result.output
