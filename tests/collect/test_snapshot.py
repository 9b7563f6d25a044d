"""Snapshots round-trip every model field, refuse unknown versions, and hold no secrets."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

import boto3
import pytest
from moto import mock_aws

from keyless.collect.live.account import collect_account, make_session
from keyless.collect.offline.snapshot import SCHEMA, load_snapshot, write_snapshot
from keyless.errors import InputError
from keyless.model import (
    AccessKey,
    Account,
    AccountAssignment,
    AccountStatus,
    Dataset,
    DatasetState,
    DatasetStatus,
    FailedCall,
    Group,
    IdentityCenter,
    InlinePolicy,
    Inventory,
    LoginProfile,
    ManagedPolicy,
    MfaDevice,
    OidcProvider,
    Organization,
    PermissionSet,
    PolicyRef,
    Role,
    RolesAnywhereProfile,
    RootCredentials,
    SamlProvider,
    TrustAnchor,
    User,
)

ORG_ID = "o-a1b2c3d4e5"

T1 = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
T2 = datetime(2024, 6, 7, 8, 9, 10, 123456, tzinfo=UTC)
DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
KEY = AccessKey(2, False, "AKIAEXAMPLE000000001", T1, T2, "s3", "eu-west-1")
REF = PolicyRef("arn:aws:iam::111111111111:policy/p", "p")
FAILED = FailedCall("iam", "GetCredentialReport", "AccessDenied", "no")


def _everything() -> Inventory:
    """An inventory where every field differs from its default."""
    account = Account(
        id="111111111111",
        alias="alias",
        name="name",
        email="e@example.com",
        partition="aws-us-gov",
        status=AccountStatus.FAILED,
        error="could not assume",
        users=(
            User(
                account_id="111111111111",
                name="u",
                arn="arn:aws:iam::111111111111:user/x/u",
                user_id="AIDA1",
                path="/x/",
                created=T1,
                login_profile=LoginProfile(T1, T2, T1),
                mfa_active=True,
                mfa_devices=(MfaDevice("arn:aws:iam::111111111111:mfa/u", False, T2),),
                access_keys=(KEY,),
                groups=("g",),
                attached_policies=(REF,),
                inline_policies=(InlinePolicy("i", DOC),),
                tags=MappingProxyType({"email": "u@example.com"}),
                permissions_boundary="arn:aws:iam::111111111111:policy/b",
            ),
        ),
        groups=(
            Group(
                "g",
                "arn:aws:iam::111111111111:group/g/g",
                "AGPA1",
                "/g/",
                (REF,),
                (InlinePolicy("gi", DOC),),
            ),
        ),
        roles=(
            Role(
                account_id="111111111111",
                name="r",
                arn="arn:aws:iam::111111111111:role/r/r",
                trust_policy=DOC,
                role_id="AROA1",
                path="/r/",
                created=T1,
                description="d",
                attached_policies=(REF,),
                inline_policies=(InlinePolicy("ri", DOC),),
                last_used=T2,
                last_used_region="us-west-2",
                tags=MappingProxyType({"team": "t"}),
                permissions_boundary="arn:b",
                max_session_duration=7200,
            ),
        ),
        policies=(
            ManagedPolicy(
                "arn:aws:iam::111111111111:policy/p/p", "p", DOC, "ANPA1", "/p/", "v3", 4
            ),
        ),
        oidc_providers=(
            OidcProvider(
                "arn:aws:iam::111111111111:oidc-provider/o", "https://o", ("a",), ("t",), T1
            ),
        ),
        saml_providers=(SamlProvider("arn:aws:iam::111111111111:saml-provider/s", "s", T2, T1),),
        trust_anchors=(
            TrustAnchor(
                "arn:aws:rolesanywhere:us-east-1:111111111111:trust-anchor/ta",
                "ta",
                False,
                "AWS_ACM_PCA",
            ),
        ),
        rolesanywhere_profiles=(
            RolesAnywhereProfile(
                "arn:aws:rolesanywhere:us-east-1:111111111111:profile/rp",
                "rp",
                ("arn:aws:iam::111111111111:role/r/r",),
                False,
            ),
        ),
        root=RootCredentials(False, T2, True, (KEY,)),
        datasets=MappingProxyType(
            {
                Dataset.AUTHORIZATION_DETAILS: DatasetStatus(DatasetState.AVAILABLE),
                Dataset.ROOT: DatasetStatus(DatasetState.MISSING, "no row"),
                Dataset.CREDENTIAL_REPORT: DatasetStatus(DatasetState.FAILED, "denied"),
            }
        ),
        failed_calls=(FAILED,),
        collected_at=T2,
    )
    center = IdentityCenter(
        "arn:sso",
        "d-1",
        (PermissionSet("arn:ps", "ps", "desc", "PT8H", ("arn:m",), ("cm",), DOC),),
        (AccountAssignment("111111111111", "arn:ps", "GROUP", "g-1", "admins"),),
        (FAILED,),
    )
    org = Organization(ORG_ID, "111111111111", center, DatasetStatus(DatasetState.AVAILABLE))
    return Inventory((account,), organization=org, origin="live", collected_at=T1)


def test_every_field_round_trips(tmp_path: Path) -> None:
    inventory = _everything()
    write_snapshot(inventory, tmp_path / "s.json")
    assert load_snapshot(tmp_path / "s.json") == inventory


def test_document_is_versioned(tmp_path: Path) -> None:
    write_snapshot(_everything(), tmp_path / "s.json")
    document = json.loads((tmp_path / "s.json").read_text())
    assert document["schema"] == SCHEMA == "keyless/snapshot/v1"
    assert document["accounts"][0]["sources"]["root"] == {"state": "missing", "reason": "no row"}


def test_unknown_version_names_both_versions(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text('{"schema": "keyless/snapshot/v9", "accounts": []}')
    with pytest.raises(InputError) as caught:
        load_snapshot(tmp_path / "s.json")
    assert "'keyless/snapshot/v9'" in caught.value.message
    assert "'keyless/snapshot/v1'" in caught.value.message
    assert caught.value.where == str(tmp_path / "s.json")


def test_not_a_snapshot(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text('{"UserDetailList": []}')
    with pytest.raises(InputError, match="no schema field"):
        load_snapshot(tmp_path / "s.json")


def test_malformed_snapshot(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text(f'{{"schema": "{SCHEMA}", "accounts": []}}')
    with pytest.raises(InputError, match="malformed snapshot: missing field 'organization'"):
        load_snapshot(tmp_path / "s.json")


def test_malformed_json_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text("{")
    with pytest.raises(InputError, match="malformed JSON at line 1"):
        load_snapshot(tmp_path / "s.json")
    with pytest.raises(InputError, match="cannot read"):
        load_snapshot(tmp_path / "absent.json")


@pytest.fixture
def secrets() -> Iterator[list[str]]:
    """Secrets the emulator handed out while seeding: none may reach a snapshot."""
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        found: list[str] = []
        iam.create_user(UserName="ci")
        found.append(iam.create_access_key(UserName="ci")["AccessKey"]["SecretAccessKey"])
        iam.create_login_profile(UserName="ci", Password="Very-Secret-Passw0rd!")
        found.append("Very-Secret-Passw0rd!")
        device = iam.create_virtual_mfa_device(VirtualMFADeviceName="ci")["VirtualMFADevice"]
        found.append(device["Base32StringSeed"].decode())
        iam.enable_mfa_device(
            UserName="ci",
            SerialNumber=device["SerialNumber"],
            AuthenticationCode1="123456",
            AuthenticationCode2="654321",
        )
        yield found


def test_no_secret_reaches_a_snapshot(secrets: list[str], tmp_path: Path) -> None:
    account = collect_account(make_session(region="us-east-1"))
    assert account.users[0].mfa_devices  # the device (and its seed) was listed
    write_snapshot(Inventory((account,)), tmp_path / "s.json")
    text = (tmp_path / "s.json").read_text()
    for secret in secrets:
        assert secret not in text
    assert not re.search(r"(?i)secret|password\"|seed|token", text)
    assert not re.search(r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])", text)


FIXTURES = Path(__file__).parent / "fixtures"


def test_a_snapshot_written_by_keyless_0_1_still_loads() -> None:
    # Written by the hand-written converters of keyless 0.1.0 (indented, "+00:00" dates)
    # from _everything(): the format is kept compatible, not only self-consistent.
    assert load_snapshot(FIXTURES / "snapshot-v1-written-by-0.1.0.json") == _everything()


def test_an_organization_snapshot_written_by_keyless_0_1_still_loads() -> None:
    inventory = load_snapshot(FIXTURES / "snapshot-v1-org-written-by-0.1.0.json")
    assert [a.id for a in inventory.accounts] == ["111111111111", "222222222222"]
    assert inventory.origin == "export"
    assert inventory.organization is not None
    assert inventory.organization.id == "o-exampleorg1"
