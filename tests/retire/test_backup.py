"""A backup read back from the journal is what was written, and a tampered one is
refused before rollback could send any of it to AWS."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from keyless.retire.backup import backup_document, not_restorable, state_from_backup
from keyless.retire.model import (
    InlinePolicyState,
    KeyState,
    MfaState,
    PublicMaterial,
    UserAttributes,
    UserState,
)
from keyless.retire.records import JournalError

NOW = datetime(2026, 3, 1, tzinfo=UTC)
STATE = UserState(
    "123456789012",
    "alice",
    True,
    arn="arn:aws:iam::123456789012:user/people/alice",
    user_id="AIDAEXAMPLE1",
    path="/people/",
    created=NOW,
    tags=(("team", "payments"),),
    boundary="arn:aws:iam::123456789012:policy/boundary",
    login_profile=True,
    keys=(KeyState("AKIAIOSFODNN7EXAMPLE", False, NOW, NOW, "s3", "us-east-1"),),
    attributes=UserAttributes(
        mfa_devices=(MfaState("arn:aws:iam::123456789012:mfa/alice", NOW),),
        ssh_keys=(PublicMaterial("APKAEXAMPLE", True, NOW, "ssh-ed25519 AAAA"),),
        groups=("devs",),
        attached_policies=("arn:aws:iam::aws:policy/ReadOnlyAccess",),
        inline_policies=(InlinePolicyState("extra", {"Version": "2012-10-17", "Statement": []}),),
    ),
)


def test_a_backup_reads_back_as_written() -> None:
    assert state_from_backup(backup_document(STATE, NOW)) == STATE


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("user", "alice\nbob"),
        ("path", "people"),
        ("groups", ["devs; rm -rf"]),
        ("attached_policies", ["not-an-arn"]),
        ("permissions_boundary", "arn:aws:s3:::bucket"),
        ("login_profile", "yes"),
        ("access_keys", {"id": "AKIA"}),
        ("created", "yesterday"),
        ("schema", "keyless/retire-backup/v9"),
    ],
)
def test_a_tampered_backup_is_refused(field: str, value: Any) -> None:
    document = {**backup_document(STATE, NOW), field: value}

    with pytest.raises(JournalError):
        state_from_backup(document)


def test_what_cannot_come_back_is_every_secret_and_the_unique_id() -> None:
    lost = " | ".join(not_restorable(STATE, frozenset()))

    assert "AKIAIOSFODNN7EXAMPLE" in lost
    assert "console password" in lost
    assert "arn:aws:iam::123456789012:mfa/alice" in lost
    assert "AIDAEXAMPLE1" in lost


def test_a_key_still_there_is_not_lost() -> None:
    assert not any(
        "AKIAIOSFODNN7EXAMPLE" in what
        for what in not_restorable(STATE, frozenset({"AKIAIOSFODNN7EXAMPLE"}))
    )
