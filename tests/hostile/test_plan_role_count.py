"""IAM holds 1,000 roles in an account by default and 5,000 at most once the quota is
raised ("Roles per account", IAM object quotas,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). A
hand-edited plan of 20,000 roles in one account kept ``generate`` proving trust policies
for minutes, then wrote code IAM refuses past the quota. More than 5,000 roles in one
account is now refused by pointer, before any proof (``generate`` and ``plan --check``,
exit 2); past 1,000, with the roles the account has, ``plan --check`` warns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.generate.conftest import edited, run


def _roles(total: int) -> Any:
    """``total`` roles in the plan's one account: its OIDC and Roles Anywhere roles, and
    workload roles for the rest."""

    def change(document: dict[str, Any]) -> None:
        others = len(document["oidc_roles"]) + len(document["roles_anywhere"])
        role = document["workload_roles"][0]
        document["workload_roles"] = [dict(role, name=f"w{n}") for n in range(total - others)]

    return change


def _check(plan: Path, export_plan: Path) -> Any:
    return run("plan", "--check", str(plan), "--input", str(export_plan.parent / "export"))


def test_more_roles_than_iam_holds_in_an_account_are_refused_at_once(
    export_plan: Path, tmp_path: Path, ca_cert: Path
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _roles(5_001))
    out = tmp_path / "out"
    generated = run("generate", str(plan), "--format", "terraform", "--out", str(out),
                    "--ca-cert", str(ca_cert))  # fmt: skip
    checked = _check(plan, export_plan)
    for result in (generated, checked):
        assert result.exit_code == 2, result.output
        # The 5,001st role: the plan's 3 OIDC and Roles Anywhere roles come first.
        assert (
            "#/workload_roles/4997: account 210987654321: the plan creates more than 5,000 roles"
            in result.stderr
        )
    assert not out.exists()


def test_five_thousand_roles_are_no_count_problem(export_plan: Path, tmp_path: Path) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _roles(5_000))
    checked = _check(plan, export_plan)
    assert "more than 5,000 roles" not in checked.stderr
    assert "warning: account 210987654321: the plan creates 5,000 roles there" in checked.stderr


def test_plan_check_warns_past_the_default_quota(export_plan: Path, tmp_path: Path) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _roles(1_001))
    checked = _check(plan, export_plan)
    assert "warning: account 210987654321: the plan creates 1,001 roles there" in (checked.stderr)
    assert "past IAM's 1,000 per account unless raised" in checked.stderr


def test_a_plan_of_a_few_roles_has_no_warning(export_plan: Path) -> None:
    assert "warning:" not in _check(export_plan, export_plan).stderr
