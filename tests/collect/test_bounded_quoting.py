"""Values from a snapshot file or an option are quoted in part in messages
(``keyless.errors.quoted``): a 100,000-character value is not echoed whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from keyless.collect.offline.snapshot import load_snapshot
from keyless.collect.shard import Shard
from keyless.errors import KeylessError

HUGE = "x" * 100_000


def test_a_huge_shard_is_quoted_in_part() -> None:
    with pytest.raises(KeylessError) as refused:
        Shard.parse(HUGE)
    assert len(refused.value.message) < 500
    assert "xxxxxxxx…" in refused.value.message


def test_a_huge_snapshot_schema_is_quoted_in_part(tmp_path: Path) -> None:
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(json.dumps({"schema": HUGE}))
    with pytest.raises(KeylessError) as refused:
        load_snapshot(snapshot)
    assert len(refused.value.message) < 500, refused.value.message[:600]
    assert "xxxxxxxx…" in refused.value.message
