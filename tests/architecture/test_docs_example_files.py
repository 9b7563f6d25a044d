"""The files under docs/examples and the CI recipes of the pages are what their ecosystems
accept: every example directory is described in docs/examples/README.md, every JSON file
is JSON with no key twice, and every GitHub Actions workflow (the example checkout's, the
sharding matrix, the history recipe's steps of docs/history.md) passes actionlint; the
Step Functions task's entrypoint in docs/organizations.md is valid shell; every
keyless.toml a page shows is accepted as it is, and the Python examples import names that
exist.
(The sharding recipes' own checks, the Step Functions state machine included, are in
tests/org/test_sharding_recipes.py; the GitHub Action's example in docs/iac.md is checked by
tests/iac/test_integrations.py.)"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.cli.configuration import load_checked_config
from tests.workflows.conftest import needs_actionlint, run_actionlint  # noqa: F401 (a fixture)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"
WORKFLOWS = (
    *sorted((EXAMPLES / "workflows" / ".github" / "workflows").glob("*.yml")),
    EXAMPLES / "sharding" / "github-actions.yml",
)


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    twice = sorted({key for key in keys if keys.count(key) > 1})
    assert not twice, f"keys given twice: {twice}"
    return dict(pairs)


def history_recipe(tmp_path: Path) -> Path:
    """The CI steps of docs/history.md as the workflow they are part of."""
    text = (ROOT / "docs" / "history.md").read_text(encoding="utf-8")
    (steps,) = re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)
    workflow = tmp_path / ".github" / "workflows" / "history.yml"
    workflow.parent.mkdir(parents=True)
    head = "on: push\npermissions:\n  contents: read\njobs:\n  history:\n"
    workflow.write_text(f"{head}    runs-on: ubuntu-latest\n    steps:\n{steps}")
    return workflow


def test_every_example_directory_is_described() -> None:
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    directories = sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir())
    assert len(directories) >= 5
    assert [d for d in directories if f"[`{d}/`]" not in readme] == []


def test_every_json_example_is_json_with_no_key_twice() -> None:
    files = sorted(EXAMPLES.rglob("*.json"))
    assert len(files) >= 8
    for path in files:
        json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=unique_keys)


def test_the_key_check_sees_a_key_twice() -> None:
    with pytest.raises(AssertionError, match="Effect"):
        json.loads('{"Effect": "Allow", "Effect": "Deny"}', object_pairs_hook=unique_keys)


@pytest.mark.usefixtures("needs_actionlint")
def test_the_example_workflows_pass_actionlint() -> None:
    assert len(WORKFLOWS) >= 2
    assert run_actionlint(list(WORKFLOWS)) == []


@pytest.mark.usefixtures("needs_actionlint")
def test_the_history_recipe_passes_actionlint(tmp_path: Path) -> None:
    assert run_actionlint([history_recipe(tmp_path)]) == []


def test_the_history_recipe_passes_keyless_workflows_scan(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["workflows", "scan", str(history_recipe(tmp_path))])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("shell", ["sh", "bash"])
def test_the_step_functions_entrypoint_parses(shell: str) -> None:
    text = (ROOT / "docs" / "organizations.md").read_text(encoding="utf-8")
    (script,) = re.findall(r"\n  ```sh\n(  case .*?)\n  ```", text, re.DOTALL)
    completed = subprocess.run(
        [shell, "-n"], input=textwrap.dedent(script), capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr


def toml_blocks() -> list[tuple[str, str]]:
    """Each ```toml block of the pages (a keyless.toml), with where it is."""
    blocks = []
    for page in sorted((ROOT / "docs").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        for found in re.finditer(r"^```toml\n(.*?)^```", text, re.DOTALL | re.MULTILINE):
            line = text.count("\n", 0, found.start()) + 1
            blocks.append((f"{page.name}:{line}", found.group(1)))
    return blocks


@pytest.mark.parametrize(("where", "text"), toml_blocks())
def test_every_configuration_the_pages_show_is_accepted(
    where: str, text: str, tmp_path: Path
) -> None:
    path = tmp_path / "keyless.toml"
    path.write_text(text, encoding="utf-8")
    load_checked_config(path)  # a ConfigError (exit 2 for a user) fails the test


def test_the_pages_show_configurations() -> None:
    assert {where.split(":")[0] for where, _ in toml_blocks()} >= {"scan.md", "plan.md"}


def python_imports() -> list[tuple[str, str, str]]:
    """Each ``from MODULE import NAME`` of the pages' ```python blocks, with its page."""
    imports = []
    for page in sorted((ROOT / "docs").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        for block in re.findall(r"^```python\n(.*?)^```", text, re.DOTALL | re.MULTILINE):
            for module, names in re.findall(r"^from ([\w.]+) import (.+)$", block, re.M):
                imports += [(page.name, module, n.strip()) for n in names.split(",")]
    return imports


def test_the_python_examples_import_what_exists() -> None:
    imports = python_imports()
    assert {page for page, _, _ in imports} >= {"simulate.md", "organizations.md"}
    missing = [
        f"{page}: from {module} import {name}"
        for page, module, name in imports
        if not hasattr(importlib.import_module(module), name)
    ]
    assert missing == []
