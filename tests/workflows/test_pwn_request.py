"""workflow-untrusted-checkout-id-token: a pull_request_target / workflow_run job that
checks out the pull request's code while it may request an OIDC token ("pwn request")."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.findings import FileLocation
from keyless.workflows import scan

from .builders import repo

CHECK = "workflow-untrusted-checkout-id-token"

WORKFLOW = """
on: {on}
permissions:
  contents: read
{permissions}
jobs:
  test:
    runs-on: ubuntu-latest
{job}
    steps:
      - uses: actions/checkout@v4
        with:
          {checkout}
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/ci
          aws-region: us-east-1
      - run: make test
"""
TOKEN = "  id-token: write"
HEAD_SHA = "ref: ${{ github.event.pull_request.head.sha }}"


def _checks(tmp_path: Path, **parts: str) -> list[str]:
    values = {"on": "pull_request_target", "permissions": TOKEN, "job": "", "checkout": HEAD_SHA}
    values.update(parts)
    root = repo(tmp_path, {".github/workflows/pr.yml": WORKFLOW.format(**values)})
    return [f.check for f in scan([root]).findings]


@pytest.mark.parametrize(
    "parts",
    [
        {},  # NOT OK: the textbook pwn request
        {"checkout": "ref: ${{ github.event.pull_request.head.ref }}"},
        {"checkout": "ref: ${{ github.head_ref }}"},
        {"checkout": "ref: ${{ github.event.pull_request.merge_commit_sha }}"},
        {"checkout": "ref: refs/pull/${{ github.event.number }}/merge"},
        {"checkout": "repository: ${{ github.event.pull_request.head.repo.full_name }}"},
        {"on": "[push, pull_request_target]"},
        {"on": "\n  pull_request_target:\n    types: [labeled]"},
        {
            "on": "\n  workflow_run:\n    workflows: [CI]\n    types: [completed]",
            "checkout": "ref: ${{ github.event.workflow_run.head_sha }}",
        },
        # the job's own grant, and write-all, grant the token too
        {"permissions": "", "job": "    permissions:\n      id-token: write"},
        {"permissions": "", "job": "    permissions: write-all"},
    ],
)
def test_a_privileged_job_checking_out_the_pull_request_with_the_token_is_reported(
    tmp_path: Path, parts: dict[str, str]
) -> None:
    assert _checks(tmp_path, **parts) == [CHECK]


@pytest.mark.parametrize(
    "parts",
    [
        {"on": "pull_request"},  # OK: a pull_request token says pull_request, no secrets
        {"on": "push"},
        {"checkout": "fetch-depth: 0"},  # OK: the base repository's code
        {"checkout": "ref: ${{ github.event.pull_request.base.sha }}"},
        {"permissions": ""},  # OK: no id-token: write, so no OIDC token
        {"job": "    permissions:\n      contents: read"},  # the job's own grant replaces it
        {"job": "    if: github.event.pull_request.head.repo.full_name == github.repository"},
    ],
)
def test_other_jobs_are_not_reported(tmp_path: Path, parts: dict[str, str]) -> None:
    assert CHECK not in _checks(tmp_path, **parts)


def test_the_finding_points_at_the_checkout_ref_and_fails_the_scan(tmp_path: Path) -> None:
    values = {"on": "pull_request_target", "permissions": TOKEN, "job": "", "checkout": HEAD_SHA}
    root = repo(tmp_path, {".github/workflows/pr.yml": WORKFLOW.format(**values)})
    (finding,) = scan([root]).findings
    assert finding.severity.value == "high"
    assert isinstance(finding.location, FileLocation)
    assert finding.location.route == "jobs.test.steps[0].with.ref"
    assert "pull_request_target" in finding.message
    result = CliRunner().invoke(cli, ["workflows", "scan", str(root)])
    assert result.exit_code == 1
    assert CHECK in result.stdout


RUN_WORKFLOW = """
on: {on}
permissions:
  id-token: write
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: |
          {script}
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/ci
          aws-region: us-east-1
"""


def _run_findings(tmp_path: Path, script: str, on: str = "pull_request_target") -> list[str]:
    text = RUN_WORKFLOW.format(on=on, script=script)
    root = repo(tmp_path, {".github/workflows/pr.yml": text})
    return [
        f.location.route
        for f in scan([root]).findings
        if f.check == CHECK and isinstance(f.location, FileLocation)
    ]


@pytest.mark.parametrize(
    "script",
    [
        "gh pr checkout ${{ github.event.pull_request.number }}",
        "git fetch origin pull/${{ github.event.number }}/head:pr && git checkout pr",
        "git fetch origin pull/$PR_NUMBER/merge",
        "git checkout ${{ github.event.pull_request.head.sha }}",
        "git fetch origin ${{ github.head_ref }}; make",
        "git clone ${{ github.event.pull_request.head.repo.clone_url }} pr",
        "git fetch \\\n            origin pull/7/head",
    ],
)
def test_a_privileged_job_fetching_the_pull_request_in_a_script_is_reported(
    tmp_path: Path, script: str
) -> None:
    assert _run_findings(tmp_path, script) == ["jobs.test.steps[1].run"]


@pytest.mark.parametrize(
    ("script", "on"),
    [
        ("gh pr checkout 12", "pull_request"),  # OK: no secrets, a pull_request token
        ("git checkout ${{ github.event.pull_request.head.sha }}", "push"),
        ("git checkout main", "pull_request_target"),
        ("git fetch origin ${{ github.event.pull_request.base.sha }}", "pull_request_target"),
        ("echo ${{ github.head_ref }} > ref.txt", "pull_request_target"),  # no git command
        ("gh pr view 12", "pull_request_target"),
    ],
)
def test_scripts_not_fetching_the_pull_request_are_not_reported(
    tmp_path: Path, script: str, on: str
) -> None:
    assert _run_findings(tmp_path, script, on) == []


def test_a_huge_hostile_script_is_answered(tmp_path: Path) -> None:
    # a backtracking pattern would not finish on this one-line script
    assert _run_findings(tmp_path, "git fetch " * 50_000 + "pull/${{" * 20_000) == []
