"""Identity Center user names in a plan: AWS's Identity Store takes letters of any script
(``jörg@example.com``, ``李雷``), so ``generate`` does too; a control character, a line
break, a bidirectional override (which reorders what a console shows) or a space at
either end is refused with the reason (exit 2, nothing written)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.generate.conftest import run

PCA = (
    "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/"
    + "0" * 8
    + "-0000" * 3
    + "-"
    + "0" * 12
)


def renamed(plan: Path, target: Path, name: str) -> Path:
    """``plan`` with its first Identity Center user called ``name`` wherever it is named."""
    document: dict[str, Any] = json.loads(plan.read_text())
    old = document["identity_center"]["users"][0]["user_name"]
    document["identity_center"]["users"][0]["user_name"] = name
    for assignment in document["identity_center"]["assignments"]:
        if assignment["user_name"] == old:
            assignment["user_name"] = name
    for user in document["users"]:
        target_ref = user.get("target") or {}
        if target_ref.get("user_name") == old:
            target_ref["user_name"] = name
    target.write_text(json.dumps(document))
    return target


@pytest.mark.parametrize("name", ["j\u00f6rg@example.com", "\u674e\u96f7"])
def test_a_name_in_any_script_is_generated(export_plan: Path, tmp_path: Path, name: str) -> None:
    plan = renamed(export_plan, tmp_path / "plan.json", name)
    out = tmp_path / "tf"
    result = run(
        "generate", str(plan), "--format", "terraform", "--out", str(out), "--pca-arn", PCA
    )
    assert result.exit_code in (0, 1), result.output
    assert "Identity Store user name" not in result.stderr
    assert any(name in p.read_text(encoding="utf-8") for p in out.glob("*.tf"))


@pytest.mark.parametrize("name", ["eve\u202egnp.exe", "eve\u2066admin\u2069", "eve\u200b"])
def test_a_bidirectional_override_is_refused_by_name(
    export_plan: Path, tmp_path: Path, name: str
) -> None:
    plan = renamed(export_plan, tmp_path / "plan.json", name)
    out = tmp_path / "tf"
    result = run(
        "generate", str(plan), "--format", "terraform", "--out", str(out), "--pca-arn", PCA
    )
    assert result.exit_code == 2, result.output
    assert "is not an Identity Store user name" in result.stderr
    assert name not in result.stderr  # shown escaped, never raw
    assert not out.exists()


@pytest.mark.parametrize(
    "name",
    [
        "eve\u202egnp.exe",  # right-to-left override
        "eve\u2066admin\u2069",  # left-to-right isolate
        "eve\nadmin",
        "eve\x1b[31m",
        "eve\u2028admin",  # line separator
        " eve",
        "eve\t",
        "eve admin",
        "",
        "e" * 129,
    ],
)
def test_a_control_or_bidi_character_is_refused(
    export_plan: Path, tmp_path: Path, name: str
) -> None:
    plan = renamed(export_plan, tmp_path / "plan.json", name)
    out = tmp_path / "tf"
    result = run(
        "generate", str(plan), "--format", "terraform", "--out", str(out), "--pca-arn", PCA
    )
    assert result.exit_code == 2, result.output
    assert "plan.json#/identity_center/users/0/user_name" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()
