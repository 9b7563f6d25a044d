"""An account alias with a character YAML 1.1 takes for a line break (NEL, U+2028, U+2029)
reaches CloudFormation descriptions: it is written as a double-quoted escape (``\\N``,
``\\L``, ``\\P``), which every YAML reader reads back exactly, never raw (PyYAML and
ruamel.yaml fold a raw NEL in a quoted scalar into a space; a YAML 1.2 reader keeps the
indentation after a raw U+2028)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml as pyyaml
from cfnlint.api import lint_file
from ruamel.yaml import YAML

from tests.generate.conftest import edited, run


def descriptions(node: Any) -> list[str]:
    """Every ``Description`` value in a template."""
    if isinstance(node, dict):
        found = [v for k, v in node.items() if k == "Description" and isinstance(v, str)]
        return found + [d for v in node.values() for d in descriptions(v)]
    if isinstance(node, list):
        return [d for v in node for d in descriptions(v)]
    return []


def set_aliases(separator: str) -> Any:
    def change(document: dict[str, Any]) -> None:
        for number, account in enumerate(document["source"]["accounts"]):
            account["alias"] = f"acme{number}{separator}Evil: 1 # x"

    return change


@pytest.mark.parametrize("separator", ["\x85", "\u2028", "\u2029"])
def test_an_alias_with_a_line_separator_reads_back_exactly(
    demo_plan: Path, tmp_path: Path, separator: str
) -> None:
    plan = edited(demo_plan, tmp_path / "plan.json", set_aliases(separator))
    out = tmp_path / "cfn"
    result = run("generate", str(plan), "--format", "cloudformation", "--out", str(out))
    assert result.exit_code in (0, 1), result.output

    template = out / "identity-center.yaml"
    text = template.read_text(encoding="utf-8")
    assert separator not in text
    expected = f"The account ID of acme0{separator}Evil: 1 # x"
    for document in (YAML(typ="safe").load(text), pyyaml.safe_load(text)):
        assert expected in descriptions(document)
        assert "Evil" not in str(list(document))
    assert [m for m in lint_file(template) if m.rule.id.startswith("E")] == []
