"""A permission set's description is Identity Center's: 1 to 700 characters of tabs, line
breaks and Latin-1 (``[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]``),
https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreatePermissionSet.html.
A hand-edited plan's ``Zugriff für 李雷 — prod`` or a bidirectional override was written
into both formats (the override silently dropped), which Identity Center refuses at
deploy; it is refused by pointer (exit 2). An empty description was written to Terraform
as ``description = ""``, below Identity Center's minimum: no description is written, as
CloudFormation already did."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hcl2
import pytest

from tests.generate.conftest import edited, run

POINTER = "/identity_center/permission_sets/0/description"


def _described(text: str) -> Any:
    def change(document: dict[str, Any]) -> None:
        document["identity_center"]["permission_sets"][0]["description"] = text

    return change


@pytest.mark.parametrize(
    "text",
    ["Zugriff für 李雷 — prod", "admins \u202eprod", "bell \x07"],
    ids=["cjk", "bidi", "bell"],
)
@pytest.mark.parametrize("output_format", ["terraform", "cloudformation"])
def test_a_description_out_of_identity_centers_grammar_is_refused(
    demo_plan: Path, tmp_path: Path, text: str, output_format: str
) -> None:
    plan = edited(demo_plan, tmp_path / "plan.json", _described(text))
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", output_format, "--out", str(out))
    assert result.exit_code == 2, result.output
    assert f"#{POINTER}: " in result.stderr
    assert not out.exists()


def test_a_latin1_description_is_written(demo_plan: Path, tmp_path: Path) -> None:
    plan = edited(demo_plan, tmp_path / "plan.json", _described("Zugriff für Müller"))
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "terraform", "--out", str(out))
    assert result.exit_code in (0, 1), result.output
    assert "Zugriff für Müller" in (out / "identity_center.tf").read_text()


def test_an_empty_description_is_not_written(demo_plan: Path, tmp_path: Path) -> None:
    plan = edited(demo_plan, tmp_path / "plan.json", _described(""))
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "terraform", "--out", str(out))
    assert result.exit_code in (0, 1), result.output
    parsed = hcl2.loads((out / "identity_center.tf").read_text())
    sets = [
        body
        for block in parsed["resource"]
        for kind, named in block.items()
        if kind.strip('"') == "aws_ssoadmin_permission_set"
        for body in named.values()
    ]
    assert len(sets) == 3
    assert [s.get("description") for s in sets].count(None) == 1
