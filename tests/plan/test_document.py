"""The keyless/plan/v1 document: valid against its published JSON Schema, stable from
run to run, written whole and never through a symbolic link."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from keyless.errors import InputError
from keyless.model import Inventory
from keyless.plan.document import dumps, plan_document, plan_schema, schema_problems, write_plan
from tests.plan.support import export_plan, plan_of

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = ROOT / "docs" / "schemas" / "plan-v1.schema.json"


@pytest.fixture
def document(export: Inventory) -> dict[str, Any]:
    return plan_document(export_plan(export))


def test_the_published_schema_is_the_one_keyless_validates_with() -> None:
    published = json.loads(PUBLISHED.read_text())
    jsonschema.Draft202012Validator.check_schema(published)
    assert published == plan_schema()


def test_the_export_plan_validates(document: dict[str, Any]) -> None:
    jsonschema.validate(json.loads(dumps(document)), json.loads(PUBLISHED.read_text()))


def test_the_demo_plan_validates(demo: Inventory) -> None:
    document = json.loads(dumps(plan_document(plan_of(demo))))
    jsonschema.validate(document, json.loads(PUBLISHED.read_text()))


def test_a_drifted_document_fails(document: dict[str, Any]) -> None:
    drifted = copy.deepcopy(json.loads(dumps(document)))
    del drifted["users"][0]["destination"]
    drifted["users"][1]["surprise"] = True
    problems = schema_problems(drifted)
    assert [p.pointer for p in problems] == ["/users/0", "/users/1"]


def test_the_same_inventory_gives_the_same_document_but_for_its_time(
    export: Inventory,
) -> None:
    first, second = plan_document(export_plan(export)), plan_document(export_plan(export))
    del first["generated_at"], second["generated_at"]
    assert dumps(first) == dumps(second)


def test_the_summary_counts_destinations(document: dict[str, Any]) -> None:
    assert document["summary"]["destinations"] == {
        "identity-center": 3,
        "oidc-role": 2,
        "roles-anywhere": 1,
        "workload-role": 1,
        "retire": 2,
        "keep": 0,
        "undecided": 0,
    }


def test_write_plan_refuses_a_symbolic_link(export: Inventory, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.json"
    target.write_text("untouched")
    link = tmp_path / "plan.json"
    link.symlink_to(target)
    with pytest.raises(InputError, match="symbolic link"):
        write_plan(export_plan(export), link)
    assert target.read_text() == "untouched"


def test_write_plan_replaces_the_file_whole(export: Inventory, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    path = out / "plan.json"
    path.write_text("old")
    write_plan(export_plan(export), path)
    assert json.loads(path.read_text())["schema"] == "keyless/plan/v1"
    assert [p.name for p in out.iterdir()] == ["plan.json"]  # no temporary file left
