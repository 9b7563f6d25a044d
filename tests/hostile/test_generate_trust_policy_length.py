"""IAM limits a role's trust policy to 2,048 characters (white space not counted), a quota
raised on request to 4,096 at most ("Role trust policy length", default 2,048 and maximum
4,096 in the table of IAM object quotas,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). A pipeline
role admitting many subjects (a plan with many workflows, or a list edited by hand) was
written whatever its length, and IAM refused the role at deploy. Past 4,096 the plan is
refused by pointer (exit 2, nothing written), by ``generate`` and ``plan --check`` alike;
past 2,048 the code is written and the README says to raise the quota first.

keyless took 8,192 for the maximum (a figure of secondary sources, not of IAM's page):
a trust policy of 4,097 to 8,192 characters was written, and ``plan --check`` did not
measure trust policies at all."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.generate.conftest import edited, run

PREFIX = "repo:acme/app:environment:"


def _subjects(count: int, padding: int = 0) -> Any:
    """``count`` exact subjects of the role's repository, the last ``padding`` characters
    longer than the others."""

    def change(document: dict[str, Any]) -> None:
        role = document["oidc_roles"][0]
        values = [f"{PREFIX}deployment-environment-{n:04d}" for n in range(count)]
        values[-1] += "x" * padding
        role["subjects"] = [
            {"value": value, "operator": "StringEquals", "reason": "job environment"}
            for value in values
        ]

    return change


def _generate(plan: Path, out: Path, ca_cert: Path, output_format: str = "terraform") -> Any:
    return run("generate", str(plan), "--format", output_format, "--out", str(out),
               "--ca-cert", str(ca_cert))  # fmt: skip


def _check(plan: Path, export_plan: Path) -> Any:
    return run("plan", "--check", str(plan), "--input", str(export_plan.parent / "export"))


def _readme_length(out: Path) -> int:
    """The trust policy length the README's quota step gives the role."""
    readme = " ".join((out / "README.md").read_text().split())
    found = re.search(r"ci\\?-deploy\\?-github \([0-9]+\): ([0-9,]+) characters", readme)
    assert found, readme
    return int(found.group(1).replace(",", ""))


@pytest.fixture(scope="module")
def at_maximum(export_plan: Path, tmp_path_factory: pytest.TempPathFactory, ca_cert: Path) -> Path:
    """A plan whose OIDC role's trust policy is exactly 4,096 characters, as the README
    measures it (the padding found from a first, shorter plan)."""
    folder = tmp_path_factory.mktemp("maximum")
    first = edited(export_plan, folder / "first.json", _subjects(60))
    result = _generate(first, folder / "first", ca_cert)
    assert result.exit_code == 0, result.output
    length = _readme_length(folder / "first")
    assert 2_048 < length < 4_096
    return edited(export_plan, folder / "plan.json", _subjects(60, 4_096 - length))


def test_a_trust_policy_of_the_maximum_is_written_with_a_step(
    at_maximum: Path, tmp_path: Path, ca_cert: Path
) -> None:
    out = tmp_path / "out"
    result = _generate(at_maximum, out, ca_cert)
    assert result.exit_code == 0, result.output
    assert _readme_length(out) == 4_096
    assert "Role trust policy length" in (out / "README.md").read_text()


def test_plan_check_takes_a_trust_policy_of_the_maximum(
    at_maximum: Path, export_plan: Path
) -> None:
    result = _check(at_maximum, export_plan)
    assert result.exit_code in (0, 1), result.output
    assert "trust policy" not in result.stderr


@pytest.mark.parametrize("output_format", ["terraform", "cloudformation"])
def test_a_trust_policy_one_past_the_maximum_is_refused(
    export_plan: Path, at_maximum: Path, tmp_path: Path, ca_cert: Path, output_format: str
) -> None:
    longer = edited(at_maximum, tmp_path / "longer.json", _one_more)
    out = tmp_path / "out"
    result = _generate(longer, out, ca_cert, output_format)
    assert result.exit_code == 2, result.output
    assert (
        "#/oidc_roles/0/subjects: role ci-deploy-github's trust policy would be 4,097 characters"
        in result.stderr
    )
    assert "4,096 once the quota is raised" in result.stderr
    assert not out.exists()


def test_plan_check_refuses_a_trust_policy_one_past_the_maximum(
    export_plan: Path, at_maximum: Path, tmp_path: Path
) -> None:
    longer = edited(at_maximum, tmp_path / "longer.json", _one_more)
    result = _check(longer, export_plan)
    assert result.exit_code == 2, result.output
    assert (
        "#/oidc_roles/0/subjects: role ci-deploy-github's trust policy would be 4,097 characters"
        in result.stderr
    )


def _one_more(document: dict[str, Any]) -> None:
    document["oidc_roles"][0]["subjects"][-1]["value"] += "x"


def test_a_trust_policy_past_the_default_quota_is_written_with_a_step(
    export_plan: Path, tmp_path: Path, ca_cert: Path
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _subjects(40))
    out = tmp_path / "out"
    result = _generate(plan, out, ca_cert)
    assert result.exit_code == 0, result.output
    readme = " ".join((out / "README.md").read_text().split())
    assert "Role trust policy length" in readme
    assert 2_048 < _readme_length(out) <= 4_096


def test_a_short_trust_policy_needs_no_step(
    export_plan: Path, tmp_path: Path, ca_cert: Path
) -> None:
    out = tmp_path / "out"
    result = _generate(export_plan, out, ca_cert)
    assert result.exit_code == 0, result.output
    assert "Role trust policy length" not in (out / "README.md").read_text()
