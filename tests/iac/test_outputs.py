"""The outputs of ``keyless iac``: the keyless/iac/v1 document against its published
schema, SARIF against the SARIF 2.1.0 schema with stable fingerprints, GitHub annotations
escaped as the runner requires, and ``keyless trust FILE``'s document."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource

from keyless.engine import ScanResult
from keyless.findings import FileLocation, Finding, Severity
from keyless.iac.scan import scan
from keyless.iac.trust import assess_file
from keyless.render import Format, RenderOptions, render
from keyless.render.iac import escape_data, escape_property, iac_github

from .conftest import CORPUS, SARIF_SCHEMA

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"


def _schema(name: str) -> dict[str, object]:
    document: dict[str, object] = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(document)
    return document


def _corpus_result() -> ScanResult:
    return scan([CORPUS])


def test_json_document_validates_against_the_published_schema() -> None:
    document = json.loads(render(_corpus_result(), Format.JSON))
    jsonschema.Draft202012Validator(_schema("iac-v1")).validate(document)
    assert document["schema"] == "keyless/iac/v1"


def test_json_document_counts_what_the_baseline_suppressed(tmp_path: Path) -> None:
    from keyless.iac.baseline import Baseline, finding_fingerprint

    first = scan([CORPUS / "tf-users"])
    accepted = frozenset(f for f in [finding_fingerprint(first.findings[0])] if f)
    result = scan([CORPUS / "tf-users"], baseline=Baseline(accepted, tmp_path / "b"))
    document = json.loads(render(result, Format.JSON))
    jsonschema.Draft202012Validator(_schema("iac-v1")).validate(document)
    assert len(document["suppressed"]) == 1


def test_a_document_with_an_extra_finding_field_is_rejected() -> None:
    document = json.loads(render(scan([CORPUS / "tf-users"]), Format.JSON))
    document["findings"][0]["surprise"] = True
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(_schema("iac-v1")).validate(document)


def test_sarif_validates_against_the_sarif_schema() -> None:
    sarif = json.loads(render(_corpus_result(), Format.SARIF))
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(sarif)
    assert len(sarif["runs"]) == 1


def test_sarif_results_carry_the_findings_fingerprints() -> None:
    result = _corpus_result()
    sarif = json.loads(render(result, Format.SARIF))
    fingerprints = [r["partialFingerprints"]["keyless/v1"] for r in sarif["runs"][0]["results"]]
    assert fingerprints == [f.evidence["fingerprint"] for f in result.findings]


def test_sarif_marks_baselined_findings_suppressed_with_their_fingerprints(
    tmp_path: Path,
) -> None:
    from keyless.iac.baseline import load_baseline, write_baseline

    write_baseline(tmp_path / "baseline.json", scan([CORPUS / "tf-users"]))
    result = scan([CORPUS / "tf-users"], baseline=load_baseline(tmp_path / "baseline.json"))
    sarif = json.loads(render(result, Format.SARIF))
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(sarif)
    results = sarif["runs"][0]["results"]
    assert [r["partialFingerprints"]["keyless/v1"] for r in results] == [
        s.finding.evidence["fingerprint"] for s in result.suppressed
    ]
    assert all(r["suppressions"] for r in results)


def test_sarif_rules_come_from_the_checks_that_ran() -> None:
    result = _corpus_result()
    sarif = json.loads(render(result, Format.SARIF))
    rules = [r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]]
    assert rules == [run.check.id for run in result.check_runs]
    assert {"iac-iam-user", "trust-anyone"} <= set(rules)


def test_sarif_result_points_at_the_offending_value() -> None:
    sarif = json.loads(render(scan([CORPUS / "tf-jsonencode"]), Format.SARIF))
    anyone = next(r for r in sarif["runs"][0]["results"] if r["ruleId"] == "trust-anyone")
    physical = anyone["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"].endswith("tf-jsonencode/main.tf")
    assert (physical["region"]["startLine"], physical["region"]["startColumn"]) == (49, 85)


def test_annotation_data_escapes_percent_and_newlines() -> None:
    assert escape_data("100%\r\nnext::x") == "100%25%0D%0Anext::x"


def test_annotation_properties_escape_colon_and_comma() -> None:
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def _finding_at(path: str, message: str) -> Finding:
    return Finding(
        check="iac-iam-user",
        severity=Severity.HIGH,
        location=FileLocation(Path(path), 3, 5, "aws_iam_user.x"),
        message=message,
        remediation="fix",
    )


def test_a_crafted_message_cannot_start_another_command() -> None:
    finding = _finding_at("evil,line=1::x.tf", "boom\n::error file=other.tf::forged")
    result = ScanResult(findings=(finding,), now=_corpus_result().now, command="iac")
    lines = iac_github(result, RenderOptions()).splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("::error file=evil%2Cline=1%3A%3Ax.tf,line=3,col=5,")


def test_annotation_severity_maps_to_error_warning_notice() -> None:
    text = render(scan([CORPUS / "tf-heredoc"]), Format.GITHUB)
    kinds = sorted({line.split(" ", 1)[0] for line in text.splitlines()})
    assert kinds == ["::error", "::warning"]


def test_trust_file_document_validates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CORPUS / "tf-jsonencode")
    document = json.loads(render(assess_file(Path("main.tf")), Format.JSON))
    trust = _schema("trust-v1")
    registry: Registry = Registry().with_resource(str(trust["$id"]), Resource.from_contents(trust))
    validator = jsonschema.Draft202012Validator(_schema("trust-file-v1"), registry=registry)
    validator.validate(document)
    assert [r["address"] for r in document["roles"]] == [
        "aws_iam_role.deploy",
        "aws_iam_role.org_wide",
        "aws_iam_role.anyone",
        "aws_iam_role.lambda",
    ]
