"""A hand-edited plan whose pipeline role lists many repositories and as many subjects
(20,000 each) was checked subject by subject against every repository's prefix: 400
million comparisons, about a minute (`generate`, `plan --check`), longer past that; a
plan is a file anyone can hand keyless. Each subject is now matched against the prefixes
by their lengths, and the plan is refused within seconds, naming the one foreign subject
(and the role's trust policy, far past IAM's quota)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from tests.generate.conftest import edited, run
from tests.plan.conftest import EXPORT

COUNT = 20_000


def _many(document: dict[str, Any]) -> None:
    role = document["oidc_roles"][0]
    role["repositories"] = [f"acme/app{n}" for n in range(COUNT)]
    role["subjects"] = [
        {"value": f"repo:acme/app{n}:ref:refs/heads/main", "operator": "StringEquals",
         "reason": "on: push"}
        for n in range(COUNT)
    ]  # fmt: skip
    # One subject of no listed repository: still found.
    role["subjects"][-1]["value"] = "repo:acme/other:ref:refs/heads/main"


def test_generate_refuses_a_plan_of_many_subjects_naming_the_foreign_one(
    export_plan: Path, tmp_path: Path, ca_cert: Path
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _many)
    result = run("generate", str(plan), "--format", "terraform", "--out",
                 str(tmp_path / "out"), "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code == 2, result.output
    assert f"#/oidc_roles/0/subjects/{COUNT - 1}: 'repo:acme/other" in result.stderr
    assert "/subjects/0:" not in result.stderr


def test_plan_check_refuses_a_plan_of_many_subjects_naming_the_foreign_one(
    export_plan: Path, tmp_path: Path
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _many)
    export = tmp_path / "export"
    shutil.copytree(EXPORT, export)
    result = run("plan", "--check", str(plan), "--input", str(export))
    assert result.exit_code == 2, result.output
    assert f"#/oidc_roles/0/subjects/{COUNT - 1}: 'repo:acme/other" in result.stderr
    # And, as generate says, the role's trust policy far past IAM's quota.
    assert "#/oidc_roles/0/subjects: role ci-deploy-github's trust policy would be" in (
        result.stderr
    )
    assert ": 2 errors" in result.stderr
