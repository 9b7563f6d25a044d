"""IAM attaches at most 25 managed policies to a role: "Managed policies per role", 10 by
default, 25 at most once raised (IAM object quotas,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html; the page once
said 20, and keyless refused 21 to 25). A plan's role carrying more (a user's own and its
groups' policies, or a hand-edited list) would be refused past the quota at deploy,
leaving a role with part of its permissions: it is refused by pointer (exit 2) by
``generate`` and ``plan --check`` alike; 25 are written. A permission set takes 20 AWS
managed and customer managed policies together, not raisable
(https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html), and ``plan
--check`` did not count either."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.generate.conftest import edited, run


def _attached(count: int) -> Any:
    def change(document: dict[str, Any]) -> None:
        permissions = document["workload_roles"][0]["permissions"]
        permissions["aws_managed_policies"] = [
            f"arn:aws:iam::aws:policy/Policy{n:02d}" for n in range(count)
        ]

    return change


def _set_attached(count: int) -> Any:
    def change(document: dict[str, Any]) -> None:
        entry = document["identity_center"]["permission_sets"][0]
        entry["aws_managed_policies"] = [
            f"arn:aws:iam::aws:policy/Policy{n:02d}" for n in range(count)
        ]
        entry["customer_managed_policies"] = []

    return change


@pytest.mark.parametrize(("count", "code"), [(26, 2), (25, 0)])
def test_a_role_takes_twenty_five_managed_policies(
    export_plan: Path, tmp_path: Path, ca_cert: Path, count: int, code: int
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _attached(count))
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "cloudformation", "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code == code, result.output
    if code == 2:
        assert "#/workload_roles/0/permissions: 26 managed policies" in result.stderr
        assert "IAM attaches 25 to a role at most (10 unless the quota is raised)" in (
            result.stderr
        )
        assert not out.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_attached(26), "#/workload_roles/0/permissions: 26 managed policies"),
        (_set_attached(21), "#/identity_center/permission_sets/0: 21 managed policies"),
    ],
    ids=["role", "permission-set"],
)
def test_plan_check_refuses_more_managed_policies_than_aws_attaches(
    export_plan: Path, tmp_path: Path, change: Any, message: str
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", change)
    result = run("plan", "--check", str(plan), "--input", str(export_plan.parent / "export"))
    assert result.exit_code == 2, result.output
    assert message in result.stderr


@pytest.mark.parametrize("change", [_attached(25), _set_attached(20)], ids=["role", "set"])
def test_plan_check_counts_no_problem_within_the_quotas(
    export_plan: Path, tmp_path: Path, change: Any
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", change)
    result = run("plan", "--check", str(plan), "--input", str(export_plan.parent / "export"))
    assert "managed policies" not in result.stderr, result.output


# Past IAM's default of 10, the role (and a permission set's role in each account it is
# assigned in) takes its policies only once "Managed policies per role" is raised: the
# README said nothing, and the attachments past 10 failed at deploy.


def _readme(export_plan: Path, tmp_path: Path, ca_cert: Path, change: Any) -> str:
    plan = edited(export_plan, tmp_path / "plan.json", change)
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "terraform", "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    return " ".join((out / "README.md").read_text().split())


def test_the_readme_says_to_raise_the_quota_past_ten(
    export_plan: Path, tmp_path: Path, ca_cert: Path
) -> None:
    def change(document: dict[str, Any]) -> None:
        _attached(11)(document)
        _set_attached(12)(document)

    readme = _readme(export_plan, tmp_path, ca_cert, change)
    assert "raise IAM's `Managed policies per role` quota" in readme
    assert "10 unless raised, 25 at most" in readme
    role = document_name(export_plan, "workload_roles")
    assert f"role {role} (210987654321): 11 managed policies" in readme.replace("\\", "")
    assert "(210987654321): 12 managed policies" in readme


def test_ten_managed_policies_need_no_step(
    export_plan: Path, tmp_path: Path, ca_cert: Path
) -> None:
    readme = _readme(export_plan, tmp_path, ca_cert, _attached(10))
    assert "Managed policies per role" not in readme


def document_name(plan: Path, list_name: str) -> str:
    return str(json.loads(plan.read_text())[list_name][0]["name"])
