"""Terraform output: terraform fmt -check clean, parsed by python-hcl2, variables for
what differs per environment, deterministic, one file per concern."""

from __future__ import annotations

from pathlib import Path

import hcl2
import pytest

from tests.generate.conftest import TERRAFORM, run, terraform_fmt_diff


def generate(plan: Path, out: Path, ca_cert: Path, *extra: str) -> Path:
    result = run("generate", str(plan), "--format", "terraform", "--out", str(out),
                 "--ca-cert", str(ca_cert), *extra)  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    return out


@pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on this machine")
def test_terraform_fmt_check_passes(export_plan: Path, ca_cert: Path, tmp_path: Path) -> None:
    out = generate(export_plan, tmp_path / "tf", ca_cert, "--boundary")
    assert TERRAFORM is not None
    assert terraform_fmt_diff(out) is None


def test_every_file_parses_as_hcl(export_plan: Path, ca_cert: Path, tmp_path: Path) -> None:
    out = generate(export_plan, tmp_path / "tf", ca_cert)
    parsed = {path.name: hcl2.loads(path.read_text()) for path in out.glob("*.tf")}
    assert {"oidc.tf", "roles_anywhere.tf", "identity_center.tf", "guardrails.tf"} <= set(parsed)


def test_account_ids_and_identity_center_are_variables(
    export_plan: Path, ca_cert: Path, tmp_path: Path
) -> None:
    out = generate(export_plan, tmp_path / "tf", ca_cert)
    variables = {
        name.strip('"')
        for block in hcl2.loads((out / "variables.tf").read_text())["variable"]
        for name in block
    }
    assert {"account_acme-prod", "sso_instance_arn", "break_glass_role_arn"} <= variables


def test_output_is_deterministic(export_plan: Path, ca_cert: Path, tmp_path: Path) -> None:
    first = generate(export_plan, tmp_path / "one", ca_cert)
    second = generate(export_plan, tmp_path / "two", ca_cert)
    files = sorted(p.name for p in first.iterdir())
    assert files == sorted(p.name for p in second.iterdir())
    assert all((first / n).read_bytes() == (second / n).read_bytes() for n in files)


def test_role_arn_is_an_output_for_workflows_fix(
    export_plan: Path, ca_cert: Path, tmp_path: Path
) -> None:
    out = generate(export_plan, tmp_path / "tf", ca_cert)
    outputs = hcl2.loads((out / "outputs.tf").read_text())["output"]
    names = {name.strip('"') for block in outputs for name in block}
    assert "role_arn_acme-prod_ci-deploy-github" in names


@pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on this machine")
def test_demo_organization_terraform_is_formatted(demo_plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "tf"
    result = run("generate", str(demo_plan), "--format", "terraform", "--out", str(out))
    assert result.exit_code == 1, result.output
    assert TERRAFORM is not None
    assert terraform_fmt_diff(out) is None
    assert len(hcl2.loads((out / "identity_center.tf").read_text())["resource"]) > 4
