"""A step whose ``if:`` is false on GitHub as written (``false``; ``env.ACT``, which only
nektos/act sets, for local runs) does not run there: keys it uses are reported low, with
the reason, and a workflow that gives the action secrets under other names is not taken
for handing it keys through that step. They were reported high, as if GitHub ran it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from keyless.findings import Severity
from keyless.workflows import scan
from keyless.workflows.github_conditions import ACT_ONLY, FALSE, not_on_github

from .builders import repo

#: A composite action that configures keys only when run under nektos/act (a shape public
#: actions use: local runs have no OIDC token) and a role otherwise.
ACTION = """\
inputs:
  key: {{required: false}}
  secret: {{required: false}}
runs:
  using: composite
  steps:
    - uses: aws-actions/configure-aws-credentials@v4
      if: {condition}
      with:
        aws-access-key-id: ${{{{ inputs.key }}}}
        aws-secret-access-key: ${{{{ inputs.secret }}}}
        aws-region: us-east-1
    - uses: aws-actions/configure-aws-credentials@v4
      if: ${{{{ !env.ACT }}}}
      with:
        role-to-assume: arn:aws:iam::123456789012:role/ci
        aws-region: us-east-1
"""
CALLER = """\
on: push
permissions: {id-token: write}
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: ./.github/actions/aws
        with:
          key: ${{ secrets.LOCAL_KEY }}
          secret: ${{ secrets.LOCAL_SECRET }}
"""


def findings(tmp_path: Path, condition: str) -> list[Any]:
    root = repo(
        tmp_path,
        {
            ".github/actions/aws/action.yml": ACTION.format(condition=condition),
            ".github/workflows/deploy.yml": CALLER,
        },
    )
    result = scan([root])
    assert result.unread == ()
    return list(result.findings)


@pytest.mark.parametrize(
    ("condition", "reason"),
    [("${{ env.ACT }}", ACT_ONLY), ("env.ACT == 'true'", ACT_ONLY), ("false", FALSE)],
)
def test_keys_in_a_step_github_never_runs_are_low_with_the_reason(
    tmp_path: Path, condition: str, reason: str
) -> None:
    (finding,) = findings(tmp_path, condition)
    assert str(finding.location.path).endswith("action.yml")
    assert finding.severity is Severity.LOW
    assert finding.message.endswith(f"; the step does not run on GitHub: {reason}")


def test_a_step_that_may_run_is_high_and_its_callers_are_reported(tmp_path: Path) -> None:
    found = findings(tmp_path, "${{ github.ref == 'refs/heads/main' }}")
    assert {(str(f.location.path).rsplit("/", 1)[-1], f.severity) for f in found} == {
        ("action.yml", Severity.HIGH),
        ("deploy.yml", Severity.HIGH),
    }


@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        (False, FALSE),
        ("false", FALSE),
        ("${{ false }}", FALSE),
        ("env.ACT", ACT_ONLY),
        ("${{ env['ACT'] }}", ACT_ONLY),
        ("env.act == 'TRUE'", ACT_ONLY),  # names and comparisons ignore case
        ("${{ env.ACT && github.event_name == 'push' }}", ACT_ONLY),
        ("github.ref == 'refs/heads/main' && false", FALSE),
    ],
)
def test_conditions_false_on_github(condition: Any, reason: str) -> None:
    assert not_on_github(condition) == reason


@pytest.mark.parametrize(
    "condition",
    [
        None,
        True,
        "${{ !env.ACT }}",
        "env.ACT != 'true'",
        "env.ACT || github.event_name == 'push'",
        "${{ env.ACT }} && always()",  # text around an expression: a string, true
        "github.ref == 'x && false'",  # inside a string, no operator
        "(false)",
        "env.ACTIONS",
        "x" * 2000,
    ],
)
def test_other_conditions_may_run(condition: Any) -> None:
    assert not_on_github(condition) is None


WORKFLOW = """\
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    JOB_IF
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        STEP_IF
        with:
          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
          aws-region: us-east-1
"""


def workflow_findings(tmp_path: Path, job_if: str, step_if: str) -> list[Any]:
    text = WORKFLOW.replace("JOB_IF", job_if or "name: deploy").replace(
        "STEP_IF", step_if or "name: keys"
    )
    result = scan([repo(tmp_path, {".github/workflows/deploy.yml": text})])
    return list(result.findings)


@pytest.mark.parametrize(
    ("job_if", "step_if", "said"),
    [
        ("", "if: ${{ env.ACT }}", f"the step does not run on GitHub: {ACT_ONLY}"),
        ("", "if: false", f"the step does not run on GitHub: {FALSE}"),
        ("if: false", "", f"the job does not run on GitHub: {FALSE}"),
    ],
)
def test_a_workflow_step_or_job_github_never_runs_is_low(
    tmp_path: Path, job_if: str, step_if: str, said: str
) -> None:
    (finding,) = workflow_findings(tmp_path, job_if, step_if)
    assert finding.severity is Severity.LOW
    assert finding.message.endswith(f"; {said}")


def test_a_workflow_step_that_may_run_stays_high(tmp_path: Path) -> None:
    (finding,) = workflow_findings(tmp_path, "", "if: ${{ !env.ACT }}")
    assert finding.severity is Severity.HIGH
    assert "does not run on GitHub" not in finding.message
