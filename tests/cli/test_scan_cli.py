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
    assert "checks: account-*, key-*, user-*" in out  # one row for the missing report
    assert "credential-report.csv" in out


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
    # one moment for both: an export scan measures ages against the clock and a snapshot
    # against its collected_at (the export's modification time), a day apart after midnight
    now = "2026-06-01T00:00:00Z"
    _, direct = scan_json("--input", str(ORG), "--now", now)
    _, replayed = scan_json("--snapshot", str(snapshot), "--now", now)
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


# --- nothing hidden: suppressed findings are named, with the rule and the file ---


def write_config(tmp_path: Path, text: str) -> Path:
    config = tmp_path / "keyless.toml"
    config.write_text(text)
    return config


CI_IGNORE = (
    '[[ignore]]\ncheck = "key-not-rotated"\nreason = "rotation booked for Q3"\n'
    '[[ignore]]\ncheck = "*"\nresource = "arn:aws:iam::*:user/ci/*"\n'
    'reason = "CI users are being migrated"\n'
)


def test_text_report_names_suppressed_findings_their_rules_and_the_file(tmp_path: Path) -> None:
    config = write_config(tmp_path, CI_IGNORE)
    _, out, _ = run("scan", "--input", str(ACCOUNT), "--config", str(config))
    _, document = scan_json("--input", str(ACCOUNT), "--config", str(config))
    count = len(document["suppressed"])
    assert count > 0
    assert f"SUPPRESSED — {count} findings" in out
    assert f"{count} findings suppressed by {config}:" in out
    assert "CI users are being migrated" in out
    assert "arn:aws:iam::*:user/ci/*" in out
    assert "rotation booked for Q3" in out


def test_everything_suppressed_is_not_reported_as_no_findings(tmp_path: Path) -> None:
    config = write_config(tmp_path, '[[ignore]]\ncheck = "*"\nreason = "accepted"\n')
    code, out, _ = run("scan", "--input", str(ACCOUNT), "--config", str(config))
    assert code == 0
    assert "No findings." not in out
    assert "No findings reported;" in out
    assert f"suppressed by {config}" in out


def test_json_suppressed_entries_name_their_ignore_rule(tmp_path: Path) -> None:
    config = write_config(tmp_path, CI_IGNORE)
    _, document = scan_json("--input", str(ACCOUNT), "--config", str(config))
    jsonschema.validate(document, SCHEMA)
    assert document["config"] == str(config)
    rules = {s["ignore"]["rule"] for s in document["suppressed"]}
    assert rules == {1, 2}
    rotated = next(s for s in document["suppressed"] if s["check"] == "key-not-rotated")
    assert rotated["ignore"] == {
        "file": str(config),
        "rule": 1,
        "check": "key-not-rotated",
        "resource": "*",
        "account": "*",
    }


def test_sarif_includes_suppressed_results_with_their_justification(tmp_path: Path) -> None:
    schema = json.loads(
        (ROOT / "tests" / "workflows" / "schemas" / "sarif-2.1.0-rtm.5.json").read_text()
    )
    config = write_config(tmp_path, CI_IGNORE)
    _, out, _ = run("scan", "--input", str(ACCOUNT), "--config", str(config), "--format", "sarif")
    _, document = scan_json("--input", str(ACCOUNT), "--config", str(config))
    log = json.loads(out)
    jsonschema.validate(log, schema)
    results = log["runs"][0]["results"]
    suppressed = [r for r in results if r["suppressions"]]
    assert len(suppressed) == len(document["suppressed"])
    assert len(results) == len(document["findings"]) + len(document["suppressed"])
    kinds = {
        (s["kind"], s["status"], s["justification"]) for r in suppressed for s in r["suppressions"]
    }
    assert ("external", "accepted", "CI users are being migrated") in kinds
    where = suppressed[0]["suppressions"][0]["location"]["physicalLocation"]["artifactLocation"]
    assert where["uri"].endswith("keyless.toml")


def test_an_ignore_naming_an_unknown_check_is_an_error(tmp_path: Path) -> None:
    config = write_config(tmp_path, '[[ignore]]\ncheck = "key-unsed"\nreason = "typo"\n')
    code, out, err = run("scan", "--input", str(ACCOUNT), "--config", str(config))
    assert code == 2
    assert out == ""
    assert f"{config} [[ignore]] #1" in err
    assert "'key-unsed'" in err
    assert "Did you mean 'key-unused'?" in err


def test_an_ignore_may_name_a_workflows_check(tmp_path: Path) -> None:
    config = write_config(
        tmp_path, '[[ignore]]\ncheck = "workflow-static-aws-keys"\nreason = "vendored"\n'
    )
    code, _, _ = run("scan", "--input", str(ACCOUNT), "--config", str(config))
    assert code == 1


# --- not evaluated is not clean ---


def export_without_credential_report(tmp_path: Path) -> Path:
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    (export / "credential-report.csv").unlink()
    return export


def test_a_scan_whose_checks_could_not_run_exits_3(tmp_path: Path) -> None:
    code, document = scan_json("--input", str(export_without_credential_report(tmp_path)))
    assert code == 3
    assert document["complete"] is True
    assert document["fully_evaluated"] is False


def test_allow_partial_accepts_a_partial_scan(tmp_path: Path) -> None:
    export = export_without_credential_report(tmp_path)
    code, out, _ = run("scan", "--input", str(export), "--allow-partial", "--fail-on", "critical")
    assert code == 0
    assert "Partial scan accepted (--allow-partial): 12 checks not evaluated." in out


def test_the_footer_says_why_a_partial_scan_exits_3(tmp_path: Path) -> None:
    _, out, _ = run("scan", "--input", str(export_without_credential_report(tmp_path)))
    assert "12 checks could not run everywhere they apply" in out
    assert "--allow-partial" in out


def test_not_applicable_checks_do_not_make_a_scan_partial() -> None:
    code, document = scan_json("--input", str(ACCOUNT))
    statuses = {r["status"] for r in document["check_runs"]}
    assert "not_applicable" in statuses
    assert document["fully_evaluated"] is True
    assert code == 1


# --- ages of a snapshot are measured against when it was collected ---


def old_snapshot(tmp_path: Path) -> Path:
    """A snapshot collected on 2025-06-01 holding one key created 100 days before."""
    from keyless.collect.offline.snapshot import write_snapshot
    from tests.builders import NOW, make_account, make_inventory, make_key, make_user

    user = make_user("ci", keys=[make_key(age_days=100, last_used_days=1)])
    snapshot = tmp_path / "estate.json"
    write_snapshot(make_inventory(make_account(users=[user]), now=NOW), snapshot)
    return snapshot


def key_age(document: dict) -> int:
    finding = next(f for f in document["findings"] if f["check"] == "key-not-rotated")
    return int(finding["evidence"]["age_days"])


def test_snapshot_ages_are_measured_against_its_collected_at(tmp_path: Path) -> None:
    _, document = scan_json("--snapshot", str(old_snapshot(tmp_path)))
    assert key_age(document) == 100
    assert document["now"] == "2025-06-01T12:00:00Z"
    assert document["now_basis"] == "snapshot"


def test_scanning_a_snapshot_twice_gives_the_same_document(tmp_path: Path) -> None:
    snapshot = old_snapshot(tmp_path)
    first = run("scan", "--snapshot", str(snapshot), "--format", "json")
    second = run("scan", "--snapshot", str(snapshot), "--format", "json")
    assert first == second


def test_now_option_sets_the_time_ages_are_measured_against(tmp_path: Path) -> None:
    snapshot = old_snapshot(tmp_path)
    _, document = scan_json("--snapshot", str(snapshot), "--now", "2025-07-01T12:00:00Z")
    assert key_age(document) == 130
    assert document["now_basis"] == "option"


def test_a_live_kind_of_scan_uses_the_current_time() -> None:
    _, document = scan_json("--input", str(ACCOUNT))
    assert document["now_basis"] == "clock"


# --- smaller ---


def test_collect_does_not_offer_snapshot() -> None:
    _, out, _ = run("collect", "--help")
    assert "--snapshot" not in out


def test_a_workflows_check_id_says_which_command_runs_it() -> None:
    code, _, err = run("scan", "--input", str(ACCOUNT), "--checks", "workflow-static-aws-keys")
    assert code == 2
    assert "workflow-static-aws-keys is a workflows check" in err
    assert "keyless workflows scan PATH --checks workflow-static-aws-keys" in err


def test_an_unwritable_output_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    # The export is malformed: had it been read first, the error would name it.
    (tmp_path / "authorization-details.json").write_text("{not json")
    missing = tmp_path / "no-such-dir" / "report.json"
    code, _, err = run("scan", "--input", str(tmp_path), "--output", str(missing))
    assert code == 2
    assert "the report (--output)" in err
    assert "authorization-details.json" not in err


def test_an_unwritable_snapshot_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    (tmp_path / "authorization-details.json").write_text("{not json")
    missing = tmp_path / "no-such-dir" / "estate.json"
    code, _, err = run("collect", "--input", str(tmp_path), "--out", str(missing))
    assert code == 2
    assert "the snapshot (--out)" in err
    assert "authorization-details.json" not in err


def test_what_collect_could_not_read_is_one_printable_line_each() -> None:
    from keyless.cli.sources import unread_lines
    from keyless.model import AccountStatus, FailedCall
    from tests.builders import make_account, make_inventory

    failed = make_account("111111111111", status=AccountStatus.FAILED, error="denied\nforged")
    denied = make_account(
        "222222222222", failed_calls=(FailedCall("iam", "GetCredentialReport", "AccessDenied", ""),)
    )
    lines = unread_lines(make_inventory(failed, denied))
    assert lines == [
        "account 111111111111: denied\\nforged",
        "222222222222: iam:GetCredentialReport failed: AccessDenied",
    ]


@pytest.mark.parametrize("command", ["scan", "collect"])
def test_member_role_without_org_is_refused(command: str, tmp_path: Path) -> None:
    """--member-role has a default, so it used to be ignored silently without --org."""
    arguments = [command, "--demo", "--member-role", "Auditor"]
    if command == "collect":
        arguments += ["--out", str(tmp_path / "snapshot.json")]
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 2
    assert "--member-role only applies with --org" in result.output
