"""Impossible values in a snapshot are refused with the file and the JSON pointer of the
value; failures recorded at collection survive the snapshot; no model field can hold a
secret."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from keyless.collect.offline.export import load_export
from keyless.collect.offline.snapshot import load_snapshot, write_snapshot
from keyless.errors import InputError
from keyless.model import (
    AccessKey,
    Account,
    AccountStatus,
    DatasetState,
    DatasetStatus,
    FailedCall,
    IdentityCenter,
    Inventory,
    Organization,
    SamlProvider,
)
from tests.builders import make_account, make_user
from tests.collect.test_snapshot_fields import model_classes

ORG_ID = "o-a1b2c3d4e5"

COLLECTED = datetime(2025, 6, 1, tzinfo=UTC)
KEY = AccessKey(slot=1, active=True, created=datetime(2024, 1, 1, tzinfo=UTC))


def _document(tmp_path: Path) -> dict[str, Any]:
    account = dataclasses.replace(
        make_account(users=[make_user("ci", keys=[KEY])]),
        collected_at=COLLECTED,
        saml_providers=(SamlProvider("arn:aws:iam::111122223333:saml-provider/okta", "okta"),),
    )
    write_snapshot(Inventory((account,), collected_at=COLLECTED), tmp_path / "good.json")
    document: dict[str, Any] = json.loads((tmp_path / "good.json").read_text())
    return document


KEY_POINTER = "/accounts/0/users/0/access_keys/0"


def _set(pointer: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(document: dict[str, Any]) -> None:
        *path, last = pointer.strip("/").split("/")
        target: Any = document
        for step in path:
            target = target[int(step)] if isinstance(target, list) else target[step]
        target[last] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "pointer", "message"),
    [
        (_set(f"{KEY_POINTER}/created", "2999-01-01T00:00:00Z"), f"{KEY_POINTER}/created",
         "after the data was collected"),
        (_set(f"{KEY_POINTER}/created", "2025-06-05T00:00:00Z"), f"{KEY_POINTER}/created",
         "after the data was collected"),
        (_set(f"{KEY_POINTER}/created", "yesterday"), f"{KEY_POINTER}/created",
         "expected an ISO 8601 date"),
        (_set(f"{KEY_POINTER}/slot", 1e30), f"{KEY_POINTER}/slot", "whole number from 1 to 2"),
        (_set(f"{KEY_POINTER}/slot", 3), f"{KEY_POINTER}/slot", "whole number from 1 to 2"),
        (_set(f"{KEY_POINTER}/slot", "1"), f"{KEY_POINTER}/slot", "whole number from 1 to 2"),
        (_set(f"{KEY_POINTER}/slot", True), f"{KEY_POINTER}/slot", "whole number from 1 to 2"),
        (_set(f"{KEY_POINTER}/active", "true"), f"{KEY_POINTER}/active", "expected true or false"),
        (_set("/accounts/0/users/0/name", "x" * 70_000), "/accounts/0/users/0/name",
         "a string of 70,000 characters"),
        (_set("/accounts/0/status", "fine"), "/accounts/0/status", "expected one of"),
        (_set("/accounts/0/collected_at", "2999-01-01T00:00:00Z"), "/accounts/0/collected_at",
         "in the future"),
        (_set("/collected_at", "2999-01-01T00:00:00Z"), "/collected_at", "in the future"),
        (_set("/accounts/0/sources/credential_report", {"state": "lost", "reason": ""}),
         "/accounts/0/sources/credential_report/state", "expected one of"),
        (_set("/accounts/0/sources/passwords", {"state": "available", "reason": ""}),
         "/accounts/0/sources/passwords", "expected one of"),
        (_set("/accounts/0/roles", {}), "/accounts/0/roles", "expected an array"),
    ],
    ids=[
        "created-2999", "created-after-collection", "date-unparseable", "slot-1e30",
        "slot-3", "slot-string", "slot-boolean", "boolean-as-string", "enormous-string",
        "unknown-status", "account-collected-in-future", "snapshot-collected-in-future",
        "unknown-dataset-state", "unknown-dataset", "list-as-object",
    ],
)  # fmt: skip
def test_an_impossible_value_is_refused_with_its_pointer(
    edit: Callable[[dict[str, Any]], None], pointer: str, message: str, tmp_path: Path
) -> None:
    document = _document(tmp_path)
    edit(document)
    (tmp_path / "bad.json").write_text(json.dumps(document))
    with pytest.raises(InputError, match=message) as caught:
        load_snapshot(tmp_path / "bad.json")
    assert caught.value.where == f"{tmp_path / 'bad.json'}#{pointer}"


def test_a_saml_certificate_may_expire_in_the_future(tmp_path: Path) -> None:
    document = _document(tmp_path)
    _set("/accounts/0/saml_providers/0/valid_until", "2999-01-01T00:00:00Z")(document)
    (tmp_path / "s.json").write_text(json.dumps(document))
    (saml,) = load_snapshot(tmp_path / "s.json").accounts[0].saml_providers
    assert saml.valid_until == datetime(2999, 1, 1, tzinfo=UTC)


def test_a_date_within_the_clock_skew_is_accepted(tmp_path: Path) -> None:
    document = _document(tmp_path)
    _set(f"{KEY_POINTER}/created", "2025-06-01T20:00:00Z")(document)
    (tmp_path / "s.json").write_text(json.dumps(document))
    assert load_snapshot(tmp_path / "s.json").accounts[0].users[0].access_keys[0].created


def test_a_failed_account_survives_the_snapshot(tmp_path: Path) -> None:
    failed = Account(id="222222222222", status=AccountStatus.FAILED, error="AccessDenied")
    inventory = Inventory((make_account(), failed), organization=Organization(ORG_ID, "1" * 12))
    assert not inventory.is_complete
    write_snapshot(inventory, tmp_path / "s.json")
    loaded = load_snapshot(tmp_path / "s.json")
    assert loaded.accounts[1] == failed
    assert not loaded.is_complete


def test_failed_calls_of_the_organization_survive_the_snapshot(tmp_path: Path) -> None:
    call = FailedCall("sso", "ListPermissionSets", "AccessDenied", "denied")
    center = IdentityCenter("arn:aws:sso:::instance/ssoins-1", "d-1", failed_calls=(call,))
    organization = Organization(ORG_ID, "1" * 12, center, DatasetStatus(DatasetState.AVAILABLE))
    inventory = Inventory((make_account(),), organization=organization)
    write_snapshot(inventory, tmp_path / "s.json")
    loaded = load_snapshot(tmp_path / "s.json")
    assert loaded.organization == organization
    assert not loaded.is_complete


SECRET_WORDS = ("secret", "token", "seed", "private", "passphrase")


def test_no_model_field_can_hold_a_secret() -> None:
    # The snapshot writes every model field (test_snapshot_fields), so a secret is kept
    # out of snapshots by keeping it out of the model. Dates *about* a password
    # (password_last_used) and the flag password_enabled are not the password.
    names = [(cls.__name__, f.name) for cls in model_classes() for f in dataclasses.fields(cls)]
    holding = [
        f"{owner}.{name}"
        for owner, name in names
        if name == "password" or any(word in name for word in SECRET_WORDS)
    ]
    assert holding == []
    assert ("LoginProfile", "password_last_used") in names  # the walk reaches passwords


@pytest.mark.parametrize("export", ["account", "org"])
def test_a_snapshot_records_when_the_estate_and_each_account_were_collected(
    export: str, tmp_path: Path
) -> None:
    # Ages in a scan of a snapshot are measured against these (docs/snapshot.md).
    write_snapshot(load_export(Path(__file__).parent / "fixtures" / export), tmp_path / "s.json")
    inventory = load_snapshot(tmp_path / "s.json")
    assert inventory.collected_at is not None
    assert all(account.collected_at is not None for account in inventory.accounts)
