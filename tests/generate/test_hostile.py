"""Hostile values in a plan (an alias, a description, a person's name) reach the
generated files only quoted: HCL escapes ``${``/``%{``, quotes and control characters;
YAML and INI go through their libraries; identifiers are derived, never copied."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hcl2
import pytest
from cfnlint.api import lint_file

from keyless.generate.hcl import quote
from keyless.generate.names import logical_id, profile_name, terraform_name
from tests.generate.conftest import TERRAFORM, edited, run, terraform_fmt_diff

ALIAS = 'prod"${var.x}%{if 1}\n}'
DESCRIPTION = 'x"${file("/etc/passwd")}\\'
# Control and format characters other than tabs and line breaks are refused by pointer
# (tests/hostile/test_generate_identity_store_text.py); these are written, quoted.
NAME = 'Eve ${jsonencode(1)}\t"x"\n%{if 1}'


def hostile(document: dict[str, Any]) -> None:
    document["source"]["accounts"][0]["alias"] = ALIAS
    document["identity_center"]["permission_sets"][0]["description"] = DESCRIPTION
    document["identity_center"]["users"][0]["display_name"] = NAME


@pytest.fixture
def hostile_plan(export_plan: Path, tmp_path: Path) -> Path:
    return edited(export_plan, tmp_path / "plan.json", hostile)


def test_quote_escapes_template_introducers_and_controls() -> None:
    assert quote('a"${b}%{c}\\\n\x00') == '"a\\"$${b}%%{c}\\\\\\n\\u0000"'


def test_identifiers_are_sanitised_with_a_hash_when_changed() -> None:
    assert terraform_name("acme-prod", "ci") == "acme-prod_ci"
    assert terraform_name("a.b") != terraform_name("a_b")
    assert logical_id("Role", "a.b") != logical_id("Role", "a-b")
    assert profile_name("acme prod", "X") == f"acme-prod-X-{profile_name('acme prod', 'X')[-6:]}"


def test_hostile_values_leave_terraform_parseable_and_formatted(
    hostile_plan: Path, ca_cert: Path, tmp_path: Path
) -> None:
    out = tmp_path / "tf"
    result = run("generate", str(hostile_plan), "--format", "terraform", "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code == 0, result.output
    for path in out.glob("*.tf"):
        hcl2.loads(path.read_text())
    text = (out / "identity_center.tf").read_text()
    assert 'description      = "x\\"$${file(\\"/etc/passwd\\")}\\\\"' in text
    if TERRAFORM is not None:
        assert terraform_fmt_diff(out) is None


def test_hostile_values_leave_cloudformation_lint_clean(
    hostile_plan: Path, ca_cert: Path, tmp_path: Path
) -> None:
    out = tmp_path / "cfn"
    result = run("generate", str(hostile_plan), "--format", "cloudformation", "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code == 0, result.output
    errors = [m for p in out.glob("*.yaml") for m in lint_file(p) if m.rule.id.startswith("E")]
    assert errors == []


def test_hostile_values_open_no_markup_in_the_readme(
    hostile_plan: Path, ca_cert: Path, tmp_path: Path
) -> None:
    out = tmp_path / "tf"
    run("generate", str(hostile_plan), "--format", "terraform", "--out", str(out),
        "--ca-cert", str(ca_cert))  # fmt: skip
    text = (out / "README.md").read_text()
    assert "\x07" not in text
    assert "<" not in text.replace("\\<", "")
