"""An organization's data held to AWS Organizations' grammars.

The organization ID (``o-`` and 10 to 32 lower-case letters or digits) names the
organization in reports and decides which shards merge; its management account (12
digits) is judged by the organization's checks. ``organization.json`` and a snapshot (or a
shard's) holding another (``o-1``, ``../x``, a line break) were read as they were; they
are now refused by JSON pointer (exit 2). Live, an account whose state AWS Organizations
does not document was skipped as if suspended (exit 0): it is now unread (exit 3).
https://docs.aws.amazon.com/organizations/latest/APIReference/API_Organization.html
https://docs.aws.amazon.com/organizations/latest/APIReference/API_Account.html
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from click.testing import CliRunner
from moto import mock_aws

from keyless.cli import cli
from keyless.collect.live.account import make_session
from keyless.collect.live.organization import collect_organization
from keyless.collect.shard import Shard, shard_of
from keyless.errors import AwsUnavailable
from keyless.model import AccountStatus, Inventory

ORG = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "org"

BAD_ORGANIZATION_IDS = [
    pytest.param("o-1", id="short"),
    pytest.param("o-EXAMPLEORG1", id="capitals"),
    pytest.param("o-exampleorg1\n[x]", id="newline"),
    pytest.param("../o-exampleorg1", id="path"),
    pytest.param("o-" + "a" * 33, id="33"),
]
BAD_ACCOUNT_IDS = [
    pytest.param("12345", id="short"),
    pytest.param("\u0661" * 12, id="arabic-digits"),
    pytest.param("111111111111 ", id="space"),
]


def run(*args: str | Path) -> Any:
    return CliRunner().invoke(cli, [str(a) for a in args])


def _export(tmp_path: Path, organization: object) -> Path:
    target = tmp_path / "org"
    shutil.copytree(ORG, target)
    (target / "organization.json").write_text(json.dumps(organization))
    return target


@pytest.mark.parametrize("value", BAD_ORGANIZATION_IDS)
def test_an_organization_id_outside_the_grammar_is_refused_in_an_export(
    tmp_path: Path, value: str
) -> None:
    export = _export(tmp_path, {"id": value, "management_account_id": "111111111111"})
    result = run("scan", "--input", export)
    assert result.exit_code == 2, result.output
    assert "organization.json#/id: OrganizationId " in result.stderr
    assert "is not one AWS allows" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("value", BAD_ACCOUNT_IDS)
def test_a_management_account_outside_the_grammar_is_refused_in_an_export(
    tmp_path: Path, value: str
) -> None:
    organization = {"Organization": {"Id": "o-exampleorg1", "MasterAccountId": value}}
    result = run("scan", "--input", _export(tmp_path, organization))
    assert result.exit_code == 2, result.output
    assert "organization.json#/Organization/MasterAccountId: AccountId " in result.stderr


def test_describe_organization_output_is_read(tmp_path: Path) -> None:
    organization = {
        "Organization": {"Id": "o-a1b2c3d4e5", "MasterAccountId": "111111111111"},
    }
    out = tmp_path / "snapshot.json"
    result = run("collect", "--input", _export(tmp_path, organization), "--out", out)
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["organization"]["id"] == "o-a1b2c3d4e5"


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("snapshot") / "snapshot.json"
    result = run("collect", "--input", ORG, "--out", path)
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def _edited(snapshot: dict[str, Any], tmp_path: Path, key: str, value: object) -> Path:
    document = json.loads(json.dumps(snapshot))
    document["organization"][key] = value
    path = tmp_path / f"edited-{key}.json"
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize(
    ("key", "value"),
    [
        *(pytest.param("id", p.values[0], id=f"id-{p.id}") for p in BAD_ORGANIZATION_IDS),
        *(
            pytest.param("management_account_id", p.values[0], id=f"management-{p.id}")
            for p in BAD_ACCOUNT_IDS
        ),
    ],
)
def test_an_organization_outside_the_grammar_is_refused_in_a_snapshot(
    snapshot: dict[str, Any], tmp_path: Path, key: str, value: str
) -> None:
    result = run("scan", "--snapshot", _edited(snapshot, tmp_path, key, value))
    assert result.exit_code == 2, result.output
    assert f"#/organization/{key}: malformed snapshot: " in result.stderr
    assert "is not one AWS allows" in result.stderr


def test_an_organization_of_unknown_id_is_read_from_a_snapshot(
    snapshot: dict[str, Any], tmp_path: Path
) -> None:
    """An export without organization.json is an organization whose ID is not known."""
    path = _edited(snapshot, tmp_path, "id", "")
    document = json.loads(path.read_text())
    document["organization"]["management_account_id"] = ""
    path.write_text(json.dumps(document))
    result = run("scan", "--snapshot", path)
    assert result.exit_code in (0, 1, 3), result.output  # the fixture's findings


def test_a_shard_of_an_organization_outside_the_grammar_is_refused_by_merge(
    snapshot: dict[str, Any], tmp_path: Path
) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(snapshot))
    bad = _edited(snapshot, tmp_path, "id", "o-1")
    result = run("merge", good, bad, "--out", tmp_path / "merged.json")
    assert result.exit_code == 2, result.output
    assert "edited-id.json#/organization/id: malformed snapshot: " in result.stderr
    assert not (tmp_path / "merged.json").exists()


# -- live: what AWS Organizations answers ------------------------------------------------

MEMBER = {"Id": "111111111111", "Name": "prod", "Email": "p@example.com"}


@pytest.fixture
def organization() -> Iterator[None]:
    with mock_aws():
        boto3.client("organizations", region_name="us-east-1").create_organization(FeatureSet="ALL")
        yield


def _collect(operation: str, body: dict[str, Any], shard: Shard | None = None) -> Inventory:
    def answer(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        reply = {**body, "ResponseMetadata": {"HTTPStatusCode": 200}}
        return AWSResponse("https://organizations.invalid/", 200, {}, None), reply

    session = make_session(region="us-east-1")
    session.events.register(f"before-call.organizations.{operation}", answer)
    return collect_organization(session, max_workers=1, shard=shard)


@pytest.mark.parametrize(
    "listed",
    [
        {"State": "ACTIVE\n"},
        {"State": "Active"},
        {"State": "DELETED"},
        {"Status": "CLOSED"},  # a State, not one of the deprecated Status's values
        {},
    ],
    ids=["newline", "case", "undocumented", "status-closed", "none"],
)
def test_an_account_in_an_undocumented_state_is_unread(
    organization: None, listed: dict[str, str]
) -> None:
    inventory = _collect("ListAccounts", {"Accounts": [{**MEMBER, **listed}]})
    (account,) = inventory.accounts
    assert account.status is AccountStatus.FAILED
    assert account.error is not None
    assert "which keyless does not know: not collected" in account.error
    assert not inventory.is_complete  # exit 3, never a clean skip


@pytest.mark.parametrize(
    ("listed", "said"),
    [
        ({"Name": "prod\n[profile x]"}, "AccountName 'prod\\n[profile x]' is not one AWS allows"),
        ({"Name": "n" * 51}, "AccountName"),
        ({"Email": "ops@exa mple.com"}, "AccountEmail 'ops@exa mple.com' is not one AWS allows"),
    ],
    ids=["name-newline", "name-51", "email-space"],
)
def test_an_account_listed_with_a_name_outside_the_grammar_is_unread(
    organization: None, listed: dict[str, str], said: str
) -> None:
    """Collected, its name reached the snapshot, which `scan --snapshot` then refused."""
    inventory = _collect("ListAccounts", {"Accounts": [{**MEMBER, "State": "ACTIVE", **listed}]})
    (account,) = inventory.accounts
    assert account.status is AccountStatus.FAILED
    assert (account.name, account.email) == (None, None)
    assert account.error is not None
    assert said in account.error
    assert not inventory.is_complete


@pytest.mark.parametrize(
    "listed",
    [{"State": "SUSPENDED"}, {"State": "CLOSED"}, {"State": "PENDING_ACTIVATION"}],
    ids=["suspended", "closed", "pending"],
)
def test_an_account_in_a_documented_inactive_state_is_skipped(
    organization: None, listed: dict[str, str]
) -> None:
    inventory = _collect("ListAccounts", {"Accounts": [{**MEMBER, **listed}]})
    (account,) = inventory.accounts
    assert account.status is AccountStatus.SKIPPED
    assert inventory.is_complete


def test_an_undocumented_state_is_unread_by_its_own_shard_only(organization: None) -> None:
    """Every shard lists every account: only the shard that owns it reports it unread,
    so the shards still merge (two unread copies would overlap)."""
    owner = shard_of(MEMBER["Id"], 2)
    states = {}
    for index in range(2):
        body = {"Accounts": [{**MEMBER, "State": "DELETED"}]}
        (account,) = _collect("ListAccounts", body, Shard(index, 2)).accounts
        states[index] = account.status
    assert states == {owner: AccountStatus.FAILED, 1 - owner: AccountStatus.SKIPPED}


@pytest.mark.parametrize("value", ["o-1", "o-exampleorg1\n", "O-EXAMPLEORG1"])
def test_an_organization_described_with_an_id_outside_the_grammar_is_unread(
    organization: None, value: str
) -> None:
    body = {"Organization": {"Id": value, "MasterAccountId": "123456789012"}}
    with pytest.raises(AwsUnavailable) as raised:
        _collect("DescribeOrganization", body)
    assert raised.value.exit_code == 3
    assert "is no organization ID" in raised.value.message
