"""``fix`` leaves a GitHub job or step that never runs on GitHub (``if: false``,
``if: env.ACT``) as it is, and lists it among what it left, with the reason: it rewrote
the step's key inputs and granted the job a token, though GitHub never runs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.workflows import fix
from keyless.workflows.github_conditions import ACT_ONLY, FALSE

from .builders import job, only, options, reasons, repo

#: A job whose credentials step is for local runs under nektos/act, and one that runs.
STEP_IDLE = """\
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - name: Local keys
        uses: aws-actions/configure-aws-credentials@v4
        if: CONDITION
        with:
          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
          aws-region: us-east-1
      - run: aws s3 ls
"""

JOB_IDLE = """\
on: push
jobs:
  old:
    if: false
    runs-on: ubuntu-latest
    env:
      AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
      AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
    steps:
      - run: aws s3 ls
  deploy:
    runs-on: ubuntu-latest
    env:
      AWS_ACCESS_KEY_ID: ${{ secrets.DEPLOY_KEY_ID }}
      AWS_SECRET_ACCESS_KEY: ${{ secrets.DEPLOY_SECRET }}
      AWS_REGION: us-east-1
    steps:
      - run: aws s3 ls
"""


@pytest.mark.parametrize(("condition", "reason"), [("false", FALSE), ("${{ env.ACT }}", ACT_ONLY)])
def test_a_step_github_never_runs_is_left_as_it_is_with_the_reason(
    tmp_path: Path, condition: str, reason: str
) -> None:
    text = STEP_IDLE.replace("CONDITION", condition)
    root = repo(tmp_path, {".github/workflows/cd.yml": text})
    rewrite = only(fix([root], options()), "cd.yml")
    assert not rewrite.changed
    assert rewrite.jobs == ()
    assert reasons(rewrite, "deploy") == (
        f"step 1 ('Local keys') does not run on GitHub: {reason}; left as it is"
    )


def test_a_job_github_never_runs_is_left_and_the_others_rewritten(tmp_path: Path) -> None:
    root = repo(tmp_path, {".github/workflows/cd.yml": JOB_IDLE})
    rewrite = only(fix([root], options()), "cd.yml")
    old, deploy = rewrite.after.split("  deploy:")
    assert old == JOB_IDLE.split("  deploy:")[0]
    assert "DEPLOY_KEY_ID" not in deploy
    assert "role-to-assume" in deploy
    assert job(rewrite, "deploy").job == "deploy"
    assert [j.job for j in rewrite.jobs] == ["deploy"]
    assert reasons(rewrite, "old") == f"the job does not run on GitHub: {FALSE}; left as it is"


def test_workflow_keys_only_a_job_that_never_runs_gets_are_listed(tmp_path: Path) -> None:
    text = """\
    on: push
    env:
      AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
      AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
    jobs:
      local:
        if: ${{ env.ACT }}
        runs-on: ubuntu-latest
        steps:
          - run: aws s3 ls
    """
    root = repo(tmp_path, {".github/workflows/cd.yml": text})
    rewrite = only(fix([root], options()), "cd.yml")
    assert not rewrite.changed
    assert reasons(rewrite, "local") == (
        f"the job does not run on GitHub: {ACT_ONLY}; left as it is"
    )


def test_keys_an_alias_shares_with_a_step_that_runs_are_rewritten(tmp_path: Path) -> None:
    text = """\
    on: push
    jobs:
      deploy:
        runs-on: ubuntu-latest
        steps:
          - if: false
            run: aws s3 ls
            env: &keys
              AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
              AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
              AWS_REGION: us-east-1
          - run: aws s3 cp a s3://b/a
            env: *keys
    """
    root = repo(tmp_path, {".github/workflows/cd.yml": text})
    rewrite = only(fix([root], options()), "cd.yml")
    assert "secrets.AWS_ACCESS_KEY_ID" not in rewrite.after
    assert [j.job for j in rewrite.jobs] == ["deploy"]
    assert reasons(rewrite, "deploy") == ""


def test_a_step_that_may_run_is_rewritten(tmp_path: Path) -> None:
    text = STEP_IDLE.replace("CONDITION", "${{ !env.ACT }}")
    root = repo(tmp_path, {".github/workflows/cd.yml": text})
    rewrite = only(fix([root], options()), "cd.yml")
    assert "role-to-assume" in rewrite.after
    assert reasons(rewrite, "deploy") == ""


def test_keys_of_a_step_that_never_runs_do_not_hold_the_job_back(tmp_path: Path) -> None:
    # nektos/act runs often use their own keys against LocalStack: neither the second key
    # pair nor the endpoint is the job's on GitHub.
    text = """\
    on: push
    jobs:
      deploy:
        runs-on: ubuntu-latest
        env:
          AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
          AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
          AWS_REGION: us-east-1
        steps:
          - name: Local keys
            if: ${{ env.ACT }}
            uses: aws-actions/configure-aws-credentials@v4
            with:
              aws-access-key-id: ${{ secrets.LOCAL_KEY_ID }}
              aws-secret-access-key: ${{ secrets.LOCAL_SECRET }}
              aws-region: us-east-1
            env:
              AWS_ENDPOINT_URL: http://localhost:4566
          - run: aws s3 ls
    """
    root = repo(tmp_path, {".github/workflows/cd.yml": text})
    rewrite = only(fix([root], options()), "cd.yml")
    assert [j.job for j in rewrite.jobs] == ["deploy"]
    assert reasons(rewrite, "deploy") == (
        f"step 1 ('Local keys') does not run on GitHub: {ACT_ONLY}; left as it is"
    )
    assert "secrets.LOCAL_KEY_ID" in rewrite.after
    assert "secrets.AWS_ACCESS_KEY_ID" not in rewrite.after
    # The local-run step configures nothing on GitHub: the role is assumed before the
    # step that runs and calls AWS.
    inserted, called = (
        rewrite.after.index("Configure AWS credentials (OIDC)"),
        rewrite.after.index("- run: aws s3 ls"),
    )
    assert rewrite.after.index("Local keys") < inserted < called
