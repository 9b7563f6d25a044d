"""``keyless generate`` from the command line: bad plans and options exit 2 with each
error and write nothing; the output folder is written whole; exit 1 when part of the
plan is left out."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.generate.conftest import certificate, edited, run


def generate(plan: Path, out: Path, *extra: str) -> Any:
    return run("generate", str(plan), "--format", "terraform", "--out", str(out), *extra)


def test_unknown_permission_set_exits_2_and_writes_nothing(
    export_plan: Path, ca_cert: Path, tmp_path: Path
) -> None:
    def rename(document: dict[str, Any]) -> None:
        document["identity_center"]["assignments"][0]["permission_set"] = "Nope"

    plan = edited(export_plan, tmp_path / "plan.json", rename)
    result = generate(plan, tmp_path / "tf", "--ca-cert", str(ca_cert))
    assert result.exit_code == 2
    assert "/identity_center/assignments/0: unknown permission set 'Nope'" in result.output
    assert not (tmp_path / "tf").exists()


def test_every_error_is_listed(export_plan: Path, ca_cert: Path, tmp_path: Path) -> None:
    def break_twice(document: dict[str, Any]) -> None:
        document["identity_center"]["assignments"][0]["permission_set"] = "Nope"
        document["oidc_roles"][0]["subjects"][0]["value"] = "repo:evil/other:ref:refs/heads/main"

    plan = edited(export_plan, tmp_path / "plan.json", break_twice)
    result = generate(plan, tmp_path / "tf", "--ca-cert", str(ca_cert))
    assert result.exit_code == 2
    assert "2 errors" in result.output
    assert "is not a subject of the role's repositories" in result.output


def test_schema_breaking_plan_exits_2(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"schema": "keyless/plan/v1", "users": "many"}))
    result = generate(plan, tmp_path / "tf")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert not (tmp_path / "tf").exists()


def test_stale_plan_exits_2_against_its_source(demo_plan: Path, tmp_path: Path) -> None:
    def stale(document: dict[str, Any]) -> None:
        document["source"]["fingerprint"] = "sha256:" + "0" * 64

    plan = edited(demo_plan, tmp_path / "plan.json", stale)
    result = generate(plan, tmp_path / "tf", "--demo")
    assert result.exit_code == 2
    assert "/source/fingerprint: the plan was made from another inventory" in result.output


def test_demo_plan_generates_with_the_role_without_subjects_left_out(
    demo_plan: Path, tmp_path: Path
) -> None:
    result = generate(demo_plan, tmp_path / "tf", "--demo")
    assert result.exit_code == 1
    assert "not generated: role ci-staging-github" in result.output
    assert "ci-staging-github" in (tmp_path / "tf" / "README.md").read_text()


def test_non_empty_out_is_refused_without_force(demo_plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "tf"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    result = generate(demo_plan, out)
    assert result.exit_code == 2
    assert "--force" in result.output
    assert (out / "mine.txt").read_text() == "keep"


def test_force_replaces_the_folder_whole(demo_plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "tf"
    out.mkdir()
    (out / "mine.txt").write_text("old")
    result = generate(demo_plan, out, "--force")
    assert result.exit_code == 1
    assert not (out / "mine.txt").exists()
    assert (out / "README.md").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["tf"]


def test_symlinked_out_is_refused(demo_plan: Path, tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    result = generate(demo_plan, tmp_path / "link", "--force")
    assert result.exit_code == 2
    assert "symbolic link" in result.output
    assert list((tmp_path / "real").iterdir()) == []


def test_non_ca_certificate_is_refused(export_plan: Path, tmp_path: Path) -> None:
    pem = tmp_path / "leaf.pem"
    pem.write_bytes(certificate(ca=False))
    result = generate(export_plan, tmp_path / "tf", "--ca-cert", str(pem))
    assert result.exit_code == 2
    assert "not a CA" in result.output


def test_expired_ca_certificate_is_refused(export_plan: Path, tmp_path: Path) -> None:
    pem = tmp_path / "old.pem"
    pem.write_bytes(certificate(start=-400, days=30))
    result = generate(export_plan, tmp_path / "tf", "--ca-cert", str(pem))
    assert result.exit_code == 2
    assert "valid only from" in result.output


def test_roles_anywhere_without_a_ca_is_refused(export_plan: Path, tmp_path: Path) -> None:
    result = generate(export_plan, tmp_path / "tf")
    assert result.exit_code == 2
    assert "--ca-cert" in result.output


def test_break_glass_role_with_a_wildcard_name_is_refused(demo_plan: Path, tmp_path: Path) -> None:
    result = generate(demo_plan, tmp_path / "tf", "--break-glass-role", "arn:aws:iam::*:role/*")
    assert result.exit_code == 2
    assert "--break-glass-role" in result.output


def test_aws_config_needs_the_start_url(export_plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "c"
    result = run("generate", str(export_plan), "--format", "aws-config", "--out", str(out))
    assert result.exit_code == 2
    assert "--sso-start-url" in result.output
    assert not out.exists()


def test_aws_config_of_the_demo_plan_uses_the_demo_portal(demo_plan: Path, tmp_path: Path) -> None:
    """A newcomer's `keyless generate plan.json --format aws-config` of the demo works
    without knowing the (fictional) portal, and is told which one was used."""
    from keyless.collect.demo.estate import SSO_START_URL

    result = run("generate", str(demo_plan), "--format", "aws-config", "--out", str(tmp_path / "c"))
    assert result.exit_code == 0, result.output
    assert f"the demo's Identity Center portal: {SSO_START_URL}" in result.output
    assert f"sso_start_url = {SSO_START_URL}" in (tmp_path / "c" / "config").read_text()


def test_aws_config_has_a_profile_per_assignment(demo_plan: Path, tmp_path: Path) -> None:
    import configparser

    result = run(
        "generate", str(demo_plan), "--format", "aws-config", "--out", str(tmp_path / "c"),
        "--sso-start-url", "https://d-1234567890.awsapps.com/start", "--sso-region", "eu-west-1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(tmp_path / "c" / "config")
    assert "sso-session keyless" in parser.sections()
    assert parser["profile acme-prod-ReadOnlyAccess"]["sso_account_id"] == "372342215631"


def test_the_readme_gives_the_login_command_as_typed(demo_plan: Path, tmp_path: Path) -> None:
    # The session name was escaped for Markdown prose inside a code span, where escapes
    # are shown as written: `aws sso login --sso-session my\_sso`, copied as such.
    result = run(
        "generate", str(demo_plan), "--format", "aws-config", "--out", str(tmp_path / "c"),
        "--sso-start-url", "https://d-1234567890.awsapps.com/start", "--sso-region", "eu-west-1",
        "--sso-session", "my_sso.team-1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    readme = (tmp_path / "c" / "README.md").read_text()
    assert "3. `aws sso login --sso-session my_sso.team-1`, then `--profile NAME`." in readme


def test_start_url_with_a_newline_is_refused(demo_plan: Path, tmp_path: Path) -> None:
    result = run(
        "generate", str(demo_plan), "--format", "aws-config", "--out", str(tmp_path / "c"),
        "--sso-start-url", "https://d-1.awsapps.com/start\n[profile evil]",
        "--sso-region", "eu-west-1",
    )  # fmt: skip
    assert result.exit_code == 2
    assert not (tmp_path / "c").exists()


def test_guardrail_scp_fits_the_size_limit(demo_plan: Path, tmp_path: Path) -> None:
    result = run(
        "generate", str(demo_plan), "--format", "scp", "--out", str(tmp_path / "scp"),
        "--break-glass-role", "arn:aws:iam::*:role/BreakGlass", "--boundary",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    scp = tmp_path / "scp" / "keyless-deny-iam-user-credentials.json"
    document = json.loads(scp.read_text())
    assert len(scp.read_text()) <= 5120
    statement = document["Statement"][0]
    assert statement["Condition"] == {
        "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/BreakGlass"}
    }
    assert sorted(statement["Action"]) == [
        "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:CreateUser", "iam:UpdateLoginProfile",
    ]  # fmt: skip


def test_guardrail_boundary_denies_the_same_and_allows_the_rest(
    demo_plan: Path, tmp_path: Path
) -> None:
    result = run(
        "generate", str(demo_plan), "--format", "scp", "--out", str(tmp_path / "scp"),
        "--break-glass-role", "arn:aws:iam::123456789012:role/BreakGlass", "--boundary",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    path = tmp_path / "scp" / "keyless-deny-iam-user-credentials-boundary.json"
    allow, deny = json.loads(path.read_text())["Statement"]
    assert (allow["Effect"], allow["Action"]) == ("Allow", "*")
    assert deny["Effect"] == "Deny"
    assert "iam:CreateAccessKey" in deny["Action"]


@pytest.mark.parametrize("output_format", ["terraform", "cloudformation", "scp", "aws-config"])
def test_every_file_the_readme_names_is_in_the_folder(
    demo_plan: Path, tmp_path: Path, output_format: str
) -> None:
    # The CloudFormation README said to apply `keyless_access`, Terraform's file; the SCP
    # README listed the other steps without saying their code is another format's.
    out = tmp_path / output_format
    result = run(
        "generate", str(demo_plan), "--format", output_format, "--out", str(out),
        "--sso-start-url", "https://d-1234567890.awsapps.com/start", "--sso-region", "eu-west-1",
    )  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    readme = (out / "README.md").read_text()
    named = set(re.findall(r"`([\w.-]+\.(?:tf|yaml|json)|config)`", readme))
    assert named, readme
    assert named <= {path.name for path in out.iterdir()}, readme
    assert "keyless_access" not in readme.replace("`keyless_access.tf`", "")
