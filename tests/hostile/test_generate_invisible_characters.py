"""Characters a reviewer cannot see (a bidirectional override or isolate, a zero-width
space, a tag character) in the plan's free text (an account alias, a condition value of
an inline policy) reached the generated
Terraform and CloudFormation raw, where they reorder or hide what is read
(https://trojansource.codes). They are now written as escapes that read back exactly:
``\\u202e`` in HCL, ``\\u202E`` in a double-quoted YAML scalar. (A policy's strings
holding one are refused since: IAM takes U+0020 to U+00FF only in a policy,
tests/hostile/test_generate_policy_documents.py.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml as pyyaml
from cfnlint.api import lint_file
from ruamel.yaml import YAML

from tests.generate.conftest import TERRAFORM, edited, run, terraform_fmt_diff

INVISIBLE = ("\u202e", "\u2066", "\u2067", "\u2069", "\u200b", "\U000e0041")
ALIAS = "acme\u202eprod\u2066x\u200by\U000e0041"


def hostile(document: dict[str, Any]) -> None:
    document["source"]["accounts"][0]["alias"] = ALIAS


def strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in (*strings(k), *strings(v))]
    if isinstance(node, list):
        return [s for v in node for s in strings(v)]
    return [node] if isinstance(node, str) else []


@pytest.fixture
def plan(export_plan: Path, tmp_path: Path) -> Path:
    return edited(export_plan, tmp_path / "plan.json", hostile)


def test_terraform_escapes_invisible_characters(plan: Path, ca_cert: Path, tmp_path: Path) -> None:
    out = tmp_path / "tf"
    result = run("generate", str(plan), "--format", "terraform", "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code == 0, result.output
    text = "".join(path.read_text(encoding="utf-8") for path in out.glob("*.tf"))
    assert not any(char in text for char in INVISIBLE)
    assert '"The account ID of acme\\u202eprod\\u2066x\\u200by\\U000e0041."' in text
    if TERRAFORM is not None:
        assert terraform_fmt_diff(out) is None


def test_cloudformation_escapes_invisible_characters_and_reads_them_back(
    plan: Path, ca_cert: Path, tmp_path: Path
) -> None:
    out = tmp_path / "cfn"
    result = run("generate", str(plan), "--format", "cloudformation", "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code == 0, result.output
    read_back: list[str] = []
    for path in out.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert not any(char in text for char in INVISIBLE), path.name
        for document in (YAML(typ="safe").load(text), pyyaml.safe_load(text)):
            read_back += strings(document)
        assert [m for m in lint_file(path) if m.rule.id.startswith("E")] == []
    assert f"The account ID of {ALIAS}" in read_back
