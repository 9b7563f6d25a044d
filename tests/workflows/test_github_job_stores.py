"""A GitHub job's own ``env:`` keys beside a step that talks to another store: ``scan`` read
the job's ``env:`` alone (high) while ``fix`` read every step (left, "do not look like AWS
keys", exit 1). One rule for both (``github_other_stores.job_evidence``): the steps that
run with the keys count, a step on a local emulator aside, and so does a step that calls
AWS with them."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.workflows import fix, scan

from .builders import only, options, reasons, repo

JOB = """\
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    env:
      AWS_ACCESS_KEY_ID: ${{ secrets.KEY_ID }}
      AWS_SECRET_ACCESS_KEY: ${{ secrets.SECRET }}
    steps:
"""
R2_STEP = "      - run: aws s3 sync public s3://assets --endpoint-url https://x.r2.cloudflarestorage.com\n"
EMULATOR_STEP = "      - run: aws --endpoint-url http://localhost:4566 s3 ls\n"
AWS_STEP = "      - run: aws s3 sync dist s3://site\n"


def _run(tmp_path: Path, steps: str) -> tuple[list[str], str, str, int]:
    """(the scan's findings, fix's notes and its reasons for the job, fix's exit code)."""
    root = repo(tmp_path, {".github/workflows/w.yml": JOB + steps})
    found = [f"{f.check} {f.severity.value}" for f in scan([root]).findings]
    result = fix([root], options())
    rewrite = only(result, "w.yml")
    return found, " ".join(rewrite.notes), reasons(rewrite, "deploy"), result.exit_code()


def test_job_keys_every_step_sends_to_another_store_are_reported_by_neither(
    tmp_path: Path,
) -> None:
    found, notes, why, code = _run(tmp_path, R2_STEP)
    assert found == []
    assert "job 'deploy': its keys are for another endpoint or an S3-compatible store" in notes
    assert (why, code) == ("", 0)


@pytest.mark.parametrize(
    "aws_step",
    [
        AWS_STEP,
        "      - run: aws sts get-caller-identity\n",
        "      - uses: aws-actions/amazon-ecr-login@v2\n",
    ],
)
def test_job_keys_a_step_sends_elsewhere_and_another_to_aws_are_reported_and_left(
    tmp_path: Path, aws_step: str
) -> None:
    found, _, why, code = _run(tmp_path, R2_STEP + aws_step)
    assert found == ["workflow-static-aws-keys-env high"]
    assert why.startswith("a step sends its keys to another store (a command passes ")
    assert "do not look like AWS keys" not in why
    assert code == 1


def test_job_keys_beside_an_emulator_step_are_reported_and_rewritten(tmp_path: Path) -> None:
    # LocalStack takes any keys: the step says nothing of the keys' owner.
    found, _, why, code = _run(tmp_path, EMULATOR_STEP + AWS_STEP)
    assert found == ["workflow-static-aws-keys-env high"]
    assert (why, code) == ("", 0)


WORKFLOW = """\
on: push
env:
  AWS_ACCESS_KEY_ID: ${{ secrets.R2_KEY_ID }}
  AWS_SECRET_ACCESS_KEY: ${{ secrets.R2_SECRET }}
  AWS_ENDPOINT_URL: https://x.r2.cloudflarestorage.com
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: aws s3 sync public s3://assets
"""


def _run_workflow(tmp_path: Path, text: str) -> tuple[list[str], str, str, int]:
    root = repo(tmp_path, {".github/workflows/w.yml": text})
    found = [f"{f.check} {f.severity.value}" for f in scan([root]).findings]
    result = fix([root], options())
    rewrite = only(result, "w.yml")
    return found, " ".join(rewrite.notes), reasons(rewrite, "deploy"), result.exit_code()


def test_workflow_keys_beside_the_workflows_own_endpoint_are_reported_by_neither(
    tmp_path: Path,
) -> None:
    # scan said high ("set in the env of the workflow"), fix "do not look like AWS keys".
    found, notes, why, code = _run_workflow(tmp_path, WORKFLOW)
    assert found == []
    assert "job 'deploy': its keys are for another endpoint or an S3-compatible store" in notes
    assert (why, code) == ("", 0)


@pytest.mark.parametrize(("second", "expected"), [(R2_STEP, []), (AWS_STEP, ["high"])])
def test_workflow_keys_are_another_stores_only_if_every_job_sends_them_there(
    tmp_path: Path, second: str, expected: list[str]
) -> None:
    text = (
        "on: push\nenv:\n  AWS_ACCESS_KEY_ID: ${{ secrets.KEY_ID }}\n"
        "  AWS_SECRET_ACCESS_KEY: ${{ secrets.SECRET }}\njobs:\n"
        "  deploy:\n    runs-on: ubuntu-latest\n    steps:\n"
        + R2_STEP
        + "  publish:\n    runs-on: ubuntu-latest\n    steps:\n"
        + second
    )
    root = repo(tmp_path, {".github/workflows/w.yml": text})
    found = [f.severity.value for f in scan([root]).findings]
    assert found == expected
