"""SARIF output validates against the SARIF 2.1.0 schema and carries what code scanning reads."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from keyless.findings import Severity
from keyless.render.sarif import (
    INFORMATION_URI,
    SarifResult,
    SarifRule,
    build_log,
    level,
    scan_sarif,
)
from keyless.workflows import scan
from keyless.workflows.registry import CHECKS

from .conftest import CORPUS

SCHEMA = json.loads(
    (Path(__file__).parent / "schemas" / "sarif-2.1.0-rtm.5.json").read_text(encoding="utf-8")
)


def _validate(document: dict[str, object]) -> None:
    jsonschema.Draft4Validator(SCHEMA).validate(document)


def test_scan_of_the_whole_corpus_is_valid_sarif() -> None:
    document = scan_sarif(scan([CORPUS]))
    _validate(document)
    results = document["runs"][0]["results"]  # type: ignore[index]
    assert len(results) > 20


def test_every_check_is_a_rule_with_security_severity() -> None:
    document = scan_sarif(scan([CORPUS / "gh-basic-keys" / "input"]))
    rules = document["runs"][0]["tool"]["driver"]["rules"]  # type: ignore[index]
    assert [r["id"] for r in rules] == [c.id for c in CHECKS]
    assert all("security-severity" in r["properties"] for r in rules)


def test_result_points_at_file_line_and_column() -> None:
    document = scan_sarif(scan([CORPUS / "gh-basic-keys" / "input"]))
    (result,) = document["runs"][0]["results"]  # type: ignore[index]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (14, 11)
    assert result["ruleId"] == "workflow-static-aws-keys"


def test_builder_without_location_is_valid() -> None:
    rule = SarifRule("x-rule", "X", Severity.LOW, "why", "fix it", None)
    log = build_log(
        tool_name="t",
        tool_version="1",
        information_uri="https://example.com",
        rules=[rule],
        results=[SarifResult("x-rule", Severity.LOW, "message")],
    )
    _validate(log)
    (result,) = log["runs"][0]["results"]
    assert "locations" not in result
    assert result["level"] == "note"


def test_schema_rejects_a_broken_log() -> None:
    with pytest.raises(jsonschema.ValidationError):
        _validate({"version": "2.1.0", "runs": [{"results": []}]})


@pytest.mark.parametrize(
    ("severity", "expected"),
    [(Severity.CRITICAL, "error"), (Severity.MEDIUM, "warning"), (Severity.INFO, "note")],
)
def test_levels(severity: Severity, expected: str) -> None:
    assert level(severity) == expected


def test_driver_points_at_the_same_home_as_keyless_scan() -> None:
    document = scan_sarif(scan([CORPUS / "gh-basic-keys" / "input"]))
    assert document["runs"][0]["tool"]["driver"]["informationUri"] == INFORMATION_URI  # type: ignore[index]


def test_files_that_could_not_be_read_are_notifications(tmp_path: Path) -> None:
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "bad.yml").write_text("jobs: [\n")
    (tmp_path / ".github" / "workflows" / "ok.yml").write_text("on: push\njobs: {}\n")
    document = scan_sarif(scan([tmp_path]))
    _validate(document)
    (invocation,) = document["runs"][0]["invocations"]  # type: ignore[index]
    assert invocation["executionSuccessful"] is False
    (notification,) = invocation["toolExecutionNotifications"]
    assert "bad.yml" in notification["message"]["text"]
