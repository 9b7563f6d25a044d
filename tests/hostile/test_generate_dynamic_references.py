"""CloudFormation resolves a dynamic reference (``{{resolve:ssm:NAME}}``,
``{{resolve:secretsmanager:…}}``) in any property of a template at deploy, with the
deployer's rights, and has no escape for it. A plan value that holds one (a display name
or description from a tag) is refused (exit 2, nothing written): written into the
template, it would read a parameter or a secret into an attribute its user can see."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result

from tests.generate.conftest import edited, run


def _display_name(value: str) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        document["identity_center"]["users"][0]["display_name"] = value

    return change


def _description(value: str) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        document["identity_center"]["permission_sets"][0]["description"] = value

    return change


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(_display_name("{{resolve:ssm:/prod/db-password}}"), id="display-name"),
        pytest.param(_description("x {{resolve:secretsmanager:prod}} y"), id="description"),
        pytest.param(_display_name("{{ RESOLVE :ssm:/x}}"), id="spaced-upper-case"),
    ],
)
def test_a_dynamic_reference_in_a_plan_is_refused(
    export_plan: Path, ca_cert: Path, tmp_path: Path, change: Callable[[dict[str, Any]], None]
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", change)
    out = tmp_path / "out"
    result = _generate(plan, out, ca_cert)
    assert result.exit_code == 2, result.output
    assert "holds a CloudFormation dynamic reference" in result.stderr
    assert not out.exists()


def test_braces_that_are_no_dynamic_reference_are_generated(
    export_plan: Path, ca_cert: Path, tmp_path: Path
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _display_name("{{Alice}} ${x}"))
    out = tmp_path / "out"
    result = _generate(plan, out, ca_cert)
    assert result.exit_code in (0, 1), result.output
    # Written as itself: a ${ within a Fn::Sub escaped as ${! (CloudFormation resolves it
    # to the text as written; see test_generate_cloudformation_literals.py).
    template = yaml.safe_load((out / "identity-center.yaml").read_text())
    names = [r["Properties"].get("DisplayName") for r in template["Resources"].values()]
    assert {"Fn::Sub": "{{Alice}} ${!x}"} in names


def _generate(plan: Path, out: Path, ca_cert: Path) -> Result:
    """``keyless generate PLAN --format cloudformation`` into ``out``."""
    args = ["generate", str(plan), "--format", "cloudformation", "--out", str(out)]
    return run(*args, "--ca-cert", str(ca_cert))
