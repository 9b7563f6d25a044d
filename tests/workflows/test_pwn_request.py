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
        # a comment on a pull request runs the default branch's workflow, with its secrets
        {
            "on": "\n  issue_comment:\n    types: [created]",
            "checkout": "ref: refs/pull/${{ github.event.issue.number }}/head",
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
        # an issue_comment payload has no pull_request: the expression is empty there
        {"on": "\n  issue_comment:\n    types: [created]"},
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


def _routes(root: Path) -> list[str]:
    """Where in the repository's workflows the check reports, as routes into them."""
    return [
        f.location.route
        for f in scan([root]).findings
        if f.check == CHECK and isinstance(f.location, FileLocation)
    ]


def _run_findings(tmp_path: Path, script: str, on: str = "pull_request_target") -> list[str]:
    text = RUN_WORKFLOW.format(on=on, script=script)
    root = repo(tmp_path, {".github/workflows/pr.yml": text})
    return _routes(root)


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


CALLER = """
on: {on}
permissions:
  contents: read
{permissions}
jobs:
  build:
    uses: {uses}
{job}
    with:
      {inputs}
"""
CALLED = "./.github/workflows/build.yml"


def _caller_routes(tmp_path: Path, **parts: str) -> list[str]:
    values = {
        "on": "pull_request_target",
        "permissions": TOKEN,
        "uses": CALLED,
        "job": "",
        "inputs": "ref: ${{ github.event.pull_request.head.sha }}",
    }
    values.update(parts)
    root = repo(tmp_path, {".github/workflows/pr.yml": CALLER.format(**values)})
    return _routes(root)


@pytest.mark.parametrize(
    "parts",
    [
        {},  # NOT OK: the workflow's grant reaches the called workflow
        {"job": "    secrets: inherit"},
        {"permissions": "", "job": "    permissions:\n      id-token: write\n      contents: read"},
        {"uses": "octo-org/ci/.github/workflows/build.yml@v1"},
        {"inputs": "checkout-ref: ${{ github.head_ref }}"},
        {"inputs": "repo: ${{ github.event.pull_request.head.repo.full_name }}"},
        {
            "on": "\n  workflow_run:\n    workflows: [CI]\n    branches: [main]",
            "inputs": "sha: ${{ github.event.workflow_run.head_sha }}",
        },  # a branch filter matches a fork's branch named main too
    ],
)
def test_a_reusable_workflow_given_the_pull_requests_code_with_the_token_is_reported(
    tmp_path: Path, parts: dict[str, str]
) -> None:
    key = parts.get("inputs", "ref:").split(":")[0]
    assert _caller_routes(tmp_path, **parts) == [f"jobs.build.with.{key}"]


@pytest.mark.parametrize(
    "parts",
    [
        {"on": "pull_request"},  # OK: a pull_request token says pull_request
        {"permissions": ""},  # OK: nothing grants id-token: write
        {"permissions": "", "job": "    secrets: inherit"},  # secrets are not permissions
        {"job": "    permissions:\n      contents: read"},  # the call's own grant replaces it
        {"inputs": "ref: ${{ github.event.pull_request.base.sha }}"},
        {"inputs": "number: ${{ github.event.pull_request.number }}"},
        {"job": "    if: github.event.pull_request.head.repo.full_name == github.repository"},
    ],
)
def test_reusable_workflow_calls_without_the_code_or_the_token_are_not_reported(
    tmp_path: Path, parts: dict[str, str]
) -> None:
    assert _caller_routes(tmp_path, **parts) == []


ENV_WORKFLOW = """
on: {on}
permissions:
  id-token: write
{workflow_env}
jobs:
  test:
    runs-on: ubuntu-latest
{job_env}
    steps:
      - uses: actions/checkout@v4
        with:
          {checkout}
{step_env}
      - run: {script}
{step_env}
"""
SHA_VALUE = "${{ github.event.pull_request.head.sha }}"
FORK_VALUE = "${{ github.event.pull_request.head.repo.full_name }}"


def _env_routes(tmp_path: Path, **parts: str) -> list[str]:
    values = {
        "on": "pull_request_target",
        "workflow_env": "",
        "job_env": "",
        "step_env": "",
        "checkout": "fetch-depth: 0",
        "script": "make test",
    }
    values.update(parts)
    root = repo(tmp_path, {".github/workflows/pr.yml": ENV_WORKFLOW.format(**values)})
    return _routes(root)


@pytest.mark.parametrize(
    ("parts", "route"),
    [
        (
            {"workflow_env": f"env:\n  SHA: {SHA_VALUE}", "script": 'git checkout "$SHA"'},
            "jobs.test.steps[1].run",
        ),
        (
            {"job_env": f"    env:\n      SHA: {SHA_VALUE}", "script": "git fetch origin ${SHA}"},
            "jobs.test.steps[1].run",
        ),
        (
            {
                "step_env": f"        env:\n          PR_REF: {SHA_VALUE}",
                "script": "git checkout ${{ env.PR_REF }}",
            },
            "jobs.test.steps[1].run",
        ),
        (
            {"workflow_env": f"env:\n  SHA: {SHA_VALUE}", "checkout": "ref: ${{ env.SHA }}"},
            "jobs.test.steps[0].with.ref",
        ),
        (
            {
                "job_env": "    env:\n      HEAD: ${{ github.head_ref }}",
                "checkout": "ref: ${{ env['HEAD'] }}",
            },
            "jobs.test.steps[0].with.ref",
        ),
        (
            {
                "job_env": f"    env:\n      FORK: {FORK_VALUE}",
                "checkout": "repository: ${{ env.fork }}",  # contexts ignore case
            },
            "jobs.test.steps[0].with.repository",
        ),
        ({"script": "git checkout $GITHUB_HEAD_REF"}, "jobs.test.steps[1].run"),
    ],
)
def test_the_pull_requests_ref_through_an_environment_variable_is_reported(
    tmp_path: Path, parts: dict[str, str], route: str
) -> None:
    assert _env_routes(tmp_path, **parts) == [route]


@pytest.mark.parametrize(
    "parts",
    [
        # OK: the variable holds the base's ref
        {
            "workflow_env": "env:\n  SHA: ${{ github.event.pull_request.base.sha }}",
            "script": 'git checkout "$SHA"',
        },
        # OK: the step sets it to something else
        {
            "job_env": f"    env:\n      SHA: {SHA_VALUE}",
            "step_env": "        env:\n          SHA: main",
            "script": 'git checkout "$SHA"',
        },
        # OK: the variable is only printed, not fetched
        {"workflow_env": f"env:\n  SHA: {SHA_VALUE}", "script": 'echo "$SHA"'},
        # OK: another variable is checked out
        {"workflow_env": f"env:\n  SHA: {SHA_VALUE}", "script": 'git checkout "$SHA_BASE"'},
        # OK: a pull_request run gets a pull_request token
        {
            "on": "pull_request",
            "workflow_env": f"env:\n  SHA: {SHA_VALUE}",
            "checkout": "ref: ${{ env.SHA }}",
        },
        # OK: GITHUB_HEAD_REF is empty on workflow_run
        {"on": "workflow_run", "script": "git checkout $GITHUB_HEAD_REF"},
    ],
)
def test_environment_variables_not_holding_the_pull_requests_ref_are_not_reported(
    tmp_path: Path, parts: dict[str, str]
) -> None:
    assert _env_routes(tmp_path, **parts) == []


LOCAL_CALLER = """
on: pull_request_target
permissions:
  contents: read
{permissions}
jobs:
  build:
    uses: ./.github/workflows/build.yml
    secrets: inherit
{inputs}
"""
CALLEE = """
on:
  workflow_call:
    inputs:
      ref:
        type: string
{callee_permissions}
jobs:
  build:
    runs-on: ubuntu-latest
{job}
    steps:
      - uses: actions/checkout@v4
        with:
          {checkout}
      - run: {script}
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/ci
          aws-region: us-east-1
"""
HEAD_INPUT = "    with:\n      ref: ${{ github.event.pull_request.head.sha }}"


def _local_call_routes(tmp_path: Path, **parts: str) -> list[str]:
    values = {
        "permissions": TOKEN,
        "inputs": "",
        "callee_permissions": "",
        "job": "",
        "checkout": "fetch-depth: 1",
        "script": "make test",
    }
    values.update(parts)
    files = {
        ".github/workflows/pr.yml": LOCAL_CALLER.format(**values),
        ".github/workflows/build.yml": CALLEE.format(**values),
    }
    root = repo(tmp_path, files)
    return _routes(root)


@pytest.mark.parametrize(
    ("parts", "route"),
    [
        # NOT OK: the called workflow's github.event is the caller's pull request
        ({"checkout": HEAD_SHA}, "jobs.build.uses"),
        ({"script": "gh pr checkout ${{ github.event.number }}"}, "jobs.build.uses"),
        # NOT OK: the call gives the head's ref, the called workflow checks it out
        ({"inputs": HEAD_INPUT, "checkout": "ref: ${{ inputs.ref }}"}, "jobs.build.with.ref"),
        (
            {
                "inputs": HEAD_INPUT,
                "job": "    env:\n      SHA: ${{ inputs.ref }}",
                "script": 'git checkout "$SHA"',
            },
            "jobs.build.uses",
        ),
        # the called workflow keeps id-token: write by its own grant
        (
            {"checkout": HEAD_SHA, "callee_permissions": "permissions:\n  id-token: write"},
            "jobs.build.uses",
        ),
    ],
)
def test_a_local_called_workflow_checking_out_the_pull_request_is_reported_at_the_call(
    tmp_path: Path, parts: dict[str, str], route: str
) -> None:
    assert _local_call_routes(tmp_path, **parts) == [route]


@pytest.mark.parametrize(
    "parts",
    [
        # OK: the head's ref is given but only printed
        {"inputs": HEAD_INPUT, "script": 'echo "${{ inputs.ref }}"'},
        # OK: the called workflow lowers the token's permissions
        {"checkout": HEAD_SHA, "callee_permissions": "permissions:\n  contents: read"},
        {"checkout": HEAD_SHA, "job": "    permissions:\n      contents: read"},
        # OK: the caller grants no id-token: write, the called workflow cannot raise it
        {"checkout": HEAD_SHA, "permissions": ""},
        # OK: the base's code
        {"checkout": "ref: ${{ github.event.pull_request.base.sha }}"},
    ],
)
def test_a_local_called_workflow_not_running_the_pull_request_with_the_token_is_not_reported(
    tmp_path: Path, parts: dict[str, str]
) -> None:
    assert _local_call_routes(tmp_path, **parts) == []


def test_a_called_workflow_behind_a_link_is_judged_by_the_calls_inputs(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yml"
    outside.write_text(
        CALLEE.format(callee_permissions="", job="", checkout="fetch-depth: 1", script="make")
    )
    root = repo(
        tmp_path / "r",
        {".github/workflows/pr.yml": LOCAL_CALLER.format(permissions=TOKEN, inputs=HEAD_INPUT)},
    )
    (root / ".github/workflows/build.yml").symlink_to(outside)
    routes = _routes(root)
    assert routes == ["jobs.build.with.ref"]


COMMENT_BRANCH = """
on:
  issue_comment:
    types: [created]
permissions:
  id-token: write
jobs:
  test:
    if: github.event.issue.pull_request
    runs-on: ubuntu-latest
    steps:
      - uses: {lookup}
        id: Comment-Branch
      - uses: actions/checkout@v4
        with:
          ref: ${{{{ steps.comment-branch.outputs.{output} }}}}
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/ci
          aws-region: us-east-1
      - run: make test
"""


@pytest.mark.parametrize("output", ["head_ref", "head_sha"])
def test_a_comment_run_checking_out_the_looked_up_head_is_reported(
    tmp_path: Path, output: str
) -> None:
    # xt0rted/pull-request-comment-branch's README hands its head_ref to checkout's ref
    text = COMMENT_BRANCH.format(lookup="xt0rted/pull-request-comment-branch@v3", output=output)
    root = repo(tmp_path, {".github/workflows/comment.yml": text})
    (finding,) = [f for f in scan([root]).findings if f.check == CHECK]
    assert isinstance(finding.location, FileLocation)
    assert finding.location.route == "jobs.test.steps[1].with.ref"


def test_another_steps_head_output_is_not_taken_for_the_pull_request(tmp_path: Path) -> None:
    text = COMMENT_BRANCH.format(lookup="acme/other-action@v1", output="head_sha")
    root = repo(tmp_path, {".github/workflows/comment.yml": text})
    assert CHECK not in [f.check for f in scan([root]).findings]
