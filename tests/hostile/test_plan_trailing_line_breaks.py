"""The plan schema's patterns end in ``$``, which JSON Schema reads as ECMA-262 does: the
end of the string (https://json-schema.org/draft/2020-12/json-schema-core#section-6.4,
https://tc39.es/ecma262/#sec-assertion). Python's ``re`` also takes ``$`` just before a
final line break, so a plan's ``"common_name": "nas01.example.com\\n"`` passed the schema,
and ``generate`` wrote the line break into the Roles Anywhere role's trust condition and
description (a role no certificate can assume). ``"service": "lambda.amazonaws.com\\n"``
was stopped later, by the trust policy's parser, without the plan's pointer. Every
pattern of the schema now holds to the end of the string: the plan is refused by
pointer (exit 2) by the schema check ``generate``, ``plan --check`` and ``retire`` share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from keyless.plan.document import plan_schema, schema_problems
from tests.generate.conftest import edited, run


def _patterns(schema: Any) -> list[str]:
    if isinstance(schema, dict):
        found = [schema["pattern"]] if isinstance(schema.get("pattern"), str) else []
        return found + [p for value in schema.values() for p in _patterns(value)]
    if isinstance(schema, list):
        return [p for value in schema for p in _patterns(value)]
    return []


def test_every_pattern_is_anchored_at_both_ends() -> None:
    """What the reader's translation relies on (a pattern ending otherwise is read as is)."""
    patterns = _patterns(plan_schema())
    assert len(patterns) > 10
    assert all(p.startswith("^") and p.endswith("$") for p in patterns)


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("roles_anywhere", 0, "common_name"), "nas01.example.com\n"),
        (("workload_roles", 0, "service"), "lambda.amazonaws.com\n"),
        (("source", "fingerprint"), "sha256:" + "0" * 64 + "\n"),
        (("retire", 0, "account"), "210987654321\n"),
    ],
    ids=["common-name", "service", "fingerprint", "retire-account"],
)
def test_a_value_with_a_trailing_line_break_is_refused(
    export_plan: Path, tmp_path: Path, ca_cert: Path, where: tuple[Any, ...], value: str
) -> None:
    def change(document: dict[str, Any]) -> None:
        node = document
        for step in where[:-1]:
            node = node[step]
        assert isinstance(node[where[-1]], str)
        node[where[-1]] = value

    plan = edited(export_plan, tmp_path / "plan.json", change)
    assert schema_problems(json.loads(export_plan.read_text())) == ()
    pointer = "/" + "/".join(str(step) for step in where)
    (problem,) = schema_problems(json.loads(plan.read_text()))
    assert problem.pointer == pointer
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "terraform", "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code == 2, result.output
    assert f"#{pointer}: " in result.stderr
    assert not out.exists()


def test_a_value_without_one_still_passes(export_plan: Path) -> None:
    document = json.loads(export_plan.read_text())
    document["roles_anywhere"][0]["common_name"] = "nas01.example.com"
    assert schema_problems(document) == ()
