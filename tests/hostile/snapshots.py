"""Snapshot pieces shared by the hostile merge tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from keyless.collect.offline.codec import encoder
from keyless.collect.shard import OTHER_SHARD, shard_of
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


def write_shard(collected: dict[str, Any], index: int, count: int, path: Path) -> Path:
    """The snapshot ``collect --shard index/count`` writes of the collected estate: the
    shard's own accounts, every other account skipped as another shard's."""
    document = json.loads(json.dumps(collected))
    document["accounts"] = [
        account
        if shard_of(account["id"], count) == index
        else skipped_account(
            account, OTHER_SHARD.format(index=shard_of(account["id"], count), count=count)
        )
        for account in document["accounts"]
    ]
    path.write_text(json.dumps(document))
    return path
