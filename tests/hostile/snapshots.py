"""Snapshot pieces shared by the hostile merge tests."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from keyless.cli import cli
from keyless.collect.offline.codec import encoder
from keyless.collect.shard import OTHER_SHARD, shard_of
from keyless.model import Account, AccountStatus

ACCOUNT = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "account"
"""The offline export of one account that the collect tests read."""


def collected_snapshot(directory: Path) -> Path:
    """The snapshot `keyless collect` writes of :data:`ACCOUNT` (copied into ``directory``
    first), as written."""
    shutil.copytree(ACCOUNT, directory / "export")
    path = directory / "snapshot.json"
    result = CliRunner().invoke(
        cli, ["collect", "--input", str(directory / "export"), "--out", str(path)]
    )
    assert result.exit_code == 0, result.output
    return path


def collected_account(directory: Path) -> dict[str, Any]:
    """The document of :func:`collected_snapshot`."""
    document: dict[str, Any] = json.loads(collected_snapshot(directory).read_text())
    return document


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
