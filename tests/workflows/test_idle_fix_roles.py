"""What ``fix`` takes from jobs and steps GitHub never runs (``if: false``): no role.

A credentials step that never runs assumes nothing on GitHub, so the job's "role
chaining" role is that of the step that runs; and a job that never runs calls its
reusable workflow nowhere on GitHub, so it is not granted ``id-token: write`` (it is
listed as left, with why). Both were taken from idle jobs and steps before."""

from __future__ import annotations

from pathlib import Path

from keyless.workflows import fix
from keyless.workflows.github_conditions import FALSE

from .builders import job, only, options, reasons, repo

OLD = "arn:aws:iam::210987654321:role/old"
NEW = "arn:aws:iam::210987654321:role/new"

#: Keys in the job's env; an old credentials step switched off, the one that runs.
CHAINED = f"""\
on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    env:
      AWS_ACCESS_KEY_ID: ${{{{ secrets.AWS_ACCESS_KEY_ID }}}}
      AWS_SECRET_ACCESS_KEY: ${{{{ secrets.AWS_SECRET_ACCESS_KEY }}}}
    steps:
      - name: Old role
        if: false
        uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: {OLD}
          aws-region: us-east-1
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: {NEW}
          aws-region: us-east-1
      - run: aws s3 ls
"""


def test_the_chained_role_is_that_of_the_step_that_runs(tmp_path: Path) -> None:
    root = repo(tmp_path, {".github/workflows/cd.yml": CHAINED})
    rewrite = only(fix([root], options()), "cd.yml")
    deploy = job(rewrite, "deploy")
    assert deploy.chained
    assert deploy.role == NEW
    assert any(NEW in note for note in deploy.notes)
    assert not any(OLD in note for note in deploy.notes)


def test_a_job_whose_only_credentials_step_never_runs_chains_nothing(tmp_path: Path) -> None:
    # No step needs AWS after the keys leave: nothing is inserted, and the switched-off
    # step assumes nothing on GitHub.
    text = CHAINED.split("      - uses: aws-actions")[0] + "      - uses: actions/checkout@v4\n"
    root = repo(tmp_path, {".github/workflows/cd.yml": text})
    rewrite = only(fix([root], options()), "cd.yml")
    deploy = job(rewrite, "deploy")
    assert not deploy.chained
    assert deploy.role != OLD


CALLEE = """\
on: workflow_call
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
          aws-region: us-east-1
      - run: aws s3 ls
"""
CALLER = """\
on:
  push:
    branches: [main]
jobs:
  old:
    if: false
    uses: ./.github/workflows/publish.yml
    secrets: inherit
  publish:
    uses: ./.github/workflows/publish.yml
    secrets: inherit
"""


def test_a_caller_that_never_runs_is_not_granted_a_token(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {".github/workflows/publish.yml": CALLEE, ".github/workflows/main.yml": CALLER},
    )
    result = fix([root], options())
    assert only(result, "publish.yml").changed
    caller = only(result, "main.yml")
    old, publish = caller.after.split("  publish:")
    assert old == CALLER.split("  publish:")[0]
    assert "id-token: write" in publish
    assert reasons(caller, "old") == f"the job does not run on GitHub: {FALSE}; left as it is"


def test_a_caller_that_never_runs_gets_no_token_when_the_workflow_s_is_narrowed(
    tmp_path: Path,
) -> None:
    # The workflow's own `id-token: write` is narrowed to the jobs that use it: a job
    # that never runs is not one of them, and is listed as left, not edited.
    caller = CALLER.replace("jobs:\n", "permissions:\n  id-token: write\njobs:\n", 1)
    root = repo(
        tmp_path,
        {".github/workflows/publish.yml": CALLEE, ".github/workflows/main.yml": caller},
    )
    rewrite = only(fix([root], options()), "main.yml")
    old, publish = rewrite.after.split("  publish:")
    assert "id-token" not in old
    assert old.endswith(
        "  old:\n    if: false\n    uses: ./.github/workflows/publish.yml\n    secrets: inherit\n"
    )
    assert "id-token: write" in publish
    assert reasons(rewrite, "old") == f"the job does not run on GitHub: {FALSE}; left as it is"
