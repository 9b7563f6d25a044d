"""``keyless plan`` from the command line: sources, output, --explain, --check and the
exit codes (0 decided and proved, 1 a person must look, 2 bad input, 3 incomplete)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli
from tests.plan.conftest import REPOS

LINKS = [
    "--link", "ci-deploy=acme/app",
    "--link", "ci-infra=acme/infra",
    "--link", "backup-nas=host:nas01.example.com",
    "--workflows", f"acme/app={REPOS / 'app'}",
    "--workflows", f"acme/infra={REPOS / 'infra'}",
]  # fmt: skip


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["plan", *args], catch_exceptions=False)


def plan_run(*args: str) -> Result:
    """Plan with ages measured as of the export fixture's collection (an export is judged
    by the clock otherwise, as keyless scan judges it)."""
    return run(*args, "--now", "2025-06-01T12:00:00Z")


def test_text_lists_each_account_and_destination(export_dir: Path) -> None:
    result = plan_run("--input", str(export_dir))
    assert result.exit_code == 1  # CI users without links: a person must look
    assert "acme-prod (210987654321)" in result.stdout
    assert "  identity-center (3)" in result.stdout
    assert "maria.garcia" in result.stdout


def test_a_fully_decided_plan_exits_0_and_writes_the_document(
    export_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "plan.json"
    result = plan_run("--input", str(export_dir), *LINKS, "--out", str(out))
    assert result.exit_code == 0, result.stdout + result.stderr
    document = json.loads(out.read_text())
    assert document["schema"] == "keyless/plan/v1"
    assert document["summary"]["open"] == 0


def test_json_goes_to_standard_output(export_dir: Path) -> None:
    result = plan_run("--input", str(export_dir), "--format", "json")
    assert json.loads(result.stdout)["summary"]["users"] == 9


def test_explain_shows_every_signal(export_dir: Path) -> None:
    result = plan_run("--input", str(export_dir), "--explain", "tom.baker")
    assert "shares-group-with-people" in result.stdout
    assert "proof        proved" in result.stdout


def test_explain_of_an_unknown_user_is_exit_2(export_dir: Path) -> None:
    assert plan_run("--input", str(export_dir), "--explain", "nobody").exit_code == 2


def test_a_bad_link_is_exit_2_with_the_accepted_forms(export_dir: Path) -> None:
    result = plan_run("--input", str(export_dir), "--link", "ci-deploy=not a repo")
    assert result.exit_code == 2
    assert "not a link target" in result.stderr
    assert "ORG/REPO" in result.stderr


def test_links_and_keeps_come_from_keyless_toml(export_dir: Path, tmp_path: Path) -> None:
    config = tmp_path / "keyless.toml"
    config.write_text(
        '[[plan.link]]\nuser = "ci-deploy"\ntarget = "acme/app"\n\n'
        '[[plan.keep]]\nuser = "ops-lead"\nreason = "break-glass"\n'
    )
    result = plan_run("--input", str(export_dir), "--config", str(config), "--format", "json")
    users = {u["name"]: u for u in json.loads(result.stdout)["users"]}
    assert users["ci-deploy"]["reason"].startswith("linked to acme/app")
    assert (users["ops-lead"]["destination"], users["ops-lead"]["reason"]) == (
        "keep",
        "kept: break-glass",
    )


def test_check_accepts_the_plan_it_wrote(export_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    plan_run("--input", str(export_dir), *LINKS, "--out", str(out))
    # backup-nas's Roles Anywhere role needs a new trust anchor: generate will be given a CA.
    pca = "arn:aws:acm-pca:us-east-1:210987654321:certificate-authority/" + str(uuid.UUID(int=0))
    result = run("--check", str(out), "--input", str(export_dir), "--generate-pca-arn", pca)
    assert result.exit_code == 0, result.stderr
    assert "valid against its source" in result.stderr


def test_check_reports_each_error_and_exits_2(export_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    plan_run("--input", str(export_dir), *LINKS, "--out", str(out))
    document = json.loads(out.read_text())
    document["users"][0]["arn"] = "arn:aws:iam::210987654321:user/nobody"
    document["identity_center"]["permission_sets"][0]["name"] = "bad name!"
    out.write_text(json.dumps(document))
    result = run("--check", str(out), "--input", str(export_dir))
    assert result.exit_code == 2
    assert result.stderr.count(f"{out}#/") == 1  # a schema error stops the rest
    assert "/identity_center/permission_sets/0/name" in result.stderr


def test_check_refuses_to_retire_a_person_who_signs_in(export_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    plan_run("--input", str(export_dir), *LINKS, "--out", str(out))
    document = json.loads(out.read_text())
    (person,) = [u for u in document["users"] if u["name"] == "tom.baker"]
    person["destination"], person["target"] = "retire", None
    out.write_text(json.dumps(document))
    result = run("--check", str(out), "--input", str(export_dir))
    assert result.exit_code == 2
    assert "tom.baker cannot be retired: console password used" in result.stderr


def test_check_of_a_file_that_is_not_a_plan_is_exit_2(export_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"schema": "keyless/scan/v1"}')
    result = run("--check", str(other), "--input", str(export_dir))
    assert result.exit_code == 2
    assert "not a keyless/plan/v1 document" in result.stderr


def test_check_takes_no_planning_options(export_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    out.write_text("{}")
    result = run("--check", str(out), "--input", str(export_dir), "--link", "a=b/c")
    assert result.exit_code == 2


@pytest.mark.parametrize("output_format", ["text", "markdown", "html"])
def test_every_format_renders(export_dir: Path, output_format: str) -> None:
    result = plan_run("--input", str(export_dir), *LINKS, "--format", output_format)
    assert result.exit_code == 0
    assert "maria.garcia" in result.stdout.replace("\\", "")


def test_an_out_through_a_symlink_is_refused_before_reading(
    export_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "elsewhere.json"
    target.write_text("untouched")
    link = tmp_path / "plan.json"
    link.symlink_to(target)
    result = plan_run("--input", str(export_dir), "--out", str(link))
    assert result.exit_code == 2
    assert "symbolic link" in result.stderr
    assert target.read_text() == "untouched"


def test_html_output_goes_to_the_file_whole(export_dir: Path, tmp_path: Path) -> None:
    report = tmp_path / "plan.html"
    result = plan_run(
        "--input", str(export_dir), *LINKS, "--format", "html", "--output", str(report)
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    html = report.read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert 'data-exit-code="0"' in html


def test_an_output_through_a_symlink_is_refused_before_reading(
    export_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "elsewhere.html"
    target.write_text("untouched")
    link = tmp_path / "plan.html"
    link.symlink_to(target)
    result = plan_run("--input", str(export_dir), "--format", "html", "--output", str(link))
    assert result.exit_code == 2
    assert "symbolic link" in result.stderr
    assert target.read_text() == "untouched"


def test_out_and_output_must_be_different_files(export_dir: Path, tmp_path: Path) -> None:
    same = tmp_path / "plan.json"
    result = plan_run("--input", str(export_dir), "--out", str(same), "--output", str(same))
    assert result.exit_code == 2
    assert "same file" in result.stderr
    assert not same.exists()
