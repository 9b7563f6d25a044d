"""An active access key without a creation date (an edited snapshot's ``"created":
null``, a live ``ListAccessKeys`` answer without ``CreateDate``) was skipped by
``key-not-rotated`` and, never used, by ``key-unused``: a user whose only key had no date
passed both, and the scan exited 0. Its age is unknown, so the user is now *not evaluated*
by those checks (the key named, exit 3 unless ``--allow-partial``); the user's other keys
are still judged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from keyless.cli import cli
from tests.builders import make_key, make_user
from tests.checks.support import scan

from .snapshots import collected_account


@pytest.mark.parametrize(
    ("check", "key"),
    [
        ("key-not-rotated", make_key(1, age_days=None)),
        ("key-unused", make_key(1, age_days=None, last_used_days=None)),
    ],
)
def test_a_user_with_an_undated_key_is_not_evaluated(check: str, key: Any) -> None:
    result = scan(check, make_user("alice", keys=[key]))
    (run,) = result.check_runs
    assert run.status == "not_evaluated"
    (gap,) = run.not_evaluated
    assert gap.reason == "user alice: access key 1 has no creation date: its age is unknown"
    assert result.exit_code() == 3


@pytest.mark.parametrize("check", ["key-not-rotated", "key-unused"])
def test_the_users_other_key_is_still_judged(check: str) -> None:
    old = make_key(2, age_days=400, last_used_days=200)
    result = scan(
        check, make_user("alice", keys=[make_key(1, age_days=None, last_used_days=None), old])
    )
    assert [f.evidence["slot"] for f in result.findings] == [2]
    assert result.check_runs[0].status == "not_evaluated"


def test_an_undated_key_used_recently_is_judged_unused_or_not() -> None:
    # key-unused reads the last use: a key used yesterday is used, whatever its age.
    result = scan("key-unused", make_user(keys=[make_key(age_days=None, last_used_days=1)]))
    assert result.check_runs[0].status == "evaluated"
    assert tuple(result.findings) == ()


def test_an_undated_inactive_key_is_not_a_gap() -> None:
    result = scan("key-not-rotated", make_user(keys=[make_key(active=False, age_days=None)]))
    assert result.check_runs[0].status == "evaluated"


@given(
    ages=st.lists(st.one_of(st.none(), st.integers(0, 2000)), min_size=1, max_size=2),
)
def test_no_active_key_is_passed_without_a_date(ages: list[int | None]) -> None:
    keys = [make_key(slot, age_days=age, last_used_days=None) for slot, age in enumerate(ages, 1)]
    for check in ("key-not-rotated", "key-unused"):
        result = scan(check, make_user(keys=keys))
        assert (result.check_runs[0].status == "not_evaluated") is (None in ages)


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return collected_account(tmp_path_factory.mktemp("snapshot"))


def test_a_snapshot_key_without_a_date_makes_the_scan_partial(
    snapshot: dict[str, Any], tmp_path: Path
) -> None:
    document = json.loads(json.dumps(snapshot))
    user = next(
        u for u in document["accounts"][0]["users"] if any(k["active"] for k in u["access_keys"])
    )
    key = next(k for k in user["access_keys"] if k["active"])
    key["created"] = None
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(document))
    result = CliRunner().invoke(cli, ["scan", "--snapshot", str(path), "--format", "json"])
    assert result.exit_code == 3, result.output
    runs = {run["check"]: run for run in json.loads(result.stdout)["check_runs"]}
    reasons = [gap["reason"] for gap in runs["key-not-rotated"]["not_evaluated"]]
    assert reasons == [
        f"user {user['name']}: access key {key['slot']} has no creation date: its age is unknown"
    ]
