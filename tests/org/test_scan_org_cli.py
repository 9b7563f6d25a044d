"""`keyless scan --org` and `keyless collect --org` end to end, as a user runs them,
against the moto server (AWS_ENDPOINT_URL) started by the session fixture."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from tests.org.conftest import MANAGEMENT, Estate


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def endpoint(estate: Estate, monkeypatch: pytest.MonkeyPatch) -> Estate:
    monkeypatch.setenv("AWS_ENDPOINT_URL", estate.endpoint)
    return estate


def test_scan_org_selected_accounts_json(endpoint: Estate) -> None:
    chosen = [MANAGEMENT, *endpoint.members[:4]]
    # The emulator's credential reports have no root row: the root checks are not
    # evaluated, which this test accepts (--allow-partial) to look at the findings.
    code, out, err = run(
        "scan",
        "--org",
        "--accounts",
        ",".join(chosen),
        "--max-workers",
        "4",
        "--format",
        "json",
        "--allow-partial",
    )
    document = json.loads(out)
    statuses = {a["id"]: a["status"] for a in document["accounts"]}
    assert code == 1
    assert {statuses[a] for a in chosen} == {"scanned"}
    assert statuses[endpoint.members[10]] == "skipped"
    assert document["organization"]["management_account"] == MANAGEMENT
    people = [f for f in document["findings"] if f["check"] == "user-duplicated-across-accounts"]
    assert any("alice" in f["message"].lower() for f in people)
    ranked = [a for a in document["summary"]["accounts"] if a["rank"] is not None]
    assert [a["rank"] for a in ranked] == list(range(1, len(chosen) + 1))
    assert "Traceback" not in err


def test_collect_org_then_scan_the_snapshot(endpoint: Estate, tmp_path: Path) -> None:
    snapshot = tmp_path / "org.json"
    chosen = ",".join([MANAGEMENT, *endpoint.members[:2]])
    code, _, _ = run("collect", "--org", "--accounts", chosen, "--out", str(snapshot))
    assert code == 0
    code, out, _ = run("scan", "--snapshot", str(snapshot), "--format", "json")
    document = json.loads(out)
    assert document["organization"] is not None
    assert not document["fully_evaluated"]
    not_evaluated = {r["check"] for r in document["check_runs"] if r["status"] == "not_evaluated"}
    assert "root-without-mfa" in not_evaluated
    assert code == 3
    code, _, _ = run("scan", "--snapshot", str(snapshot), "--allow-partial")
    assert code == 1


def test_org_only_flags_without_org_are_a_usage_error() -> None:
    code, _, err = run("scan", "--demo", "--accounts", "123456789012")
    assert code == 2
    assert "--org" in err


def test_org_text_header_names_the_organization_once(endpoint: Estate) -> None:
    _, out, _ = run("scan", "--org", "--accounts", MANAGEMENT, "--allow-partial")
    header = out.splitlines()[0]
    assert header.startswith("keyless scan — organization o-")
    assert "organization organization" not in header
