"""Text outside ASCII in an Azure pipeline. A condition comparing it was judged with
Python's casefold:
``ne('straße', 'STRASSE')`` (true to Azure, whose ignore-case comparison maps one
character at a time and leaves ß alone) was read as always false, so a step handing out AWS
keys under it was reported ``low``, "does not run". Such a comparison is now not judged:
the step may run, and its keys stay ``high``. ASCII comparisons are judged as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.findings import Severity
from keyless.workflows import scan
from keyless.workflows.azure_conditions import CONSTANT, never_runs
from tests.workflows.builders import repo

STEP = """\
steps:
  - script: aws s3 sync build s3://bucket
    condition: CONDITION
    env:
      AWS_ACCESS_KEY_ID: $(awsKeyId)
"""


@pytest.mark.parametrize(
    "condition",
    [
        "ne('straße', 'STRASSE')",
        "ne('ﬁle', 'FILE')",
        "eq('\u0131', 'i')",
        "ne('\u212a', 'k')",
        "and(succeeded(), ne('ß', 'ss'))",
    ],
)
def test_a_comparison_outside_ascii_may_run(tmp_path: Path, condition: str) -> None:
    root = repo(tmp_path, {"azure-pipelines.yml": STEP.replace("CONDITION", condition)})
    found = [f for f in scan([root]).findings if f.check == "azure-static-aws-keys"]
    assert [f.severity for f in found] == [Severity.HIGH]
    assert never_runs(condition) is None


@pytest.mark.parametrize("condition", ["ne('Main', 'MAIN')", "eq('a', 'b')", "eq(1, 2)"])
def test_ascii_comparisons_are_still_judged(condition: str) -> None:
    assert never_runs(condition) == CONSTANT


@pytest.mark.parametrize(
    ("name", "found"), [("aws_\u017fession_token", 1), ("AWS_SESSION_TOKEN", 0)]
)
def test_only_the_session_token_itself_marks_temporary_credentials(
    tmp_path: Path, name: str, found: int
) -> None:
    """``aws_\u017fession_token`` (a long s) upper-cases to AWS_SESSION_TOKEN in Python, and
    such an ``env:`` entry hid the script's keys as if it held temporary credentials: the
    AWS CLI reads no such variable."""
    text = (
        "steps:\n  - script: aws configure set aws_access_key_id $(AWS_ACCESS_KEY_ID)\n"
        f"    env:\n      {name}: x\n"
    )
    root = repo(tmp_path, {"azure-pipelines.yml": text})
    assert len([f for f in scan([root]).findings if f.check == "azure-static-aws-keys"]) == found
