"""`keyless scan` / `collect` / `checks` as a user runs them: exit codes, JSON schema,
bad input, configuration."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from keyless.cli import cli

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "tests" / "collect" / "fixtures" / "account"
ORG = ROOT / "tests" / "collect" / "fixtures" / "org"
SCHEMA = json.loads((ROOT / "docs" / "schemas" / "scan-v1.schema.json").read_text())


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def scan_json(*args: str) -> tuple[int, dict]:
    code, out, _ = run("scan", *args, "--format", "json")
    return code, json.loads(out)


def test_export_scan_json_matches_schema_and_names_resources() -> None:
    code, document = scan_json("--input", str(ACCOUNT))
    jsonschema.validate(document, SCHEMA)
    assert code == 1
    by_check = {(f["check"], f["resource"]) for f in document["findings"]}
    assert ("key-not-rotated", "arn:aws:iam::123456789012:user/ci/ci-deploy") in by_check
    assert ("root-access-key", "arn:aws:iam::123456789012:root") in by_check
    assert document["accounts"][0]["status"] == "scanned"


def test_missing_credential_report_is_not_evaluated_never_clean(tmp_path: Path) -> None:
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    (export / "credential-report.csv").unlink()
    _, document = scan_json("--input", str(export))
    runs = {r["check"]: r for r in document["check_runs"]}
    for check in ("key-not-rotated", "key-unused", "root-access-key", "user-console-without-mfa"):
        assert runs[check]["status"] == "not_evaluated"
        assert "credential" in runs[check]["not_evaluated"][0]["reason"]
    assert not any(f["check"] == "key-not-rotated" for f in document["findings"])
    assert runs["user-direct-policy"]["status"] == "evaluated"


def test_text_report_lists_what_was_not_evaluated(tmp_path: Path) -> None:
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    (export / "credential-report.csv").unlink()
    _, out, _ = run("scan", "--input", str(export))
    assert "NOT EVALUATED" in out
    assert "key-not-rotated" in out


@pytest.mark.parametrize(("fail_on", "expected"), [("critical", 1), ("info", 1)])
def test_fail_on_threshold(fail_on: str, expected: int) -> None:
    code, _, _ = run("scan", "--input", str(ACCOUNT), "--fail-on", fail_on, "--format", "json")
    assert code == expected


def test_fail_on_above_every_finding_exits_zero(tmp_path: Path) -> None:
    config = tmp_path / "keyless.toml"
    config.write_text('[[ignore]]\ncheck = "*"\nreason = "accepted for this test"\n')
    code, document = scan_json("--input", str(ACCOUNT), "--config", str(config))
    assert code == 0
    assert document["findings"] == []
    assert document["suppressed"]
    assert all(s["reason"] == "accepted for this test" for s in document["suppressed"])


def test_ignore_without_reason_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "keyless.toml"
    config.write_text('[[ignore]]\ncheck = "key-unused"\n')
    code, _, err = run("scan", "--input", str(ACCOUNT), "--config", str(config))
    assert code == 2
    assert "reason" in err
    assert "Traceback" not in err


def test_thresholds_from_config_change_findings(tmp_path: Path) -> None:
    config = tmp_path / "keyless.toml"
    config.write_text("[thresholds]\nkey_max_age_days = 100000\n")
    _, document = scan_json("--input", str(ACCOUNT), "--config", str(config))
    assert not any(f["check"] == "key-not-rotated" for f in document["findings"])


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{not json", "malformed JSON"),
        ('{"Policies": "wrong"}', "authorization-details.json"),
        ('[{"Statement": []}]', "authorization-details.json"),
    ],
)
def test_bad_export_exits_2_with_a_clear_message(tmp_path: Path, content: str, needle: str) -> None:
    (tmp_path / "authorization-details.json").write_text(content)
    code, out, err = run("scan", "--input", str(tmp_path))
    assert code == 2
    assert needle in err
    assert "Traceback" not in err + out


def test_unknown_snapshot_version_exits_2(tmp_path: Path) -> None:
    snapshot = tmp_path / "snap.json"
    snapshot.write_text('{"schema": "keyless/snapshot/v99"}')
    code, _, err = run("scan", "--snapshot", str(snapshot))
    assert code == 2
    assert "v99" in err


def test_two_sources_are_a_usage_error() -> None:
    code, _, err = run("scan", "--input", str(ACCOUNT), "--demo")
    assert code == 2
    assert "choose one source" in err


def test_unknown_check_id_exits_2() -> None:
    code, _, err = run("scan", "--input", str(ACCOUNT), "--checks", "no-such-check")
    assert code == 2
    assert "no-such-check" in err


def test_selected_checks_only() -> None:
    _, document = scan_json("--input", str(ACCOUNT), "--checks", "key-two-active")
    assert {r["check"] for r in document["check_runs"]} == {"key-two-active"}
    assert {f["check"] for f in document["findings"]} == {"key-two-active"}


def test_output_file(tmp_path: Path) -> None:
    out_file = tmp_path / "report.json"
    code, out, _ = run(
        "scan", "--input", str(ACCOUNT), "--format", "json", "--output", str(out_file)
    )
    assert code == 1
    assert out == ""
    assert json.loads(out_file.read_text())["schema"] == "keyless/scan/v1"


def test_collect_snapshot_round_trips_through_scan(tmp_path: Path) -> None:
    snapshot = tmp_path / "estate.json"
    code, _, _ = run("collect", "--input", str(ORG), "--out", str(snapshot))
    assert code == 0
    _, direct = scan_json("--input", str(ORG))
    _, replayed = scan_json("--snapshot", str(snapshot))
    assert replayed["findings"] == direct["findings"]
    assert [a["id"] for a in replayed["accounts"]] == [a["id"] for a in direct["accounts"]]


def test_checks_lists_the_catalogue() -> None:
    code, out, _ = run("checks", "--format", "json")
    assert code == 0
    ids = {c["id"] for c in json.loads(out)["checks"]}
    assert {"key-not-rotated", "user-for-workload", "root-access-key"} <= ids


def test_sarif_output_validates_against_the_sarif_schema() -> None:
    schema = json.loads(
        (ROOT / "tests" / "workflows" / "schemas" / "sarif-2.1.0-rtm.5.json").read_text()
    )
    code, out, _ = run("scan", "--input", str(ACCOUNT), "--format", "sarif")
    log = json.loads(out)
    jsonschema.validate(log, schema)
    assert code == 1
    results = log["runs"][0]["results"]
    rules = {rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert {r["ruleId"] for r in results} <= rules
    assert any(
        r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
        == "arn:aws:iam::123456789012:user/ci/ci-deploy"
        for r in results
    )


def test_unknown_profile_exits_2_without_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run("scan", "--profile", "no-such-profile")
    assert code == 2
    assert "no-such-profile" in err
    assert "Traceback" not in err + out


def test_no_credentials_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    code, _, err = run("scan")
    assert code == 2
    assert "credentials" in err
