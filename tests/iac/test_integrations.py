"""The GitHub Action and the pre-commit hook: the Action's example workflow in docs/iac.md
passes `keyless workflows scan` and actionlint, the Action pins what it uses and never
puts an input inside a script, and pre-commit accepts the hook manifest and the example
configuration."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from keyless.workflows import scan as workflows_scan
from tests.workflows.conftest import actionlint_available, run_actionlint

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "iac.md"
PRE_COMMIT = shutil.which("pre-commit", path=str(Path(sys.executable).parent))


def _yaml_block(marker: str) -> str:
    """The ```yaml block of docs/iac.md whose first line is ``# <marker>``."""
    for block in re.findall(r"```yaml\n(.*?)```", DOCS.read_text(), re.DOTALL):
        if block.startswith(f"# {marker}\n"):
            return str(block)
    raise AssertionError(f"docs/iac.md has no yaml block starting with # {marker}")


def _example_workflow(tmp_path: Path) -> Path:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    path = workflows / "keyless-iac.yml"
    path.write_text(_yaml_block(".github/workflows/keyless-iac.yml"))
    return path


@pytest.fixture
def needs_actionlint() -> None:
    """Skip, with the reason, where actionlint cannot run."""
    reason = actionlint_available()
    if reason:
        pytest.skip(reason)


def _action() -> dict[str, object]:
    document: dict[str, object] = YAML(typ="safe").load((ROOT / "action.yml").read_text())
    return document


def test_the_example_workflow_passes_keyless_workflows_scan(tmp_path: Path) -> None:
    path = _example_workflow(tmp_path)
    result = workflows_scan([tmp_path])
    assert [f.path for f in result.files] == [path]
    assert result.findings == ()


def test_the_example_workflow_passes_actionlint(tmp_path: Path, needs_actionlint: None) -> None:
    assert run_actionlint([_example_workflow(tmp_path)]) == []


def test_a_workflow_using_the_action_with_every_input_passes_actionlint(
    tmp_path: Path, needs_actionlint: None
) -> None:
    # actionlint reads a local action's action.yml and checks the inputs given to it.
    shutil.copy(ROOT / "action.yml", tmp_path / "action.yml")
    inputs = _action()["inputs"]
    assert isinstance(inputs, dict)
    workflow = _example_workflow(tmp_path)
    lines = [
        "name: local",
        "on: pull_request",
        "permissions: {}",
        "jobs:",
        "  judge:",
        "    runs-on: ubuntu-latest",
        "    permissions:",
        "      contents: read",
        "    steps:",
        "      - uses: actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11 # v4.1.1",
        "        with:",
        "          persist-credentials: false",
        "      - uses: ./",
        "        with:",
        *(f'          {name}: "x"' for name in inputs),
    ]
    workflow.write_text("\n".join(lines) + "\n")
    assert run_actionlint([workflow]) == []


def test_the_action_is_composite_and_pins_what_it_uses_to_commit_shas() -> None:
    runs = _action()["runs"]
    assert isinstance(runs, dict)
    assert runs["using"] == "composite"
    uses = [step["uses"] for step in runs["steps"] if "uses" in step]
    assert uses
    assert all(re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", u) for u in uses)


def test_the_action_never_expands_an_expression_inside_a_script() -> None:
    runs = _action()["runs"]
    assert isinstance(runs, dict)
    scripts = [step["run"] for step in runs["steps"] if "run" in step]
    assert scripts
    assert not any("${{" in script for script in scripts)


@pytest.fixture
def needs_pre_commit() -> str:
    if PRE_COMMIT is None:
        pytest.skip("pre-commit is not installed (it is a dev dependency)")
    return PRE_COMMIT


def test_pre_commit_accepts_the_hook_manifest(needs_pre_commit: str) -> None:
    completed = subprocess.run(
        [needs_pre_commit, "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_pre_commit_accepts_the_example_configuration(
    tmp_path: Path, needs_pre_commit: str
) -> None:
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(_yaml_block(".pre-commit-config.yaml"))
    completed = subprocess.run(
        [needs_pre_commit, "validate-config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_the_example_configuration_names_the_declared_hook() -> None:
    hooks = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text())
    config = YAML(typ="safe").load(_yaml_block(".pre-commit-config.yaml"))
    declared = {hook["id"] for hook in hooks}
    used = {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}
    assert used <= declared


def test_the_hook_is_handed_infrastructure_files_only() -> None:
    (hook,) = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text())
    pattern = re.compile(hook["files"])
    names = ["main.tf", "stack.yaml", "ci.yml", "App.template.json", "x.template", "a.py"]
    assert [n for n in names if pattern.search(n)] == names[:-1]


def test_the_action_passes_each_parameter_line_as_one_option(tmp_path: Path) -> None:
    # The judge step's own script, run by bash with a stand-in keyless that records its
    # arguments: each NAME=VALUE line is one --parameter, spaces and all.
    runs = _action()["runs"]
    assert isinstance(runs, dict)
    (script,) = [s["run"] for s in runs["steps"] if s.get("id") == "judge"]
    binary = tmp_path / "keyless-venv" / "bin" / "keyless"
    binary.parent.mkdir(parents=True)
    binary.write_text('#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a" >> "$ARGS_LOG"; done\n')
    binary.chmod(0o755)
    log = tmp_path / "args"
    environment = {
        "PATH": "/usr/bin:/bin",
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "ARGS_LOG": str(log),
        "KEYLESS_PATHS": "infra",
        "KEYLESS_FAIL_ON": "high",
        "KEYLESS_BASELINE": "",
        "KEYLESS_VAR_FILES": "",
        "KEYLESS_PARAMETERS": "Repository=octo-org/app\n\nStage=blue green\n",
        "KEYLESS_UPLOAD_SARIF": "false",
    }
    subprocess.run(["bash", "-c", script], env=environment, check=True)
    assert log.read_text().splitlines() == [
        "iac",
        "infra",
        "--fail-on",
        "high",
        "--parameter",
        "Repository=octo-org/app",
        "--parameter",
        "Stage=blue green",
        "--format",
        "github",
    ]
