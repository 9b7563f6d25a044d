"""``authorization-details.json`` holding ``[]``, a list of no pages (the AWS CLI never
writes it: the API answers every call with a page, and an account without users is a page
of four empty lists), was read as an account with no users, groups, roles or policies:
"Users 0" beside a credential report naming two, every user and trust check passed. The
authorization details are now missing, as when a page lacks its lists (exit 3, the reason
named; the users come from the credential report alone)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from keyless.cli import cli
from keyless.collect.offline.export import load_export
from keyless.model import Dataset, DatasetState

ACCOUNT = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "account"


def _export(tmp_path: Path) -> Path:
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    (export / "authorization-details.json").write_text("[]")
    return export


def test_a_list_of_no_pages_is_missing_authorization_details(tmp_path: Path) -> None:
    account = load_export(_export(tmp_path)).accounts[0]
    status = account.datasets[Dataset.AUTHORIZATION_DETAILS]
    assert status.state is DatasetState.MISSING
    assert "authorization-details.json is an empty list" in (status.reason or "")
    assert {user.name for user in account.users} == {"alice", "ci-deploy"}


def test_scan_of_a_list_of_no_pages_is_partial(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["scan", "--input", str(_export(tmp_path)), "--format", "json"]
    )
    assert result.exit_code == 3, result.output
    document = json.loads(result.stdout)
    skipped = {c["check"] for c in document["check_runs"] if c["not_evaluated"]}
    assert "user-admin-with-access-key" in skipped
