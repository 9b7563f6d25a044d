"""``docs/schemas/retire-v1.schema.json`` is generated from the ``TypedDict`` the
converter returns (``python -m keyless.render.retire_document``, run by ``make docs``):
it was written by hand, and could describe another document than the one ``keyless
retire --format json`` writes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from keyless.render.retire_document import report_document, report_schema
from keyless.retire.model import Action, ActionKind, Report, Step, StepStatus

PUBLISHED = Path(__file__).parents[2] / "docs" / "schemas" / "retire-v1.schema.json"


def test_the_published_schema_is_the_generated_one() -> None:
    assert json.loads(PUBLISHED.read_text()) == report_schema(), (
        "docs/schemas/retire-v1.schema.json is stale: run `make docs`"
    )


def test_the_schema_module_prints_the_published_file() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "keyless.render.retire_document"], capture_output=True, check=True
    ).stdout
    assert printed == PUBLISHED.read_bytes()


def test_the_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(report_schema())


def _report(plan: dict[str, Any] | None) -> Report:
    action = Action(ActionKind.DELETE_KEY, "111111111111", "alice", "AKIAEXAMPLE", "unused")
    return Report(
        command="retire",
        apply=True,
        journal="journal.db",
        steps=(Step.of(action, StepStatus.DONE),),
        run_id=1,
        lost=(("111111111111", "alice", "console password"),),
        plan=plan,
    )


_PLAN = {
    "path": "plan.json",
    "fingerprint": "sha256:0",
    "as_of": "2026-12-07T00:00:00Z",
    "confirmed": [
        {
            "account": "111111111111",
            "user": "alice",
            "preconditions": [{"kind": "person", "text": "Alice uses SSO now"}],
        }
    ],
}


def _errors(document: Any) -> list[str]:
    schema = report_schema()
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [error.message for error in validator.iter_errors(document)]


@pytest.mark.parametrize("plan", [None, _PLAN])
def test_the_converters_documents_are_valid(plan: dict[str, Any] | None) -> None:
    assert _errors(report_document(_report(plan))) == []


def test_a_document_of_a_version_before_plan_is_valid() -> None:
    """``plan`` was added within v1: documents written before it lack the key."""
    document: dict[str, Any] = dict(report_document(_report(None)))
    del document["plan"]
    assert _errors(document) == []


@pytest.mark.parametrize(
    ("where", "key", "value"),
    [
        ((), "surprise", 1),
        ((), "exit_code", 2),
        ((), "run", 0),
        ((), "command", "delete"),
        (("steps", 0), "status", "maybe"),
        (("cannot_come_back", 0), "extra", ""),
        (("plan",), "extra", ""),
        (("plan", "confirmed", 0, "preconditions", 0), "kind", 1),
    ],
)
def test_a_document_unlike_the_converters_is_refused(
    where: tuple[str | int, ...], key: str, value: object
) -> None:
    document: Any = json.loads(json.dumps(report_document(_report(_PLAN))))
    jsonschema.validate(document, report_schema())
    part = document
    for step in where:
        part = part[step]
    part[key] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, report_schema())


def test_a_document_without_a_required_key_is_refused() -> None:
    document: dict[str, Any] = dict(report_document(_report(None)))
    del document["steps"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, report_schema())
