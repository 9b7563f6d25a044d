"""`keyless diff` as a user runs it: two snapshots of the demo organization, collected
from the emulator before and after a migration step, differ by exactly that step."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from moto import mock_aws

from keyless.cli import cli
from keyless.collect.demo.build import (
    MEMBER_ROLE,
    create_organization,
    management_session,
    member_session,
    seed_account,
)
from keyless.collect.demo.estate import ESTATE, MANAGEMENT
from keyless.collect.live.organization import collect_organization
from keyless.collect.offline.snapshot import write_snapshot

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "schemas" / "diff-v1.schema.json").read_text())
NOW = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def _migrate(management: Any, accounts: dict[str, str]) -> None:
    """One step of a migration, through the IAM API: the legacy backup user and its two
    keys deleted, ci-deploy's unused second key deactivated, bob's console password
    removed (he signs in through Identity Center now), and a new CI user with a key."""
    prod = member_session(management, accounts["prod"]).client("iam")
    for key in prod.list_access_keys(UserName="legacy-backup")["AccessKeyMetadata"]:
        prod.delete_access_key(UserName="legacy-backup", AccessKeyId=key["AccessKeyId"])
    prod.delete_user(UserName="legacy-backup")
    keys = prod.list_access_keys(UserName="ci-deploy")["AccessKeyMetadata"]
    newest = max(keys, key=lambda k: k["CreateDate"])
    prod.update_access_key(
        UserName="ci-deploy", AccessKeyId=newest["AccessKeyId"], Status="Inactive"
    )
    management.client("iam").delete_login_profile(UserName="bob")
    staging = member_session(management, accounts["staging"]).client("iam")
    staging.create_user(UserName="ci-new", Path="/ci/")
    staging.create_access_key(UserName="ci-new")


@pytest.fixture(scope="module")
def snapshots(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    directory = tmp_path_factory.mktemp("diff")
    before, after = directory / "before.json", directory / "after.json"
    with mock_aws():
        management = management_session()
        _, accounts = create_organization(management, ESTATE)
        for spec in ESTATE:
            account = accounts[spec.label]
            member = spec.label != MANAGEMENT
            session = member_session(management, account) if member else management
            seed_account(session, account, spec, accounts, NOW)
        write_snapshot(collect_organization(management, member_role=MEMBER_ROLE), before)
        _migrate(management, dict(accounts))
        write_snapshot(collect_organization(management, member_role=MEMBER_ROLE), after)
    return before, after, dict(accounts)


def _run(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result


def _diff(before: Path, after: Path) -> dict[str, Any]:
    result = _run("diff", str(before), str(after), "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def _scan(snapshot: Path) -> dict[str, Any]:
    result = _run("scan", "--snapshot", str(snapshot), "--format", "json")
    return json.loads(result.stdout)


def _by_label(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["label"].split(" ")[0]: a for a in document["accounts"]}


def test_the_document_validates(snapshots: tuple[Path, Path, dict[str, str]]) -> None:
    jsonschema.validate(_diff(*snapshots[:2]), SCHEMA)


def test_exactly_the_changed_users(snapshots: tuple[Path, Path, dict[str, str]]) -> None:
    accounts = _by_label(_diff(*snapshots[:2]))
    changes = {
        label: (
            [u["name"] for u in a["users"]["added"]],
            [u["name"] for u in a["users"]["removed"]],
            [(u["name"], u["change"]) for u in a["users"]["changed"]],
        )
        for label, a in accounts.items()
    }
    assert changes == {
        "acme-mgmt": ([], [], [("bob", "console password removed")]),
        "acme-prod": ([], ["legacy-backup"], []),
        "acme-staging": (["ci-new"], [], []),
        "acme-sandbox": ([], [], []),
    }


def test_exactly_the_changed_keys(snapshots: tuple[Path, Path, dict[str, str]]) -> None:
    accounts = _by_label(_diff(*snapshots[:2]))
    changes = {
        label: {
            kind: sorted((k["user_arn"].rsplit("/", 1)[1], k["slot"]) for k in keys)
            for kind, keys in a["keys"].items()
            if keys
        }
        for label, a in accounts.items()
    }
    assert changes == {
        "acme-mgmt": {},
        "acme-prod": {
            "removed": [("legacy-backup", 1), ("legacy-backup", 2)],
            "deactivated": [("ci-deploy", 2)],
        },
        "acme-staging": {"added": [("ci-new", 1)]},
        "acme-sandbox": {},
    }


def _findings(findings: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
    """Findings as (check, resource) counts: a finding whose message changed (a user with
    one key fewer) is still the same finding."""
    return Counter((f["check"], f["resource"]) for f in findings)


def test_exactly_the_changed_findings(snapshots: tuple[Path, Path, dict[str, str]]) -> None:
    before, after, _ = snapshots
    old, new = _findings(_scan(before)["findings"]), _findings(_scan(after)["findings"])
    diff = _diff(before, after)
    reported_new = _findings([f for a in diff["accounts"] for f in a["findings"]["new"]])
    reported_fixed = _findings([f for a in diff["accounts"] for f in a["findings"]["fixed"]])
    assert reported_new == new - old
    assert reported_fixed == old - new
    assert diff["totals"]["findings_unverified"] == 0
    assert diff["totals"]["findings_unchanged"] == sum((old & new).values())
    touched = {resource.rsplit("/", 1)[1] for _, resource in reported_new + reported_fixed}
    assert touched == {"legacy-backup", "ci-deploy", "bob", "ci-new"}


def test_scan_documents_compare_like_their_snapshots(
    snapshots: tuple[Path, Path, dict[str, str]], tmp_path: Path
) -> None:
    before, after, _ = snapshots
    documents = []
    for snapshot in (before, after):
        path = tmp_path / f"{snapshot.stem}-scan.json"
        path.write_text(json.dumps(_scan(snapshot)))
        documents.append(path)
    from_snapshots = _diff(before, after)
    from_documents = _diff(*documents)
    assert from_documents["accounts"] == from_snapshots["accounts"]


def test_new_high_findings_exit_1_and_none_exit_0(
    snapshots: tuple[Path, Path, dict[str, str]],
) -> None:
    before, after, _ = snapshots
    assert _run("diff", str(after), str(before), "--fail-on", "medium").exit_code == 1
    assert _run("diff", str(before), str(before)).exit_code == 0


def test_a_missing_file_is_exit_2_naming_it(tmp_path: Path) -> None:
    result = _run("diff", str(tmp_path / "nope.json"), str(tmp_path / "nope.json"))
    assert result.exit_code == 2
    assert "nope.json: does not exist" in result.stderr


def test_a_recorded_scan_without_a_store_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = _run("diff", "@1", "@latest")
    assert result.exit_code == 2
    assert "no history store" in result.stderr
