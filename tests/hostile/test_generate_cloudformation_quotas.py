"""CloudFormation takes 500 resources, 200 parameters and 200 outputs in a template, a
template body of 51,200 bytes in a request and of 1 MB from S3
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html).
An organization of 300 people made an ``identity-center.yaml`` of 600 resources (a user
and an assignment each) and 230 kB, which cfn-lint refuses (E3010) and CloudFormation
refuses at deploy; generate exited 0. Past a quota the run is refused (exit 2), naming the
template and the quota, nothing written; a template past 51,200 bytes is written and the
README says to deploy it from S3."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint_file

from tests.generate.conftest import edited, run


def _people(count: int) -> Any:
    def change(document: dict[str, Any]) -> None:
        center = document["identity_center"]
        account = document["source"]["accounts"][0]["id"]
        user = center["users"][0]["iam_users"][0]
        for n in range(count):
            name = f"person{n:03d}@example.com"
            center["users"].append(
                {"user_name": name, "display_name": f"Person {n}", "email": name,
                 "iam_users": [user]}
            )  # fmt: skip
            center["assignments"].append(
                {"account": account, "user_name": name, "permission_set": "engineers"}
            )

    return change


def _generate(plan: Path, out: Path, ca_cert: Path, *extra: str) -> Any:
    return run("generate", str(plan), "--format", "cloudformation", "--out", str(out),
               "--ca-cert", str(ca_cert), *extra)  # fmt: skip


@pytest.mark.parametrize(
    ("people", "extra", "message"),
    [
        (260, (), "identity-center.yaml would declare 5"),
        (210, ("--identity-source", "external"), "identity-center.yaml would declare 2"),
    ],
    ids=["resources", "parameters"],
)
def test_a_template_past_cloudformation_quotas_is_refused(
    export_plan: Path, tmp_path: Path, ca_cert: Path, people: int, extra: tuple[str, ...],
    message: str,
) -> None:  # fmt: skip
    plan = edited(export_plan, tmp_path / "plan.json", _people(people))
    out = tmp_path / "out"
    result = _generate(plan, out, ca_cert, *extra)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "--format terraform" in result.stderr
    assert not out.exists()


def test_a_template_past_51200_bytes_is_deployed_from_s3(
    export_plan: Path, tmp_path: Path, ca_cert: Path
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _people(200))
    out = tmp_path / "out"
    result = _generate(plan, out, ca_cert)
    assert result.exit_code == 0, result.output
    template = out / "identity-center.yaml"
    assert template.stat().st_size > 51_200
    assert [m for m in lint_file(template) if m.rule.id.startswith("E")] == []
    readme = " ".join((out / "README.md").read_text().split())
    assert "--s3-bucket" in readme
    assert "identity\\-center.yaml" in readme or "identity-center.yaml" in readme
