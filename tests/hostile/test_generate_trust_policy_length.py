"""IAM limits a role's trust policy to 2,048 characters (white space not counted), a quota
raised on request to 8,192 at most ("Role trust policy length",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). A pipeline
role admitting many subjects (a plan with many workflows, or a list edited by hand) was
written whatever its length, and IAM refused the role at deploy. Past 8,192 the plan is
refused by pointer (exit 2, nothing written); past 2,048 the code is written and the
README says to raise the quota first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.generate.conftest import edited, run


def _subjects(count: int) -> Any:
    def change(document: dict[str, Any]) -> None:
        role = document["oidc_roles"][0]
        role["subjects"] = [
            {
                "value": f"repo:acme/app:environment:deployment-environment-{n:04d}",
                "operator": "StringEquals",
                "reason": "job environment",
            }
            for n in range(count)
        ]

    return change


@pytest.mark.parametrize("output_format", ["terraform", "cloudformation"])
def test_a_trust_policy_past_the_raised_quota_is_refused(
    export_plan: Path, tmp_path: Path, ca_cert: Path, output_format: str
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _subjects(200))
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", output_format, "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "#/oidc_roles/0/subjects: role ci-deploy-github's trust policy would be" in (
        result.stderr
    )
    assert "8192" in result.stderr.replace(",", "")
    assert not out.exists()


def test_a_trust_policy_past_the_default_quota_is_written_with_a_step(
    export_plan: Path, tmp_path: Path, ca_cert: Path
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _subjects(40))
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "terraform", "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code == 0, result.output
    readme = " ".join((out / "README.md").read_text().split())
    assert "Role trust policy length" in readme
    assert "ci\\-deploy\\-github" in readme or "ci-deploy-github" in readme


def test_a_short_trust_policy_needs_no_step(
    export_plan: Path, tmp_path: Path, ca_cert: Path
) -> None:
    out = tmp_path / "out"
    result = run("generate", str(export_plan), "--format", "terraform", "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Role trust policy length" not in (out / "README.md").read_text()
