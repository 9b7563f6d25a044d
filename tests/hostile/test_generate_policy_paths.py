"""The paths and names of the policies a plan attaches, held to the grammar of the
resource they are written into.

A permission set's customer managed policy reference is Identity Center's, stricter
than IAM's: ``((/[A-Za-z0-9.,+@=_-]+)*)/``, 1 to 512 characters
(https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CustomerManagedPolicyReference.html).
A role's is IAM's: ``/`` or ``/`` + printable ASCII + ``/``, at most 512
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html). A plan's
``/a$b/``, ``/a//b/`` or a 600-character path was written into a template CloudFormation
or Identity Center refuses at deploy; so was a boundary ARN ending in ``/`` (a reference
with an empty name) or with an empty path segment. Each is refused by pointer (exit 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.generate.conftest import edited, run

LONG = "/" + "a" * 600 + "/"


def _set_reference(path: str) -> Any:
    def change(document: dict[str, Any]) -> None:
        permission_set = document["identity_center"]["permission_sets"][0]
        permission_set["customer_managed_policies"] = [{"name": "reader", "path": path}]

    return change


def _role_reference(path: str) -> Any:
    def change(document: dict[str, Any]) -> None:
        role = document["workload_roles"][0]
        role["permissions"]["customer_managed_policies"] = [{"name": "reader", "path": path}]

    return change


def _set_boundary(arn: str) -> Any:
    def change(document: dict[str, Any]) -> None:
        document["identity_center"]["permission_sets"][0]["permissions_boundary"] = arn

    return change


def _generate(plan: Path, tmp_path: Path, ca_cert: Path) -> Any:
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "cloudformation", "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    return result, out


SET = "/identity_center/permission_sets/0"
ARN = "arn:aws:iam::210987654321:policy"


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        (_set_reference("/a$b/"), f"{SET}/customer_managed_policies/0/path"),
        (_set_reference("/a//b/"), f"{SET}/customer_managed_policies/0/path"),
        (_set_reference(LONG), f"{SET}/customer_managed_policies/0/path"),
        (_role_reference(LONG), "/workload_roles/0/permissions/customer_managed_policies/0/path"),
        (_set_boundary(f"{ARN}/team/"), f"{SET}/permissions_boundary"),
        (_set_boundary(f"{ARN}/team//b"), f"{SET}/permissions_boundary"),
    ],
    ids=[
        "set-dollar",
        "set-empty-segment",
        "set-long",
        "role-long",
        "boundary-no-name",
        "boundary-empty-segment",
    ],
)
def test_a_path_out_of_its_grammar_is_refused(
    export_plan: Path, tmp_path: Path, ca_cert: Path, change: Any, pointer: str
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", change)
    result, out = _generate(plan, tmp_path, ca_cert)
    assert result.exit_code == 2, result.output
    assert f"#{pointer}: " in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    "change",
    [
        _set_reference("/team/read-only.v2/"),
        _role_reference("/a$b/"),
        _set_boundary(f"{ARN}/team/boundary"),
        _set_boundary("arn:aws:iam::aws:policy/service-role/AWSConfigRole"),
    ],
    ids=["set-path", "role-iam-path", "set-boundary", "aws-managed-boundary"],
)
def test_a_path_of_its_grammar_is_written(
    export_plan: Path, tmp_path: Path, ca_cert: Path, change: Any
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", change)
    result, _ = _generate(plan, tmp_path, ca_cert)
    assert result.exit_code in (0, 1), result.output
