"""An estate outside the ``aws`` partition: every ARN keyless writes is in the estate's
partition (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html), GitHub's
STS audience is China's own there (https://github.com/aws-actions/configure-aws-credentials#oidc-audience),
and a partition whose values keyless does not know is refused (exit 2)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint_file

from tests.generate.conftest import EXPORT_LINKS, TERRAFORM, run, terraform_fmt_diff
from tests.plan.conftest import EXPORT


def export_in(partition: str, folder: Path) -> Path:
    """The export fixture with every ARN in ``partition``."""
    export = folder / "export"
    shutil.copytree(EXPORT, export)
    for path in export.iterdir():
        text = path.read_text().replace("arn:aws:", f"arn:{partition}:")
        path.write_text(text.replace("arn%3Aaws%3A", f"arn%3A{partition}%3A"))
    return export


def plan(export: Path, out: Path, *links: str) -> Any:
    result = run(
        "plan", "--input", str(export), "--now", "2025-06-01T12:00:00Z", *links,
        "--out", str(out),
    )  # fmt: skip
    return result


def test_govcloud_plan_and_code_are_in_its_partition(tmp_path: Path, ca_cert: Path) -> None:
    export = export_in("aws-us-gov", tmp_path)
    result = plan(export, tmp_path / "plan.json", *EXPORT_LINKS)
    assert result.exit_code in (0, 1), result.output
    document = json.loads((tmp_path / "plan.json").read_text())
    github = [r for r in document["oidc_roles"] if r["platform"] == "github"]
    assert github
    assert {r["provider"]["audience"] for r in github} == {"sts.amazonaws.com"}
    checked = run("plan", "--check", str(tmp_path / "plan.json"), "--input", str(export))
    assert checked.exit_code in (0, 1), checked.output

    for output_format in ("terraform", "cloudformation"):
        out = tmp_path / output_format
        result = run("generate", str(tmp_path / "plan.json"), "--format", output_format,
                     "--out", str(out), "--ca-cert", str(ca_cert))  # fmt: skip
        assert result.exit_code in (0, 1), result.output
        text = "".join(p.read_text() for p in sorted(out.iterdir()))
        assert "arn:aws:" not in text
        assert "arn:aws-us-gov:iam::" in text
        # Every role is proved and written: the Roles Anywhere role's anchor is GovCloud's.
        assert "backup-nas-rolesanywhere" in text
        assert "ci-deploy-github" in text
    tf = (tmp_path / "terraform" / "providers.tf").read_text()
    assert '"arn:aws-us-gov:iam::${var.' in tf
    templates = sorted((tmp_path / "cloudformation").glob("*.yaml"))
    assert [m for p in templates for m in lint_file(p) if m.rule.id.startswith("E")] == []
    if TERRAFORM is not None:
        assert terraform_fmt_diff(tmp_path / "terraform") is None


def test_github_roles_in_china_pin_chinas_sts_audience(tmp_path: Path) -> None:
    export = export_in("aws-cn", tmp_path)
    links = [
        "--link", "ci-deploy=acme/app",
        "--workflows", f"acme/app={EXPORT.parent / 'repos' / 'app'}",
    ]  # fmt: skip
    result = plan(export, tmp_path / "plan.json", *links)
    assert result.exit_code in (0, 1), result.output
    document = json.loads((tmp_path / "plan.json").read_text())
    role = next(r for r in document["oidc_roles"] if r["platform"] == "github")
    assert role["provider"]["audience"] == "sts.amazonaws.com.cn"
    checked = run("plan", "--check", str(tmp_path / "plan.json"), "--input", str(export))
    assert "tokens come from" not in checked.output
    # The export's service and Roles Anywhere users: China's service principals are not
    # all SERVICE.amazonaws.com, and keyless does not know which, so the plan leaves them
    # undecided (it planned roles generate then refused, and plan --check accepted them).
    assert document["workload_roles"] == document["roles_anywhere"] == []
    users = {u["name"]: u for u in document["users"]}
    assert users["lambda-reporter"]["destination"] == "undecided"
    assert "keyless writes no workload-role in the aws-cn" in users["lambda-reporter"]["reason"]
    assert checked.exit_code == 1, checked.output  # open items, no error
    out = tmp_path / "tf"
    result = run("generate", str(tmp_path / "plan.json"), "--format", "terraform",
                 "--out", str(out))  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "not generated: user lambda-reporter" in result.output
    assert "ci-deploy-github" in (out / "oidc.tf").read_text()


def test_a_china_service_role_edited_in_is_refused_by_check_and_generate(
    tmp_path: Path,
) -> None:
    export = export_in("aws-cn", tmp_path)
    assert plan(export, tmp_path / "plan.json").exit_code in (0, 1)
    document = json.loads((tmp_path / "plan.json").read_text())
    user = next(u for u in document["users"] if u["name"] == "lambda-reporter")
    user["destination"], user["target"] = "workload-role", {
        "identity_center_user": None, "permission_set": None, "role": "lambda-reporter-lambda"
    }  # fmt: skip
    document["workload_roles"] = [{
        "account": user["account"], "name": "lambda-reporter-lambda", "user": user["arn"],
        "service": "lambda.amazonaws.com",
        "permissions": {"aws_managed_policies": [], "customer_managed_policies": [],
                        "inline_policy": None, "permissions_boundary": None},
    }]  # fmt: skip
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(document))
    out = tmp_path / "tf"

    checked = run("plan", "--check", str(edited), "--input", str(export))
    generated = run("generate", str(edited), "--format", "terraform", "--out", str(out))

    for refused in (checked, generated):
        assert refused.exit_code == 2, refused.output
        assert "#/workload_roles/0: role lambda-reporter-lambda is a service or Roles" in (
            refused.stderr
        )
    assert not out.exists()


@pytest.mark.parametrize("partition", ["aws-iso", "aws-iso-b"])
def test_an_unknown_partition_is_refused(tmp_path: Path, partition: str) -> None:
    export = export_in(partition, tmp_path)
    result = plan(export, tmp_path / "plan.json", *EXPORT_LINKS)
    assert result.exit_code == 2, result.output
    assert f"does not know the values of the partition '{partition}'" in result.output
    assert "Traceback" not in result.output
