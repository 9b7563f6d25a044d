"""An output named like one of the command's own inputs: ``--output``, ``--out``,
``--write-baseline`` or ``--journal`` that is (by name, another name or a hard link) a
file the command reads, or a ``generate --out`` folder that holds its plan. Each is
refused before any work (exit 2, the input named) and the input is left as it was; an
output beside the inputs that is not one of them is still written."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "tests" / "collect" / "fixtures" / "account"
REFUSED = "over one of the command's own inputs"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_refused(result: Result, phrase: str = REFUSED) -> None:
    assert result.exit_code == 2, result.output
    assert phrase in result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.fixture
def export(tmp_path: Path) -> Path:
    directory = tmp_path / "export"
    shutil.copytree(ACCOUNT, directory)
    return directory


@pytest.fixture
def snapshot(tmp_path: Path, export: Path) -> Path:
    path = tmp_path / "snapshot.json"
    result = run("collect", "--input", export, "--out", path, "--quiet")
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def plan_file(tmp_path: Path, export: Path) -> Path:
    path = tmp_path / "plan.json"
    result = run("plan", "--input", export, "--out", path, "--quiet")
    assert result.exit_code in (0, 1), result.output
    return path


@pytest.mark.parametrize("name", ["credential-report.csv", "authorization-details.json"])
def test_scan_refuses_to_write_its_report_over_an_export_file(export: Path, name: str) -> None:
    before = (export / name).read_bytes()
    assert_refused(run("scan", "--input", export, "--output", export / name))
    assert (export / name).read_bytes() == before


def test_scan_writes_a_report_beside_the_export_files(export: Path) -> None:
    result = run("scan", "--input", export, "--format", "json", "--output", export / "r.json")
    assert result.exit_code in (0, 1), result.output
    assert (export / "r.json").read_bytes().startswith(b"{")


def test_scan_refuses_its_snapshot_by_a_hard_link(tmp_path: Path, snapshot: Path) -> None:
    link = tmp_path / "report.txt"
    os.link(snapshot, link)
    before = snapshot.read_bytes()
    assert_refused(run("scan", "--snapshot", snapshot, "--output", link))
    assert_refused(run("scan", "--snapshot", snapshot, "--output", snapshot))
    assert snapshot.read_bytes() == before


def test_scan_refuses_its_configuration_and_its_store(
    tmp_path: Path, export: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("keyless.toml").write_text("[thresholds]\n")
    assert_refused(run("scan", "--input", export, "--output", "keyless.toml"))
    assert Path("keyless.toml").read_text() == "[thresholds]\n"
    store = tmp_path / "history.sqlite3"
    assert run("scan", "--input", export, "--record", "--store", store).exit_code in (0, 1)
    before = store.read_bytes()
    assert_refused(run("scan", "--input", export, "--store", store, "--output", store))
    assert store.read_bytes() == before


def test_collect_refuses_to_write_its_snapshot_over_the_export(export: Path) -> None:
    target = export / "authorization-details.json"
    before = target.read_bytes()
    assert_refused(run("collect", "--input", export, "--out", target))
    assert target.read_bytes() == before


def test_merge_refuses_to_write_over_one_of_its_snapshots(snapshot: Path) -> None:
    before = snapshot.read_bytes()
    assert_refused(run("merge", snapshot, "--out", snapshot))
    assert snapshot.read_bytes() == before


def test_plan_refuses_its_export_and_its_workflows(tmp_path: Path, export: Path) -> None:
    target = export / "credential-report.csv"
    before = target.read_bytes()
    assert_refused(run("plan", "--input", export, "--out", target))
    assert_refused(run("plan", "--input", export, "--output", target))
    assert target.read_bytes() == before
    workflow = tmp_path / "repo" / ".github" / "workflows" / "deploy.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: ls\n")
    repo = tmp_path / "repo"
    assert_refused(run("plan", "--input", export, "--workflows", repo, "--output", workflow))
    assert workflow.read_text().startswith("on: push")


def test_generate_refuses_a_folder_that_holds_its_plan(tmp_path: Path, plan_file: Path) -> None:
    before = plan_file.read_bytes()
    result = run("generate", plan_file, "--format", "scp", "--out", tmp_path, "--force")
    assert_refused(result, "own inputs")
    assert plan_file.read_bytes() == before


def test_retire_refuses_a_journal_that_is_its_plan(plan_file: Path) -> None:
    before = plan_file.read_bytes()
    for command in (("retire",), ("retire", "status"), ("retire", "rollback")):
        assert_refused(run(*command, "--plan", plan_file, "--journal", plan_file))
    assert plan_file.read_bytes() == before


def test_diff_refuses_to_write_over_a_document_it_compares(tmp_path: Path, export: Path) -> None:
    old = tmp_path / "old.json"
    result = run("scan", "--input", export, "--format", "json", "--output", old)
    assert result.exit_code in (0, 1), result.output
    before = old.read_bytes()
    assert_refused(run("diff", old, old, "--output", old))
    assert old.read_bytes() == before


def test_history_refuses_to_write_over_its_store(tmp_path: Path, export: Path) -> None:
    store = tmp_path / "history.sqlite3"
    assert run("scan", "--input", export, "--record", "--store", store).exit_code in (0, 1)
    before = store.read_bytes()
    assert_refused(run("history", "--store", store, "--output", store))
    assert store.read_bytes() == before


def test_iac_refuses_to_write_over_the_code_it_judges(tmp_path: Path) -> None:
    module = tmp_path / "main.tf"
    module.write_text('resource "aws_iam_user" "u" {\n  name = "u"\n}\n')
    assert_refused(run("iac", tmp_path, "--output", module))
    assert_refused(run("iac", tmp_path, "--write-baseline", module))
    assert module.read_text().startswith("resource")


@pytest.mark.parametrize(
    "call",
    ['file("${path.module}/trust.tpl")', 'templatefile("${path.module}/trust.tpl", {})'],
)
def test_iac_refuses_to_write_over_a_file_terraform_reads(tmp_path: Path, call: str) -> None:
    trust = tmp_path / "trust.tpl"
    trust.write_text(
        '{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",'
        ' "Principal": {"Service": "ec2.amazonaws.com"}}]}'
    )
    before = trust.read_bytes()
    (tmp_path / "main.tf").write_text(
        f'resource "aws_iam_role" "r" {{\n  name = "r"\n  assume_role_policy = {call}\n}}\n'
    )
    assert_refused(run("iac", tmp_path, "--output", trust))
    assert_refused(run("iac", tmp_path, "--write-baseline", trust))
    assert trust.read_bytes() == before
    assert run("iac", tmp_path, "--output", tmp_path / "report.txt").exit_code == 0


def test_iac_rewrites_its_own_baseline(tmp_path: Path) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "main.tf").write_text('resource "aws_iam_user" "u" {\n  name = "u"\n}\n')
    baseline = tmp_path / "baseline.json"
    assert run("iac", code, "--write-baseline", baseline).exit_code == 0
    result = run("iac", code, "--baseline", baseline, "--write-baseline", baseline)
    assert result.exit_code == 0, result.output
