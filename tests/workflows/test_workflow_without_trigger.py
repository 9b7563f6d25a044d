"""A GitHub workflow that names no event (its ``on:`` commented out, a common way to
switch one off) never runs: GitHub runs a workflow for the events its ``on`` defines
(https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#on)
and refuses the file as invalid. Its keys are reported all the same (the secrets are
still configured), saying it does not run, and ``fix`` leaves it, as it leaves a
workflow with a merge key: it was rewritten into a file that still never runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.workflows import fix, scan

from .builders import GITHUB_CONFIGURE_KEYS, options, reasons, repo

REASON = (
    "the workflow does not run on GitHub as written: it names no event to run on (no "
    "`on:`), which GitHub refuses as invalid"
)


@pytest.mark.parametrize("on", ["# on: push\n", "on:\n", "on: []\n", "on: ''\n"])
def test_a_workflow_without_events_is_said_not_to_run_and_left(tmp_path: Path, on: str) -> None:
    text = GITHUB_CONFIGURE_KEYS.replace("on: push\n", on)
    root = repo(tmp_path, {".github/workflows/deploy.yml": text})
    (finding,) = scan([root]).findings
    assert finding.check == "workflow-static-aws-keys"
    assert finding.message.endswith(f"; {REASON}")
    (rewrite,) = fix([root], options()).files
    assert not rewrite.changed
    assert reasons(rewrite, "deploy") == f"{REASON}: rewrite it by hand"


def test_a_workflow_with_events_runs(tmp_path: Path) -> None:
    root = repo(tmp_path, {".github/workflows/deploy.yml": GITHUB_CONFIGURE_KEYS})
    (finding,) = scan([root]).findings
    assert "does not run" not in finding.message
    assert [j.job for j in fix([root], options()).files[0].jobs] == ["deploy"]
