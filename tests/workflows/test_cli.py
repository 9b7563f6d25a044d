"""The `keyless workflows` commands: output formats, exit codes, errors without tracebacks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

from .conftest import CORPUS

ROLE = "arn:aws:iam::123456789012:role/ci"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["workflows", *args])
    return result.exit_code, result.stdout, result.stderr


def test_scan_with_findings_exits_1() -> None:
    code, out, _ = _run("scan", str(CORPUS / "gh-basic-keys" / "input"))
    assert code == 1
    assert "workflow-static-aws-keys" in out


def test_scan_of_clean_repository_exits_0() -> None:
    code, out, _ = _run("scan", str(CORPUS / "gh-already-oidc" / "input"))
    assert (code, out.strip()) == (0, "0 finding(s) in 1 file(s)")


def test_fail_on_critical_ignores_high_findings() -> None:
    code, _, _ = _run("scan", "--fail-on", "critical", str(CORPUS / "gh-basic-keys" / "input"))
    assert code == 0


def test_scan_json_is_versioned() -> None:
    code, out, _ = _run("scan", "--format", "json", str(CORPUS / "gl-basic" / "input"))
    document = json.loads(out)
    assert code == 1
    assert document["schema"] == "keyless/workflows-scan/v1"
    assert {f["check"] for f in document["findings"]} == {"gitlab-static-aws-keys"}


def test_hardcoded_secret_is_never_printed() -> None:
    for output_format in ("text", "json", "sarif"):
        _, out, _ = _run("scan", "--format", output_format, str(CORPUS / "gh-hardcoded"))
        assert "Tq8vR2mXk7" not in out
        assert "AKIAQ2X7RM4TZK9WDXYZ" not in out
        assert "AKIA…DXYZ" in out


def test_malformed_yaml_exits_2_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text("on: push\njobs:\n  a: [unclosed\n")
    code, out, err = _run("scan", str(tmp_path))
    assert code == 2
    assert f"{bad}:" in err
    assert "malformed YAML" in err
    assert "Traceback" not in err + out


def test_missing_path_exits_2() -> None:
    code, _, err = _run("scan", "/nonexistent/keyless")
    assert code == 2
    assert "no such file or directory" in err


def test_fix_needs_exactly_one_role_option() -> None:
    code, _, err = _run("fix", str(CORPUS / "gh-basic-keys" / "input"))
    assert code == 2
    assert "--role-arn" in err


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--role-arn", "arn:foo"),
        ("--role-arn", "arn:aws:iam::123456789012:user/ci"),
        ("--role-arn-from", "bad name!"),
        ("--role-arn-from", "env.CI_ROLE"),
    ],
)
def test_fix_refuses_a_malformed_role_before_writing(option: str, value: str) -> None:
    code, out, err = _run("fix", option, value, str(CORPUS / "gh-basic-keys" / "input"))
    assert code == 2
    assert f"{option}: {value!r} is not" in err
    assert "Traceback" not in err + out


def test_fix_prints_a_diff_and_writes_nothing(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(CORPUS / "gh-basic-keys" / "input", repo)
    before = (repo / ".github" / "workflows" / "deploy.yml").read_bytes()
    code, out, _ = _run("fix", "--role-arn", ROLE, "--repository", "acme/app", str(repo))
    assert code == 0
    assert f"+          role-to-assume: {ROLE}" in out
    assert (repo / ".github" / "workflows" / "deploy.yml").read_bytes() == before


def test_fix_write_then_scan_is_clean(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(CORPUS / "gh-basic-keys" / "input", repo)
    code, _, _ = _run("fix", "--role-arn", ROLE, "--write", str(repo))
    assert code == 0
    assert _run("scan", str(repo))[0] == 0


def test_fix_json_returns_subjects_per_job_and_flags_pull_requests() -> None:
    code, out, _ = _run(
        "fix", "--role-arn-from", "secrets.CI_ROLE", "--repository", "acme/app",
        "--format", "json", str(CORPUS / "gh-pull-request" / "input"),
    )  # fmt: skip
    document = json.loads(out)
    (job,) = document["files"][0]["jobs"]
    assert code == 0
    assert document["schema"] == "keyless/workflows-fix/v1"
    assert job["pull_request"] is True
    assert {s["sub"] for s in job["subjects"]} == {
        "repo:acme/app:pull_request",
        "repo:acme/app:ref:refs/heads/main",
    }


def test_fix_reads_repository_from_git_remote(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(CORPUS / "gh-basic-keys" / "input", repo)
    (repo / ".git").mkdir()
    (repo / ".git" / "config").write_text(
        '[core]\n\tbare = false\n[remote "origin"]\n\turl = git@github.com:octo/site.git\n'
    )
    _, out, _ = _run("fix", "--role-arn", ROLE, "--format", "json", str(repo))
    subjects = json.loads(out)["files"][0]["jobs"][0]["subjects"]
    assert subjects[0]["sub"] == "repo:octo/site:ref:refs/heads/main"


def test_scan_reports_an_unreadable_file_and_exits_3(tmp_path: Path) -> None:
    shutil.copytree(CORPUS / "gh-basic-keys" / "input", tmp_path / "good")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / ".gitlab-ci.yml").write_text("a: [\n")
    code, out, _ = _run("scan", str(tmp_path))
    assert code == 3
    assert "bad/.gitlab-ci.yml:2: not read: malformed YAML" in out
    assert "workflow-static-aws-keys" in out


def test_fix_exits_1_and_says_what_it_left_and_why() -> None:
    code, _, err = _run(
        "fix", "--role-arn", ROLE, "--repository", "acme/app",
        str(CORPUS / "gh-reusable-remote" / "input"),
    )  # fmt: skip
    assert code == 1
    assert "left as it is (a person must rewrite these):" in err
    assert "job deploy: it passes the keys to acme/shared-workflows" in err


def test_fix_json_exit_code_matches_the_text_one() -> None:
    code, out, _ = _run(
        "fix", "--role-arn", ROLE, "--repository", "acme/app", "--format", "json",
        str(CORPUS / "gh-reusable-remote" / "input"),
    )  # fmt: skip
    assert code == 1
    assert json.loads(out)["files"][0]["unfixed"][0]["job"] == "deploy"


_THREE_JOBS = """\
on:
  push:
    branches: [main]
jobs:
{jobs}"""
_JOB = """\
  {name}:
    runs-on: ubuntu-latest
{environment}    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: ${{{{ secrets.AWS_ACCESS_KEY_ID }}}}
          aws-secret-access-key: ${{{{ secrets.AWS_SECRET_ACCESS_KEY }}}}
          aws-region: us-east-1
"""


def test_fix_lists_a_shared_roles_subjects_once_each(tmp_path: Path) -> None:
    """Jobs that assume one role: besides each job's subjects, the role's whole list
    once, without the repeats (two jobs on main share a subject)."""
    jobs = "".join(
        _JOB.format(name=name, environment=environment)
        for name, environment in [
            ("build", ""),
            ("deploy", "    environment: prod\n"),
            ("again", ""),
        ]
    )
    workflows = tmp_path / "repo" / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "deploy.yml").write_text(_THREE_JOBS.format(jobs=jobs))
    code, _, err = _run(
        "fix", "--role-arn", ROLE, "--repository", "acme/app", str(tmp_path / "repo")
    )
    assert code == 0, err
    whole = err[err.index(f"{ROLE} (3 jobs) must trust, in all:") :].splitlines()
    assert whole[1:3] == [
        "  StringEquals sub = repo:acme/app:ref:refs/heads/main",
        "  StringEquals sub = repo:acme/app:environment:prod",
    ]
    assert "file(s) changed" in whole[3]
