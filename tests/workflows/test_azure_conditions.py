"""Azure Pipelines stages, jobs and steps whose ``condition:`` is false as written never
run (https://learn.microsoft.com/en-us/azure/devops/pipelines/process/conditions): their
keys are reported ``low`` with the reason, as GitHub's ``if: false`` steps are. They were
reported high like any other."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.findings import Severity
from keyless.workflows import scan
from keyless.workflows.azure_conditions import CONSTANT, FALSE, never_runs

from .builders import repo

STATIC = "azure-static-aws-keys"

#: One step switched off by CONDITION, then one that runs.
STEPS = """\
steps:
  - script: aws s3 sync build s3://old-bucket
    displayName: Old upload
    condition: CONDITION
    env:
      AWS_ACCESS_KEY_ID: $(oldKeyId)
  - script: aws s3 sync build s3://my-bucket
    env:
      AWS_ACCESS_KEY_ID: $(awsKeyId)
"""


def severities(root: Path) -> list[tuple[int, Severity, str]]:
    found = [f for f in scan([root]).findings if f.check == STATIC]
    return [(f.location.line, f.severity, f.message) for f in found]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        ("false", FALSE),
        ("False", FALSE),
        ("'${{ false }}'", FALSE),
        ("eq(1, 2)", CONSTANT),
        ("eq('a', 'b')", CONSTANT),
        ("ne('A', 'a')", CONSTANT),
        ("and(succeeded(), false)", FALSE),
        ("and(eq(variables['x'], 'y'), eq(1, 0))", CONSTANT),
    ],
)
def test_a_step_that_never_runs_is_low_with_the_reason(
    tmp_path: Path, condition: str, reason: str
) -> None:
    root = repo(tmp_path, {"azure-pipelines.yml": STEPS.replace("CONDITION", condition)})
    old, running = severities(root)
    assert old == (
        6,
        Severity.LOW,
        "AWS_ACCESS_KEY_ID is mapped into the env of the step 'Old upload'; the step does not "
        f"run on Azure Pipelines: {reason}",
    )
    assert running[:2] == (9, Severity.HIGH)


@pytest.mark.parametrize(
    "condition",
    [
        "succeeded()",
        "eq(variables['Build.SourceBranch'], 'refs/heads/main')",
        "eq(1, 1)",
        "eq('a', 'A')",
        "eq(1, '1')",
        "ne(1, '2')",
        "or(false, true)",
        "not(true)",
        "$(runOld)",
        "eq('$(x)', 'y')",
        "'${{ parameters.old }}'",
        "and(false",
    ],
)
def test_a_condition_that_may_hold_is_left_as_it_is(tmp_path: Path, condition: str) -> None:
    root = repo(tmp_path, {"azure-pipelines.yml": STEPS.replace("CONDITION", condition)})
    assert [s for _, s, _ in severities(root)] == [Severity.HIGH, Severity.HIGH]


def test_a_stage_or_job_that_never_runs_covers_what_is_inside(tmp_path: Path) -> None:
    text = """\
    stages:
      - stage: Legacy
        condition: false
        jobs:
          - job: Upload
            variables:
              AWS_ACCESS_KEY_ID: $(legacyKey)
            steps:
              - script: aws s3 ls
      - stage: Deploy
        jobs:
          - job: Old
            condition: eq(1, 2)
            steps:
              - bash: aws s3 ls
                env:
                  AWS_SECRET_ACCESS_KEY: $(oldSecret)
          - job: New
            steps:
              - bash: aws s3 ls
                env:
                  AWS_SECRET_ACCESS_KEY: $(newSecret)
    """
    root = repo(tmp_path, {"azure-pipelines.yml": text})
    found = severities(root)
    assert [(line, severity) for line, severity, _ in found] == [
        (7, Severity.LOW),
        (17, Severity.LOW),
        (22, Severity.HIGH),
    ]
    assert found[0][2].endswith(f"; the stage does not run on Azure Pipelines: {FALSE}")
    assert found[1][2].endswith(f"; the job does not run on Azure Pipelines: {CONSTANT}")


def test_hostile_conditions_are_read_as_may_run() -> None:
    assert never_runs("and(" * 5000 + "false" + ")" * 5000) is None
    assert never_runs("'" * 999) is None
    assert never_runs(["false"]) is None
    assert never_runs(0) is None
