"""The two documented ways to run shards are files that work: the GitHub Actions matrix
passes actionlint and `keyless workflows scan`; the Step Functions state machine has the
structure the Amazon States Language requires (https://states-language.net/spec.html)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from tests.workflows.conftest import needs_actionlint, run_actionlint  # noqa: F401 (a fixture)

RECIPES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "sharding"
GITHUB = RECIPES / "github-actions.yml"
STEP_FUNCTIONS = RECIPES / "step-functions.asl.json"

# Fields each state type requires or allows (Amazon States Language, "State Types";
# Map's ItemProcessor from the AWS Step Functions Developer Guide, "Distributed mode").
STATE_FIELDS = {
    "Pass": {"Result", "ResultPath", "InputPath", "OutputPath", "Parameters"},
    "Task": {"Resource", "Parameters", "Retry", "Catch", "ResultPath", "TimeoutSeconds"},
    "Map": {"ItemsPath", "ItemProcessor", "MaxConcurrency", "ResultPath", "ItemReader"},
    "Choice": {"Choices", "Default"},
    "Wait": {"Seconds", "Timestamp", "SecondsPath", "TimestampPath"},
    "Succeed": set(),
    "Fail": {"Error", "Cause"},
    "Parallel": {"Branches", "ResultPath", "Retry", "Catch"},
}
COMMON = {"Type", "Comment", "Next", "End"}


def state_machine_problems(machine: Any, where: str = "") -> list[str]:
    """What makes ``machine`` not a valid state machine; empty when it is."""
    problems: list[str] = []
    states = machine.get("States")
    if not isinstance(states, dict) or not states:
        return [f"{where}States must be a non-empty object"]
    if machine.get("StartAt") not in states:
        problems.append(f"{where}StartAt names no state")
    for name, state in states.items():
        kind = state.get("Type")
        if kind not in STATE_FIELDS:
            problems.append(f"{where}{name}: unknown Type {kind!r}")
            continue
        unknown = set(state) - COMMON - STATE_FIELDS[kind]
        if unknown:
            problems.append(f"{where}{name}: fields not allowed on {kind}: {sorted(unknown)}")
        terminal = kind in ("Succeed", "Fail", "Choice")
        if not terminal and ("Next" in state) == bool(state.get("End")):
            problems.append(f"{where}{name}: needs exactly one of Next and End: true")
        if "Next" in state and state["Next"] not in states:
            problems.append(f"{where}{name}: Next names no state")
        if kind == "Task" and not str(state.get("Resource", "")).startswith("arn:"):
            problems.append(f"{where}{name}: a Task needs a Resource ARN")
        if kind == "Map":
            processor = state.get("ItemProcessor", {})
            mode = processor.get("ProcessorConfig", {}).get("Mode")
            if mode not in ("INLINE", "DISTRIBUTED"):
                problems.append(f"{where}{name}: ProcessorConfig.Mode is {mode!r}")
            problems += state_machine_problems(processor, f"{where}{name}/")
    return problems


def test_the_step_functions_recipe_is_a_valid_state_machine() -> None:
    machine = json.loads(STEP_FUNCTIONS.read_text())
    assert state_machine_problems(machine) == []


def test_the_validator_sees_a_broken_state_machine() -> None:
    machine = json.loads(STEP_FUNCTIONS.read_text())
    machine["States"]["ListShards"]["Next"] = "Nowhere"
    assert state_machine_problems(machine) == ["ListShards: Next names no state"]


def test_the_step_functions_recipe_maps_in_distributed_mode() -> None:
    machine = json.loads(STEP_FUNCTIONS.read_text())
    mapped = machine["States"]["CollectShards"]
    assert mapped["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"


@pytest.mark.usefixtures("needs_actionlint")
def test_the_github_actions_recipe_passes_actionlint() -> None:
    assert run_actionlint([GITHUB]) == []


def test_the_github_actions_recipe_passes_keyless_workflows_scan() -> None:
    result = CliRunner().invoke(cli, ["workflows", "scan", str(GITHUB)], catch_exceptions=False)
    assert result.exit_code == 0, result.stdout
