"""An Identity Center user's email in a hand-edited plan was not checked: a quote, a line
break, a bidirectional override, markup or an empty string became the Identity Store
user's primary email in the generated code. It is now held to what the planner takes
from an ``email`` tag (``local@domain``); anything else is refused by pointer (exit 2,
nothing written)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.generate.conftest import edited, run


def with_email(email: str) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        document["identity_center"]["users"][0]["email"] = email

    return change


@pytest.mark.parametrize(
    "email",
    [
        'maria@example.com"\n  evil = true',
        "maria\u202e@example.com",
        "<script>alert(1)</script>@example.com",
        " maria@example.com",
        "maria@example",
        "maria garcia@example.com",
        "",
    ],
)
def test_a_hostile_email_is_refused_by_pointer(
    export_plan: Path, tmp_path: Path, ca_cert: Path, email: str
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", with_email(email))
    out = tmp_path / "tf"
    result = run("generate", str(plan), "--format", "terraform", "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "plan.json#/identity_center/users/0/email: " in result.stderr
    assert "is not an email address" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize("email", ["Maria.Garcia@Example.com", "j\u00f6rg+aws@example.co.uk"])
def test_a_plain_email_is_generated(
    export_plan: Path, tmp_path: Path, ca_cert: Path, email: str
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", with_email(email))
    out = tmp_path / "tf"
    result = run("generate", str(plan), "--format", "terraform", "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.dumps(email, ensure_ascii=False) in (out / "identity_center.tf").read_text()
