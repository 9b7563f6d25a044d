"""``docs/schemas/retire-status-v1.schema.json`` is generated from the ``TypedDict``
the converter returns (``python -m keyless.render.retire_status``, run by ``make
docs``): it was written by hand, and could describe another document than the one
``retire status --format json`` writes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from keyless.render.retire_status import status_schema

PUBLISHED = Path(__file__).parents[2] / "docs" / "schemas" / "retire-status-v1.schema.json"


def test_the_published_schema_is_the_generated_one() -> None:
    assert json.loads(PUBLISHED.read_text()) == status_schema(), (
        "docs/schemas/retire-status-v1.schema.json is stale: run `make docs`"
    )


def test_the_schema_module_prints_the_published_file() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "keyless.render.retire_status"], capture_output=True, check=True
    ).stdout
    assert printed == PUBLISHED.read_bytes()


def test_the_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(status_schema())


def _document() -> dict[str, Any]:
    step = {"status": "waiting", "kind": "delete-key", "account": "111111111111",
            "user": "alice", "target": "AKIAEXAMPLE", "reason": "quarantine"}  # fmt: skip
    return {
        "schema": "keyless/retire-status/v1",
        "journal": "journal.db",
        "now": "2026-12-07T00:00:00Z",
        "quarantine_days": 14,
        "cloudtrail": True,
        "keys": [],
        "users": [],
        "interrupted": [step],
        "unreachable": {},
        "exit_code": 0,
    }


@pytest.mark.parametrize(
    ("where", "key", "value"),
    [
        ((), "surprise", 1),
        ((), "exit_code", 2),
        ((), "quarantine_days", 0),
        (("interrupted", 0), "status", "maybe"),
        (("interrupted", 0), "extra", ""),
    ],
)
def test_a_document_unlike_the_converters_is_refused(
    where: tuple[str | int, ...], key: str, value: object
) -> None:
    document = _document()
    jsonschema.validate(document, status_schema())
    part: Any = document
    for step in where:
        part = part[step]
    part[key] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, status_schema())
