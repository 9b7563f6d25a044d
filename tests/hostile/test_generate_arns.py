"""ARNs in a plan and in ``generate``'s options are ASCII, as IAM's are: a letter or a
digit of another script (``é``, Arabic-Indic or fullwidth digits) is refused with the
reason (exit 2, nothing written), never emitted into generated code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.generate.conftest import edited, run

ARABIC_ACCOUNT = "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661\u0662"


def _permission_set(document: dict[str, Any]) -> dict[str, Any]:
    permission_set: dict[str, Any] = document["identity_center"]["permission_sets"][0]
    return permission_set


@pytest.mark.parametrize(
    "arn",
    ["arn:aws:iam::aws:policy/Adm\u00efn", "arn:aws:iam::aws:policy/\uff21dmin"],
)
def test_a_managed_policy_arn_outside_ascii_is_refused(
    export_plan: Path, tmp_path: Path, arn: str
) -> None:
    plan = edited(
        export_plan,
        tmp_path / "plan.json",
        lambda d: _permission_set(d)["aws_managed_policies"].append(arn),
    )
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "scp", "--out", str(out))
    assert result.exit_code == 2, result.output
    assert "IAM ARNs are ASCII" in result.stderr
    assert not out.exists()


def test_a_permissions_boundary_outside_ascii_is_refused(export_plan: Path, tmp_path: Path) -> None:
    boundary = "arn:aws:iam::aws:policy/B\u00f6undary"
    plan = edited(
        export_plan,
        tmp_path / "plan.json",
        lambda d: _permission_set(d).__setitem__("permissions_boundary", boundary),
    )
    result = run("generate", str(plan), "--format", "scp", "--out", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    assert "IAM ARNs are ASCII" in result.stderr


@pytest.mark.parametrize(
    ("option", "arn"),
    [
        ("--scanner-role", f"arn:aws:iam::{ARABIC_ACCOUNT}:role/scanner"),
        ("--scanner-role", "arn:aws:iam::123456789012:role/sc\u00e4nner"),
        ("--break-glass-role", f"arn:aws:iam::{ARABIC_ACCOUNT}:role/breakglass"),
        ("--break-glass-role", "arn:aws:iam::*:role/br\u00e9akglass"),
    ],
)
def test_a_role_arn_option_outside_ascii_is_refused(
    export_plan: Path, tmp_path: Path, option: str, arn: str
) -> None:
    out = tmp_path / "out"
    result = run("generate", str(export_plan), "--format", "scp", "--out", str(out), option, arn)
    assert result.exit_code == 2, result.output
    assert "IAM ARNs are ASCII" in result.stderr
    assert not out.exists()
