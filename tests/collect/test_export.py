"""Offline export loading: the documented layout, list-of-pages exports, and every kind
of bad input turned into an InputError that names the file and the problem."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from keyless.collect.offline.export import load_export
from keyless.engine import run_checks
from keyless.errors import InputError
from keyless.model import AccountStatus, Dataset, DatasetState

FIXTURES = Path(__file__).parent / "fixtures"
ACCOUNT = FIXTURES / "account"


@pytest.fixture
def export(tmp_path: Path) -> Path:
    """A writable copy of the single-account fixture, to break in one way per test."""
    target = tmp_path / "export"
    shutil.copytree(ACCOUNT, target)
    return target


def test_single_account_is_read_with_its_metadata() -> None:
    inventory = load_export(ACCOUNT)
    (account,) = inventory.accounts
    assert inventory.origin == "export"
    assert inventory.organization is None
    assert (account.id, account.alias, account.name, account.email) == (
        "123456789012",
        "acme-prod",
        "Production",
        "aws-prod@example.com",
    )
    assert account.status is AccountStatus.SCANNED
    assert all(
        account.has(s)
        for s in (
            Dataset.AUTHORIZATION_DETAILS,
            Dataset.CREDENTIAL_REPORT,
            Dataset.ROOT,
            Dataset.OIDC_PROVIDERS,
            Dataset.SAML_PROVIDERS,
            Dataset.MFA_DEVICES,
        )
    )


def test_users_merge_auth_details_report_and_mfa_devices() -> None:
    (account,) = load_export(ACCOUNT).accounts
    users = {u.name: u for u in account.users}
    alice, ci = users["alice"], users["ci-deploy"]
    assert alice.groups == ("admins",)
    assert alice.tag("Email") == "alice@example.com"
    assert alice.login_profile is not None
    assert alice.login_profile.password_last_used == datetime(2024, 6, 15, 7, 30, tzinfo=UTC)
    assert alice.mfa_active
    assert [d.serial for d in alice.mfa_devices] == ["arn:aws:iam::123456789012:mfa/alice"]
    assert alice.access_keys == ()
    assert ci.path == "/ci/"
    assert ci.login_profile is None
    assert ci.permissions_boundary == "arn:aws:iam::123456789012:policy/boundary"
    assert [k.slot for k in ci.active_keys] == [1, 2]
    first, second = ci.access_keys
    assert first.created == datetime(2022, 3, 1, 12, tzinfo=UTC)
    assert (first.last_used_service, first.last_used_region) == ("s3", "eu-west-1")
    assert second.last_used is None


def test_url_encoded_inline_policy_is_decoded() -> None:
    (account,) = load_export(ACCOUNT).accounts
    ci = next(u for u in account.users if u.name == "ci-deploy")
    (inline,) = ci.inline_policies
    assert inline.document["Statement"][0]["Action"] == "s3:PutObject"


def test_only_the_default_policy_version_is_kept() -> None:
    (account,) = load_export(ACCOUNT).accounts
    policy = account.policies_by_arn["arn:aws:iam::123456789012:policy/require-mfa"]
    assert policy.default_version_id == "v2"
    assert "Condition" in policy.document["Statement"][0]
    assert account.policies_by_arn["arn:aws:iam::aws:policy/AdministratorAccess"].is_aws_managed


def test_roles_keep_trust_policy_and_last_used() -> None:
    (account,) = load_export(ACCOUNT).accounts
    role = account.roles_by_name["github-deploy"]
    assert role.trust_policy["Statement"][0]["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert role.last_used == datetime(2024, 6, 1, 10, tzinfo=UTC)
    assert role.last_used_region == "eu-west-1"
    assert role.tags == {"team": "platform"}


def test_root_row_is_read() -> None:
    (account,) = load_export(ACCOUNT).accounts
    root = account.root
    assert root is not None
    assert root.password_enabled
    assert not root.mfa_active
    assert [k.slot for k in root.active_keys] == [1]
    assert root.last_used == datetime(2024, 6, 20, 8, tzinfo=UTC)


def test_providers_are_read() -> None:
    (account,) = load_export(ACCOUNT).accounts
    (oidc,) = account.oidc_providers
    assert oidc.url == "https://token.actions.githubusercontent.com"
    assert oidc.client_ids == ("sts.amazonaws.com",)
    (saml,) = account.saml_providers
    assert saml.name == "okta"
    assert saml.valid_until == datetime(2030, 1, 1, tzinfo=UTC)


def test_organization_of_per_account_directories_with_pages() -> None:
    inventory = load_export(FIXTURES / "org")
    assert [a.id for a in inventory.accounts] == ["111111111111", "222222222222"]
    assert inventory.organization is not None
    assert inventory.organization.id == "o-exampleorg1"
    assert inventory.organization.management_account_id == "111111111111"
    first = inventory.accounts[0]
    assert [u.name for u in first.users] == ["bob"]
    assert [r.name for r in first.roles] == ["cross"]


def test_identity_center_is_not_evaluated_from_an_organization_export() -> None:
    # organization.json names the organization; it says nothing about Identity Center,
    # and the export has no identity-center.json.
    inventory = load_export(FIXTURES / "org")
    runs = {run.check.id: run for run in run_checks(inventory).check_runs}
    assert runs["org-identity-center-missing"].status == "not_evaluated"
    assert inventory.organization is not None
    state = inventory.organization.dataset(Dataset.IDENTITY_CENTER)
    assert state.state is DatasetState.MISSING
    assert "identity-center.json" in state.reason


def _org_with_identity_center(tmp_path: Path, listing: object) -> Path:
    target = tmp_path / "org"
    shutil.copytree(FIXTURES / "org", target)
    (target / "identity-center.json").write_bytes(orjson.dumps(listing))
    return target


INSTANCE = {
    "InstanceArn": "arn:aws:sso:::instance/ssoins-1234567890abcdef",
    "IdentityStoreId": "d-1234567890",
    "Status": "ACTIVE",
}


@pytest.mark.parametrize(
    ("listing", "found"),
    [({"Instances": []}, True), ({"Instances": [INSTANCE]}, False), ([INSTANCE], False)],
)
def test_identity_center_is_evaluated_from_its_listing(
    tmp_path: Path, listing: object, found: bool
) -> None:
    # `aws sso-admin list-instances` in the management account: an empty list is the
    # organization without Identity Center, reported; an instance is not.
    inventory = load_export(_org_with_identity_center(tmp_path, listing))
    result = run_checks(inventory)
    runs = {run.check.id: run for run in result.check_runs}
    assert runs["org-identity-center-missing"].status == "evaluated"
    missing = [f for f in result.findings if f.check == "org-identity-center-missing"]
    assert bool(missing) is found
    assert inventory.organization is not None
    center = inventory.organization.identity_center
    assert (center is None) is found
    if center is not None:
        assert center.identity_store_id == "d-1234567890"


@pytest.mark.parametrize(
    ("listing", "problem"),
    [
        ({"Instances": [{"InstanceArn": "arn:aws:sso:::instance/../../x"}]}, "InstanceArn"),
        ({"Instances": [{**INSTANCE, "IdentityStoreId": "d-12\n"}]}, "IdentityStoreId"),
        ({"Instances": [{"IdentityStoreId": "d-1234567890"}]}, "InstanceArn"),
        ({"Instances": "none"}, "list of objects"),
        ({"InstanceList": []}, "Instances"),
        ({"Instances": [{**INSTANCE, "CreatedDate": "2999-01-01T00:00:00Z"}]}, "CreatedDate"),
    ],
)
def test_an_unreadable_identity_center_listing_is_refused(
    tmp_path: Path, listing: object, problem: str
) -> None:
    with pytest.raises(InputError) as raised:
        load_export(_org_with_identity_center(tmp_path, listing))
    assert problem in str(raised.value)
    assert "identity-center.json" in (raised.value.where or "")


def test_missing_credential_report_is_missing_never_clean() -> None:
    second = load_export(FIXTURES / "org").accounts[1]
    for source in (Dataset.CREDENTIAL_REPORT, Dataset.ROOT):
        status = second.dataset(source)
        assert status.state is DatasetState.MISSING
        assert status.reason == "credential-report.csv not in the export"
    assert second.dataset(Dataset.OIDC_PROVIDERS).state is DatasetState.MISSING


def test_report_without_root_row_marks_root_missing() -> None:
    first = load_export(FIXTURES / "org").accounts[0]
    assert first.has(Dataset.CREDENTIAL_REPORT)
    assert first.dataset(Dataset.ROOT).state is DatasetState.MISSING
    assert "<root_account>" in first.dataset(Dataset.ROOT).reason


def test_account_id_comes_from_arns_without_account_json(export: Path) -> None:
    (export / "account.json").unlink()
    (account,) = load_export(export).accounts
    assert account.id == "123456789012"
    assert account.alias is None


def _error(path: Path) -> InputError:
    with pytest.raises(InputError) as caught:
        load_export(path)
    return caught.value


def test_nonexistent_path(tmp_path: Path) -> None:
    error = _error(tmp_path / "nope")
    assert error.where == str(tmp_path / "nope")
    assert "no such file" in error.message


def test_a_file_instead_of_a_directory() -> None:
    error = _error(ACCOUNT / "account.json")
    assert "directory" in error.message


def test_empty_directory(tmp_path: Path) -> None:
    error = _error(tmp_path)
    assert "authorization-details.json" in error.message
    assert error.where == str(tmp_path)


def test_malformed_json_names_the_position(export: Path) -> None:
    (export / "authorization-details.json").write_text('{"UserDetailList": [\n  {"Arn": }\n]}')
    error = _error(export)
    assert error.where == str(export / "authorization-details.json")
    assert "malformed JSON at line 2" in error.message


def test_list_users_output_is_the_wrong_kind(export: Path) -> None:
    (export / "authorization-details.json").write_text('{"Users": []}')
    error = _error(export)
    assert "aws iam list-users" in error.message


def test_trust_policy_is_the_wrong_kind(export: Path) -> None:
    (export / "authorization-details.json").write_text('{"Version": "2012-10-17", "Statement": []}')
    assert "policy document" in _error(export).message


def test_wrong_kind_of_page_in_a_list_names_the_page(export: Path) -> None:
    (export / "authorization-details.json").write_text('[{"UserDetailList": []}, 3]')
    error = _error(export)
    assert error.where is not None
    assert error.where.endswith("authorization-details.json#/1")


def test_entry_without_a_required_field_is_pointed_at(export: Path) -> None:
    (export / "authorization-details.json").write_text(
        '{"RoleDetailList": [{"RoleName": "x", "Arn": "arn:aws:iam::123456789012:role/x"}]}'
    )
    error = _error(export)
    assert error.where is not None
    assert error.where.endswith("#/RoleDetailList/0")
    assert "AssumeRolePolicyDocument" in error.message


def test_unexpected_csv_columns(export: Path) -> None:
    (export / "credential-report.csv").write_text("UserName,Arn,Secret\nalice,x,y\n")
    error = _error(export)
    assert error.where == str(export / "credential-report.csv")
    assert "unexpected column(s): 'UserName', 'Arn', 'Secret'" in error.message
    assert "missing column(s): user, arn" in error.message


def test_unreadable_credential_report(export: Path) -> None:
    report = export / "credential-report.csv"
    report.unlink()
    report.mkdir()  # a directory cannot be read as a file, even by root
    error = _error(export)
    assert error.where == str(report)
    assert "cannot read" in error.message


def test_conflicting_account_ids(export: Path) -> None:
    (export / "account.json").write_text('{"id": "999999999999"}')
    error = _error(export)
    assert "conflicting account IDs" in error.message
    assert "999999999999" in error.message


def test_listing_file_of_the_wrong_kind(export: Path) -> None:
    (export / "saml-providers.json").write_text('{"Roles": []}')
    error = _error(export)
    assert error.where == str(export / "saml-providers.json")
    assert "SAMLProviderList" in error.message


def test_garbage_collector_is_restored_after_a_failed_load(tmp_path: Path) -> None:
    import gc

    assert gc.isenabled()
    with pytest.raises(InputError):
        load_export(tmp_path)
    assert gc.isenabled()


def test_a_streamed_single_account_is_frozen_before_the_gc_resumes() -> None:
    # Resumed first, the GC's next allocation would walk the whole account just loaded
    # (docs/performance.md, branch perf5); frozen, it is out of the collector's reach.
    import gc

    from keyless.collect.offline.export import stream_export

    gc.unfreeze()
    try:
        inventory, accounts = stream_export(ACCOUNT)
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
        assert [a.id for a in accounts] == [a.id for a in inventory.accounts]
    finally:
        gc.unfreeze()


def test_stream_export_leaves_a_paused_gc_to_its_caller() -> None:
    import gc

    from keyless.collect.offline.export import stream_export

    gc.unfreeze()
    gc.disable()
    try:
        stream_export(ACCOUNT)
        assert not gc.isenabled()
        assert gc.get_freeze_count() == 0
    finally:
        gc.enable()


@pytest.mark.parametrize("partition", ["aws-us-gov", "aws-cn"])
def test_the_account_is_in_the_partition_its_arns_name(export: Path, partition: str) -> None:
    """The export has no partition field: a GovCloud or China account's root finding
    names its own root ARN, not one in ``aws``."""
    for path in export.iterdir():
        text = path.read_text().replace("arn:aws:", f"arn:{partition}:")
        path.write_text(text.replace("arn%3Aaws%3A", f"arn%3A{partition}%3A"))
    inventory = load_export(export)
    (account,) = inventory.accounts
    assert account.partition == partition
    roots = [f for f in run_checks(inventory).findings if f.check.startswith("root-")]
    assert roots
    assert all(f.resource == f"arn:{partition}:iam::{account.id}:root" for f in roots)


def test_an_account_in_the_commercial_partition_stays_there() -> None:
    (account,) = load_export(ACCOUNT).accounts
    assert account.partition == "aws"


def test_account_json_may_be_describe_account(export: Path) -> None:
    """`aws organizations describe-account` (an `Account` object) names the account; it
    was refused as "id must be a string, found object"."""
    (export / "account.json").write_text(
        json.dumps(
            {
                "Account": {
                    "Id": "123456789012",
                    "Arn": "arn:aws:organizations::111111111111:account/o-a1b2c3d4e5/123456789012",
                    "Email": "prod@example.com",
                    "Name": "prod",
                    "Status": "ACTIVE",
                }
            }
        )
    )
    (account,) = load_export(export).accounts
    assert (account.id, account.name, account.email) == ("123456789012", "prod", "prod@example.com")


def test_account_json_from_describe_account_of_another_account_is_refused(export: Path) -> None:
    (export / "account.json").write_text(json.dumps({"Account": {"Id": "999999999999"}}))
    error = _error(export)
    assert "conflicting account IDs: 999999999999 from account.json" in error.message
