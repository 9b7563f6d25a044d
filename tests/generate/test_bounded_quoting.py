"""`keyless generate` quotes a value a person or the plan file controls in part
(``keyless.errors.quoted``): a 100,000-character option or name is not echoed whole."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.generate.conftest import edited, run

HUGE = "x" * 100_000


def _subject(document: dict[str, Any]) -> None:
    role = next(r for r in document["oidc_roles"] if r["platform"] == "github")
    role["subjects"][0]["value"] = HUGE


def _role_name(document: dict[str, Any]) -> None:
    document["oidc_roles"][0]["name"] = HUGE  # refused by the plan's schema


def _message_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if "xxxxxxxx" in line]


@pytest.mark.parametrize("change", [_subject, _role_name])
def test_a_huge_plan_value_is_quoted_in_part(
    export_plan: Path, tmp_path: Path, ca_cert: Path, change: Callable[[dict[str, Any]], None]
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", change)
    result = run("generate", str(plan), "--format", "terraform", "--out", str(tmp_path / "out"),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code == 2
    lines = _message_lines(result.output)
    assert lines, result.output[:1000]
    assert all(len(line) < 500 and "xxxxxxxx…" in line for line in lines), lines


@pytest.mark.parametrize("option", ["--region", "--sso-region", "--sso-session"])
def test_a_huge_option_is_quoted_in_part(
    export_plan: Path, tmp_path: Path, ca_cert: Path, option: str
) -> None:
    out = tmp_path / "out"
    result = run("generate", str(export_plan), "--format", "terraform", "--out", str(out),
                 "--ca-cert", str(ca_cert), option, HUGE)  # fmt: skip
    assert result.exit_code == 2
    lines = _message_lines(result.output)
    assert lines, result.output[:1000]
    assert all(len(line) < 500 and "xxxxxxxx…" in line for line in lines), lines
