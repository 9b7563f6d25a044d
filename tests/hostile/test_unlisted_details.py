"""An ``authorization-details.json`` that lacks one of the four lists AWS answers every
page with (``UserDetailList``, ``GroupDetailList``, ``RoleDetailList``, ``Policies``): a
hand-merged file, another tool's export, a ``--query`` that kept only the roles. It was read
as an account with no users (or no roles): "Users 0" and every user check clean. A list
that is absent (or null) was never exported, so the authorization details are missing
(exit 3, the lists named); the credential report's users are still checked for what the
report alone shows, as when a live collection cannot read the details."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from keyless.cli import cli

ACCOUNT = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "account"
LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")


def _export(tmp_path: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    path = export / "authorization-details.json"
    path.write_bytes(orjson.dumps(edit(orjson.loads(path.read_bytes()))))
    return export


def _scan(export: Path) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = CliRunner().invoke(cli, ["scan", "--input", str(export), "--format", "json"])
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize("absent", LISTS)
@pytest.mark.parametrize("how", ["left out", "null"])
def test_a_list_the_file_lacks_is_not_read_as_empty(tmp_path: Path, absent: str, how: str) -> None:
    def edit(details: dict) -> dict:  # type: ignore[type-arg]
        if how == "null":
            details[absent] = None
        else:
            del details[absent]
        return details

    status, document = _scan(_export(tmp_path, edit))

    assert status == 3
    source = document["accounts"][0]["sources"]["authorization_details"]
    assert source["state"] == "missing"
    assert f"holds no {absent} " in source["reason"]
    not_run = {run["check"] for run in document["check_runs"] if run["status"] != "evaluated"}
    assert {"user-admin-with-access-key", "trust-anyone"} <= not_run
    # What the credential report alone shows is still checked, for the report's users.
    assert {u["name"] for u in document["accounts"][0]["users"]} == {"alice", "ci-deploy"}
    assert "key-not-rotated" in {f["check"] for f in document["findings"]}


def test_a_page_of_several_that_lacks_a_list(tmp_path: Path) -> None:
    """Raw pages (a JSON list): each page of the API has all four lists."""

    def edit(details: dict) -> list:  # type: ignore[type-arg]
        second = {key: [] for key in LISTS if key != "Policies"}
        return [details, second]

    status, document = _scan(_export(tmp_path, edit))

    assert status == 3
    reason = document["accounts"][0]["sources"]["authorization_details"]["reason"]
    assert "holds no Policies " in reason


def test_empty_lists_are_an_account_without_such_entities(tmp_path: Path) -> None:
    """A --filter leaves the other lists empty, as AWS answers: indistinguishable from an
    account without them, and read as such."""

    def edit(details: dict) -> dict:  # type: ignore[type-arg]
        details["RoleDetailList"] = []
        return details

    status, document = _scan(_export(tmp_path, edit))

    assert document["accounts"][0]["sources"]["authorization_details"]["state"] == "available"
    assert status == 1


@pytest.mark.parametrize(
    ("ending", "said"),
    [
        ({"IsTruncated": True, "Marker": "AAAA"}, "IsTruncated: true"),  # --no-paginate
        ({"NextToken": "eyJNYXJrZXIiOiBudWxsfQ=="}, "NextToken"),  # --max-items
        ({"IsTruncated": "true"}, 'IsTruncated: "true"'),
        # IAM's Marker is present only when more pages follow (IsTruncated dropped or
        # contradicted by hand): read as whole before.
        ({"Marker": "AAAA"}, "Marker"),
        ({"IsTruncated": False, "Marker": "AAAA"}, "Marker"),
    ],
    ids=["is-truncated", "next-token", "truncated-as-text", "marker", "marker-not-truncated"],
)
def test_a_file_ending_with_a_page_that_says_more_follow(
    tmp_path: Path,
    ending: dict,
    said: str,  # type: ignore[type-arg]
) -> None:
    """One page of several (`--no-paginate`, `--max-items`): the users, roles… of the pages
    after it were not scanned and nothing said so."""

    def edit(details: dict) -> dict:  # type: ignore[type-arg]
        return {**details, **ending}

    status, document = _scan(_export(tmp_path, edit))

    assert status == 3
    source = document["accounts"][0]["sources"]["authorization_details"]
    assert source["state"] == "missing"
    assert f"ends with a page that says more follow ({said})" in source["reason"]


def test_pages_that_say_more_follow_before_the_last_are_whole(tmp_path: Path) -> None:
    """Raw pages in a list: every page but the last says more follow, as the API pages."""

    def edit(details: dict) -> list:  # type: ignore[type-arg]
        first = {key: [] for key in LISTS} | {"IsTruncated": True, "Marker": "AAAA"}
        return [first, {**details, "IsTruncated": False}]

    status, document = _scan(_export(tmp_path, edit))

    assert document["accounts"][0]["sources"]["authorization_details"]["state"] == "available"
    assert status == 1


def test_a_virtual_mfa_device_listing_of_one_page_of_several(tmp_path: Path) -> None:
    """`aws iam list-virtual-mfa-devices` is paged: a page that says more follow is not
    the account's devices."""
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    path = export / "virtual-mfa-devices.json"
    listing = orjson.loads(path.read_bytes())
    path.write_bytes(orjson.dumps({**listing, "IsTruncated": True, "Marker": "AAAA"}))

    _, document = _scan(export)

    source = document["accounts"][0]["sources"]["mfa_devices"]
    assert source["state"] == "missing"
    assert (
        "virtual-mfa-devices.json is one page of several (IsTruncated: true)" in (source["reason"])
    )
