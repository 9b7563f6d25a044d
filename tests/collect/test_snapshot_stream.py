"""Snapshots stream: written account by account, read one account at a time, still one
JSON document; and they are written whole or not at all."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from keyless.collect.offline.snapshot import (
    iter_snapshot_accounts,
    load_snapshot,
    read_snapshot_header,
    write_snapshot,
)
from keyless.errors import InputError
from keyless.model import Account, Inventory, Organization
from tests.builders import make_account, make_key, make_user

FIXTURES = Path(__file__).parent / "fixtures"


def _accounts(count: int) -> tuple[Account, ...]:
    return tuple(
        make_account(
            account_id=f"{index:012d}",
            users=[
                make_user(f"u{index}", account_id=f"{index:012d}", keys=[make_key(age_days=10)])
            ],
        )
        for index in range(1, count + 1)
    )


def _inventory(count: int = 3) -> Inventory:
    return Inventory(_accounts(count), organization=Organization("o-a1b2c3d4e5", "000000000001"))


def test_a_generator_of_accounts_writes_the_same_document(tmp_path: Path) -> None:
    inventory = _inventory()
    write_snapshot(inventory, tmp_path / "whole.json")
    produced: list[str] = []

    def one_at_a_time() -> Iterator[Account]:
        for account in inventory.accounts:
            produced.append(account.id)
            yield account

    write_snapshot(
        replace(inventory, accounts=()), tmp_path / "streamed.json", accounts=one_at_a_time()
    )
    assert produced == [a.id for a in inventory.accounts]
    assert (tmp_path / "streamed.json").read_bytes() == (tmp_path / "whole.json").read_bytes()


def test_the_streamed_layout_is_one_json_document(tmp_path: Path) -> None:
    write_snapshot(_inventory(), tmp_path / "s.json")
    document = json.loads((tmp_path / "s.json").read_text())
    assert [a["id"] for a in document["accounts"]] == [a.id for a in _accounts(3)]
    assert len((tmp_path / "s.json").read_text().splitlines()) == 1 + 3 + 1


@pytest.mark.parametrize("count", [0, 1, 3])
def test_accounts_are_read_back_one_by_one(count: int, tmp_path: Path) -> None:
    write_snapshot(_inventory(count), tmp_path / "s.json")
    assert tuple(iter_snapshot_accounts(tmp_path / "s.json")) == _accounts(count)
    assert load_snapshot(tmp_path / "s.json") == _inventory(count)


def test_an_account_is_yielded_before_the_next_line_is_read(tmp_path: Path) -> None:
    write_snapshot(_inventory(3), tmp_path / "s.json")
    lines = (tmp_path / "s.json").read_bytes().splitlines(keepends=True)
    lines[3] = b"{not json\n"  # the third account
    (tmp_path / "s.json").write_bytes(b"".join(lines))
    accounts = iter_snapshot_accounts(tmp_path / "s.json")
    assert next(accounts).id == "000000000001"
    assert next(accounts).id == "000000000002"
    with pytest.raises(InputError, match="line 4: not valid JSON"):
        next(accounts)


def test_the_header_is_read_without_the_accounts(tmp_path: Path) -> None:
    write_snapshot(_inventory(2), tmp_path / "s.json")
    header = read_snapshot_header(tmp_path / "s.json")
    assert header.accounts == ()
    assert header.organization == Organization("o-a1b2c3d4e5", "000000000001")


def test_a_snapshot_of_keyless_0_1_is_streamed_too() -> None:
    accounts = tuple(iter_snapshot_accounts(FIXTURES / "snapshot-v1-org-written-by-0.1.0.json"))
    assert [a.id for a in accounts] == ["111111111111", "222222222222"]


def test_a_reformatted_snapshot_is_read_whole(tmp_path: Path) -> None:
    write_snapshot(_inventory(2), tmp_path / "s.json")
    document = json.loads((tmp_path / "s.json").read_text())
    (tmp_path / "pretty.json").write_text(json.dumps(document, indent=4))
    assert load_snapshot(tmp_path / "pretty.json") == _inventory(2)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda lines: lines[:-1], "ends inside the list of accounts"),
        (lambda lines: [*lines, b"{}\n"], "text after the end of the document"),
        (lambda lines: [lines[0], lines[1].replace(b"},\n", b"}\n"), *lines[2:]], "not separated"),
        (lambda lines: [*lines[:2], lines[2].rstrip(b"\n") + b",\n", lines[3]], "a comma after"),
    ],
    ids=["truncated", "trailing-text", "missing-comma", "trailing-comma"],
)
def test_a_damaged_stream_is_refused(
    edit: Callable[[list[bytes]], list[bytes]], message: str, tmp_path: Path
) -> None:
    write_snapshot(_inventory(2), tmp_path / "s.json")
    lines = (tmp_path / "s.json").read_bytes().splitlines(keepends=True)
    assert len(lines) == 4
    (tmp_path / "s.json").write_bytes(b"".join(edit(lines)))
    with pytest.raises(InputError, match=message):
        load_snapshot(tmp_path / "s.json")


def test_a_failed_write_leaves_the_previous_snapshot(tmp_path: Path) -> None:
    target = tmp_path / "s.json"
    write_snapshot(_inventory(1), target)
    before = target.read_bytes()

    def failing() -> Iterator[Account]:
        yield _accounts(1)[0]
        raise RuntimeError("the collection broke off")

    with pytest.raises(RuntimeError):
        write_snapshot(_inventory(0), target, accounts=failing())
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]


def test_a_snapshot_is_never_written_through_a_symlink(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text("precious")
    (tmp_path / "s.json").symlink_to(elsewhere)
    with pytest.raises(InputError, match="symbolic link"):
        write_snapshot(_inventory(1), tmp_path / "s.json")
    assert elsewhere.read_text() == "precious"
