"""``keyless plan --check`` quotes a value the plan file controls in part
(``keyless.errors.quoted``): a 100,000-character name or subject is not echoed whole."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.plan.test_cli import LINKS, plan_run, run

HUGE = "x" * 100_000


def _subject(document: dict[str, Any]) -> None:
    role = next(r for r in document["oidc_roles"] if r["platform"] == "github")
    role["subjects"][0]["value"] = HUGE


def _schema(document: dict[str, Any]) -> None:
    document["schema"] = HUGE


def _role_name(document: dict[str, Any]) -> None:
    document["oidc_roles"][0]["name"] = HUGE  # the schema's pattern refuses it


def _extra_key(document: dict[str, Any]) -> None:
    document["users"][0][HUGE] = 1  # additionalProperties: the key is in the message


@pytest.mark.parametrize("change", [_subject, _schema, _role_name, _extra_key])
def test_check_quotes_a_huge_value_in_part(
    export_dir: Path, tmp_path: Path, change: Callable[[dict[str, Any]], None]
) -> None:
    out = tmp_path / "plan.json"
    plan_run("--input", str(export_dir), *LINKS, "--out", str(out))
    document = json.loads(out.read_text())
    change(document)
    out.write_text(json.dumps(document))
    result = run("--check", str(out), "--input", str(export_dir))
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if "xxxxxxxx" in line]
    assert lines, result.stderr[:1000]
    assert all(len(line) < 500 and "xxxxxxxx…" in line for line in lines), lines
