"""The workflows JSON documents validate against their published schemas
(docs/schemas/workflows-*-v1.schema.json); a field added to one but not the other fails."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from keyless.render.workflows import fix_json, scan_json
from keyless.workflows import fix, scan

from .builders import repo
from .conftest import CORPUS, CORPUS_OPTIONS, corpus_cases

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"


def _schema(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(document)
    return document


def _errors(document: Any, name: str) -> list[str]:
    """Where ``document`` breaks the schema ``name`` (empty: it validates)."""
    validator = jsonschema.Draft202012Validator(_schema(name))
    return [f"{error.json_path}: {error.message}" for error in validator.iter_errors(document)]


def _json(document: dict[str, Any]) -> Any:
    return json.loads(json.dumps(document))  # as a consumer reads it


@pytest.mark.parametrize("case", corpus_cases())
def test_scan_documents_match_the_schema(case: str) -> None:
    document = _json(scan_json(scan([CORPUS / case / "input"])))
    assert _errors(document, "workflows-scan-v1") == []


@pytest.mark.parametrize("case", corpus_cases())
def test_fix_documents_match_the_schema(case: str) -> None:
    document = _json(fix_json(fix([CORPUS / case / "input"], CORPUS_OPTIONS)))
    assert _errors(document, "workflows-fix-v1") == []


def test_documents_with_unread_and_unfixed_files_match_the_schemas(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {
            ".gitlab-ci.yml": "include: [{local: missing.yml}]\njob:\n  trigger: {include: c.yml}\n"
            "  variables: {AWS_ACCESS_KEY_ID: $K, AWS_SECRET_ACCESS_KEY: $S}\n",
            ".github/workflows/broken.yml": "jobs: [\n",
        },
    )
    os.mkfifo(root / ".github" / "workflows" / "pipe.yml")
    scanned = _json(scan_json(scan([root])))
    fixed = _json(fix_json(fix([root], CORPUS_OPTIONS)))
    jsonschema.validate(scanned, _schema("workflows-scan-v1"))
    jsonschema.validate(fixed, _schema("workflows-fix-v1"))
    assert len(scanned["unread"]) == 4  # the trigger include c.yml is missing too
    assert fixed["files"][0]["unfixed"][0]["job"] == "job"


def test_a_field_the_schema_does_not_know_is_drift() -> None:
    document = _json(fix_json(fix([CORPUS / "gh-basic-keys" / "input"], CORPUS_OPTIONS)))
    document["files"][0]["jobs"][0]["surprise"] = True
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, _schema("workflows-fix-v1"))
