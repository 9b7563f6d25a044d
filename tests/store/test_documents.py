"""Reading scan documents and snapshots back for `keyless diff`: the same record as the
scan itself, and every malformed value refused with the place named."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from keyless.collect.offline.snapshot import write_snapshot
from keyless.errors import InputError
from keyless.render.jsonout import scan_document
from keyless.store.documents import load_record, record_of_document
from keyless.store.record import record_of_result
from tests.store.support import estate, scan


def _document() -> dict[str, Any]:
    return json.loads(json.dumps(scan_document(scan(estate())), default=dict))


def test_a_scan_document_gives_the_scan_s_record() -> None:
    result = scan(estate())
    expected = replace(record_of_result(result), collected_at=None)
    assert record_of_document(_document()) == expected


def test_a_snapshot_is_scanned_to_give_its_record(tmp_path: Path) -> None:
    inventory = estate()
    write_snapshot(inventory, tmp_path / "estate.json")
    record = load_record(tmp_path / "estate.json")
    assert {u.arn for u in record.users} == {u.arn for a in inventory.accounts for u in a.users}
    assert record.findings


def test_a_document_without_users_compares_findings_only() -> None:
    document = _document()
    for account in document["accounts"]:
        del account["users"]
    record = record_of_document(document)
    assert not record.has_identities
    assert record.users == ()
    assert record.findings


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("accounts", 0, "users", 0, "console_access"), "yes", "true or false"),
        (("accounts", 0, "users", 0, "access_keys", 0, "slot"), True, "an integer"),
        (("accounts", 0, "users", 0, "access_keys", 0, "created"), "last week", "ISO-8601"),
        (("accounts", 0, "status"), "gone", "account status"),
        (("findings", 0, "severity"), "apocalyptic", "severity"),
        (("findings", 0), "not an object", "must be an object"),
        (("generated_at",), None, "missing"),
    ],
)
def test_a_malformed_value_names_its_place(
    path: tuple[str | int, ...], value: object, message: str
) -> None:
    document = _document()
    parent: Any = document
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    pointer = "/" + "/".join(str(step) for step in path)
    with pytest.raises(InputError, match=message) as caught:
        record_of_document(document, where="old.json")
    assert caught.value.where == f"old.json#{pointer}"


def test_another_document_is_refused_with_what_diff_reads(tmp_path: Path) -> None:
    path = tmp_path / "trust.json"
    path.write_text('{"schema": "keyless/trust/v1"}')
    with pytest.raises(InputError) as caught:
        load_record(path)
    assert "keyless/scan/v1" in caught.value.describe()
    assert "keyless/snapshot/v1" in caught.value.describe()


def test_a_document_whose_keys_were_reordered_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "sorted.json"
    path.write_text(json.dumps(_document(), sort_keys=True))  # "schema" no longer first
    assert load_record(path) == record_of_document(_document())


def test_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        load_record(fifo)
