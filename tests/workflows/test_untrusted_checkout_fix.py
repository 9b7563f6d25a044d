"""``fix`` never turns a job that runs a pull request's code with the base repository's
privileges (``pull_request_target``, ``workflow_run``) into one that may request an OIDC
token: that is the pwn request ``workflow-untrusted-checkout-id-token`` reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.workflows import fix, scan, write

from .builders import only, options, reasons, repo

PREVIEW = """
    on:
      pull_request_target:
        types: [labeled]
    jobs:
      preview:
        if: contains(github.event.pull_request.labels.*.name, 'preview')
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
            with:
              ref: ${{ github.event.pull_request.head.sha }}
          - run: npm ci && npm run build
          - uses: aws-actions/configure-aws-credentials@v4
            with:
              aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
              aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
              aws-region: us-east-1
          - run: aws s3 sync build s3://previews/${{ github.event.number }}
"""
AFTER_BUILD = """
    on:
      workflow_run:
        workflows: [build]
        types: [completed]
    jobs:
      deploy:
        runs-on: ubuntu-latest
        env:
          AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
          AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
          AWS_DEFAULT_REGION: us-east-1
        steps:
          - uses: actions/checkout@v4
            with:
              ref: ${{ github.event.workflow_run.head_sha }}
          - run: make deploy
"""

# A comment on a pull request runs the default branch's workflow with its secrets too.
ON_COMMENT = """
    on:
      issue_comment:
        types: [created]
    jobs:
      deploy:
        if: github.event.issue.pull_request
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
            with:
              ref: refs/pull/${{ github.event.issue.number }}/head
          - uses: aws-actions/configure-aws-credentials@v4
            with:
              aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
              aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
              aws-region: us-east-1
          - run: make deploy
"""


@pytest.mark.parametrize(
    ("text", "event", "ref"),
    [
        (PREVIEW, "pull_request_target", "${{ github.event.pull_request.head.sha }}"),
        (AFTER_BUILD, "workflow_run", "${{ github.event.workflow_run.head_sha }}"),
        (ON_COMMENT, "issue_comment", "refs/pull/${{ github.event.issue.number }}/head"),
    ],
)
def test_a_job_that_checks_out_the_pull_request_is_left(
    tmp_path: Path, text: str, event: str, ref: str
) -> None:
    root = repo(tmp_path, {".github/workflows/cd.yml": text})
    rewrite = only(fix([root], options()), "cd.yml")
    assert not rewrite.changed
    (name,) = {u.job for u in rewrite.unfixed}
    assert reasons(rewrite, name).startswith(
        f"its step 1 checks out the pull request's code (ref: {ref}) in a workflow run on "
        f"{event}: with id-token: write, code from a fork could request the OIDC token"
    )


def test_fix_writes_no_pwn_request(tmp_path: Path) -> None:
    root = repo(tmp_path, {".github/workflows/cd.yml": PREVIEW})
    write(fix([root], options()))
    assert [f.check for f in scan([root]).findings] == ["workflow-static-aws-keys"]


def test_a_job_that_keeps_forks_out_is_rewritten(tmp_path: Path) -> None:
    text = PREVIEW.replace(
        "if: contains(github.event.pull_request.labels.*.name, 'preview')",
        "if: github.event.pull_request.head.repo.full_name == github.repository",
    )
    root = repo(tmp_path, {".github/workflows/cd.yml": text})
    assert only(fix([root], options()), "cd.yml").changed


def test_a_job_that_checks_out_the_base_is_rewritten(tmp_path: Path) -> None:
    text = PREVIEW.replace(
        "            with:\n              ref: ${{ github.event.pull_request.head.sha }}\n", ""
    )
    assert "head.sha" not in text
    root = repo(tmp_path, {".github/workflows/cd.yml": text})
    assert only(fix([root], options()), "cd.yml").changed


CALLEE = """
    on:
      workflow_call:
        inputs:
          ref: {type: string, required: true}
    jobs:
      deploy:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
            with:
              ref: ${{ inputs.ref }}
          - uses: aws-actions/configure-aws-credentials@v4
            with:
              aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
              aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
              aws-region: us-east-1
          - run: make deploy
"""
PR_CALLER = """
    on: pull_request_target
    jobs:
      preview:
        uses: ./.github/workflows/deploy.yml
        with:
          ref: ${{ github.event.pull_request.head.sha }}
        secrets: inherit
"""


def test_a_caller_handing_a_callee_the_pull_request_is_not_granted_the_token(
    tmp_path: Path,
) -> None:
    root = repo(
        tmp_path,
        {".github/workflows/deploy.yml": CALLEE, ".github/workflows/pr.yml": PR_CALLER},
    )
    result = fix([root], options())
    caller = only(result, "pr.yml")
    assert not caller.changed
    assert reasons(caller, "preview").startswith(
        "it calls ./.github/workflows/deploy.yml whose job 'deploy' step 1 checks out the pull "
        "request's code (ref: ${{ inputs.ref }}) in a workflow run on pull_request_target: "
        "given id-token: write"
    )
    write(result)
    assert "workflow-untrusted-checkout-id-token" not in [f.check for f in scan([root]).findings]
