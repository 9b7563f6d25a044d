"""Snapshot pieces shared by the hostile merge tests."""

from __future__ import annotations

from typing import Any

from keyless.collect.offline.codec import encoder
from keyless.model import Account, AccountStatus


def skipped_account(account: dict[str, Any], reason: str) -> Any:
    """The account (a snapshot's JSON entry) as `collect --org` records one it did not
    collect."""
    encode = encoder(Account)
    assert encode is not None
    return encode(
        Account(
            id=account["id"],
            name=account["name"],
            email=account["email"],
            partition=account["partition"],
            status=AccountStatus.SKIPPED,
            error=reason,
        )
    )
