"""Hostile offline inputs to `keyless scan --input DIR` and `keyless scan --snapshot FILE`:
each row is an input, the exit code it must give and a phrase of the message. No row may
print a traceback or change a file; each is exit 2 with a sentence naming the file and
where in it (JSON pointer, or CSV line and column), except what could not be read at
collection, which is exit 3. Other commands keep their own tables beside this one."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.collect.offline.export import load_export
from keyless.collect.offline.snapshot import write_snapshot
from keyless.model import AccountStatus, FailedCall

ACCOUNT = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "account"
DETAILS = "authorization-details.json"
REPORT = "credential-report.csv"
DEEP = "[" * 100_000 + "]" * 100_000

Edit = Callable[[Path], None]


def _json_edit(name: str, change: Callable[[Any], Any]) -> Edit:
    def edit(root: Path) -> None:
        path = root / name
        path.write_text(json.dumps(change(json.loads(path.read_text()))))

    return edit


def _set(name: str, pointer: str, value: Any) -> Edit:
    def change(document: Any) -> Any:
        *steps, last = pointer.strip("/").split("/")
        target = document
        for step in steps:
            target = target[int(step)] if isinstance(target, list) else target[step]
        target[int(last) if isinstance(target, list) else last] = value
        return document

    return _json_edit(name, change)


def _write(name: str, content: bytes | str) -> Edit:
    def edit(root: Path) -> None:
        path = root / name
        path.unlink(missing_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)

    return edit


def _report_cell(line: int, column: int, value: str) -> Edit:
    def edit(root: Path) -> None:
        lines = (root / REPORT).read_text().splitlines()
        cells = lines[line - 1].split(",")
        cells[column] = value
        lines[line - 1] = ",".join(cells)
        (root / REPORT).write_text("\n".join(lines) + "\n")

    return edit


def _report_bytes(change: Callable[[bytes], bytes]) -> Edit:
    def edit(root: Path) -> None:
        (root / REPORT).write_bytes(change((root / REPORT).read_bytes()))

    return edit


def _fifo(name: str) -> Edit:
    def edit(root: Path) -> None:
        (root / name).unlink(missing_ok=True)
        os.mkfifo(root / name)

    return edit


def _sparse(name: str, size: int) -> Edit:
    def edit(root: Path) -> None:
        with (root / name).open("wb") as file:
            file.truncate(size)

    return edit


GIB = 1 << 30
ROLE = "/RoleDetailList/0"
EXPORT_CASES: dict[str, tuple[Edit, int, str]] = {
    "details-fifo": (_fifo(DETAILS), 2, "not a regular file"),
    "details-nested-100k": (_write(DETAILS, DEEP), 2, "not valid JSON"),
    "details-2gb": (_sparse(DETAILS, 2 * GIB), 2, "larger than the 1,024 MiB"),
    "report-not-utf8": (_report_bytes(lambda b: b.replace(b"alice", b"al\xffce")), 2,
                        "not UTF-8 text (line 3"),
    "report-nul": (_report_bytes(lambda b: b.replace(b"alice", b"al\x00ce")), 2, "NUL byte"),
    "report-ragged": (_report_bytes(lambda b: b + b"bob,arn\n"), 2, "has 2 fields"),
    "report-huge-field": (_report_cell(3, 0, "a" * 200_000), 2, "field larger than field limit"),
    "report-key-2999": (_report_cell(2, 9, "2999-01-01T00:00:00+00:00"), 2,
                        "line 2, column access_key_1_last_rotated"),
    "report-flag-word": (_report_cell(3, 7, "yes"), 2, "line 3, column mfa_active"),
    "report-date-word": (_report_cell(3, 2, "soon"), 2, "line 3, column user_creation_time"),
    "role-created-2999": (_set(DETAILS, f"{ROLE}/CreateDate", "2999-01-01T00:00:00Z"), 2,
                          "CreateDate 2999-01-01T00:00:00Z is after"),
    "role-name-number": (_set(DETAILS, f"{ROLE}/RoleName", 12345), 2,
                         "RoleName must be a string"),
    "role-name-enormous": (_set(DETAILS, f"{ROLE}/RoleName", "r" * 100_000), 2,
                           "longer than any IAM value"),
    "session-duration-string": (_set(DETAILS, f"{ROLE}/MaxSessionDuration", "3600"), 2,
                                "MaxSessionDuration must be a whole number"),
    "attachment-count-1e30": (_set(DETAILS, "/Policies/0/AttachmentCount", 1e30), 2,
                              "AttachmentCount must be a whole number"),
    "attachment-count-negative": (_set(DETAILS, "/Policies/0/AttachmentCount", -1), 2,
                                  "AttachmentCount must be a whole number"),
    "default-version-string": (
        _set(DETAILS, "/Policies/0/PolicyVersionList/0/IsDefaultVersion", "false"), 2,
        "IsDefaultVersion must be true or false"),
    "aliases-object": (_write("account.json", '{"AccountAliases": {"a": 1}}'), 2,
                       "AccountAliases must be a list"),
    "mfa-enabled-2999": (_set("virtual-mfa-devices.json", "/VirtualMFADevices/0/EnableDate",
                              "2999-01-01T00:00:00Z"), 2, "EnableDate 2999-01-01T00:00:00Z"),
    "oidc-client-ids-string": (_set("oidc-providers.json", "/0/ClientIDList", "sts"), 2,
                               "ClientIDList must be a list"),
    "report-bom-crlf": (_report_bytes(lambda b: b"\xef\xbb\xbf" + b.replace(b"\n", b"\r\n")),
                        1, ""),
}  # fmt: skip
EXPORT_WHERE = {
    "role-created-2999": f"{DETAILS}#{ROLE}",
    "role-name-number": f"{DETAILS}#{ROLE}",
    "attachment-count-1e30": f"{DETAILS}#/Policies/0",
    "mfa-enabled-2999": "virtual-mfa-devices.json#/VirtualMFADevices/0",
    "oidc-client-ids-string": "oidc-providers.json#/0",
    "report-key-2999": REPORT,
}


def _state(root: Path) -> dict[str, tuple[int, float]]:
    """Every file under ``root`` with its size and modification time."""
    return {
        str(path.relative_to(root)): (path.lstat().st_size, path.lstat().st_mtime)
        for path in sorted(root.rglob("*"))
    }


def _run(root: Path, *args: str) -> tuple[int, str]:
    before = _state(root)
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert _state(root) == before, "a file changed"
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    return result.exit_code, output


@pytest.mark.parametrize("case", list(EXPORT_CASES))
def test_export(case: str, tmp_path: Path) -> None:
    edit, code, phrase = EXPORT_CASES[case]
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    edit(export)
    exit_code, output = _run(tmp_path, "scan", "--input", str(export))
    assert exit_code == code, output
    assert phrase in output
    if case in EXPORT_WHERE:
        assert EXPORT_WHERE[case] in output


def _snapshot_edit(change: Callable[[dict[str, Any]], None]) -> Edit:
    def edit(path: Path) -> None:
        document = json.loads(path.read_text())
        change(document)
        path.write_text(json.dumps(document))

    return edit


def _key(field: str, value: Any) -> Edit:
    def change(document: dict[str, Any]) -> None:
        user = next(u for u in document["accounts"][0]["users"] if u["access_keys"])
        user["access_keys"][0][field] = value

    return _snapshot_edit(change)


def _replace(content: bytes | str) -> Edit:
    def edit(path: Path) -> None:
        path.unlink()
        path.write_bytes(content.encode() if isinstance(content, str) else content)

    return edit


def _failed_account(path: Path) -> None:
    inventory = load_export(ACCOUNT)
    account = inventory.accounts[0]
    failed = type(account)(id="999999999999", status=AccountStatus.FAILED, error="AccessDenied")
    path.unlink()
    write_snapshot(type(inventory)((account, failed), origin="organization"), path)


def _failed_call(path: Path) -> None:
    inventory = load_export(ACCOUNT)
    call = FailedCall("iam", "ListSAMLProviders", "Throttling", "rate exceeded")
    account = inventory.accounts[0]
    path.unlink()
    write_snapshot(type(inventory)((type(account)(id=account.id, failed_calls=(call,)),)), path)


def _as_fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _as_directory(path: Path) -> None:
    path.unlink()
    path.mkdir()


def _zeros(path: Path) -> None:
    with path.open("wb") as file:
        file.truncate(2 * GIB)


def _truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-4])


SNAPSHOT_CASES: dict[str, tuple[Edit, int, str]] = {
    "fifo": (_as_fifo, 2, "not a regular file"),
    "directory": (_as_directory, 2, "--snapshot names a directory"),
    "nested-100k": (_replace(DEEP), 2, "not a keyless snapshot"),
    "object-nested-100k": (_replace('{"a":' * 100_000 + "1" + "}" * 100_000), 2,
                           "not valid JSON"),
    "2gb-of-zeros": (_zeros, 2, "not a keyless snapshot"),
    "unknown-schema": (_snapshot_edit(lambda d: d.update(schema="keyless/snapshot/v9")), 2,
                       "'keyless/snapshot/v9'"),
    "key-created-2999": (_key("created", "2999-01-01T00:00:00Z"), 2,
                         "after the data was collected"),
    "key-slot-1e30": (_key("slot", 1e30), 2, "whole number from 1 to 2"),
    "key-slot-negative": (_key("slot", -1), 2, "whole number from 1 to 2"),
    "key-active-string": (_key("active", "true"), 2, "expected true or false"),
    "key-date-unparseable": (_key("last_used", "last week"), 2, "expected an ISO 8601 date"),
    "truncated": (_truncated, 2, "cut short"),
    "failed-account": (_failed_account, 3, "could not be read"),
    "failed-call": (_failed_call, 3, "could not be read"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(SNAPSHOT_CASES))
def test_snapshot(case: str, tmp_path: Path) -> None:
    edit, code, phrase = SNAPSHOT_CASES[case]
    snapshot = tmp_path / "snapshot.json"
    write_snapshot(load_export(ACCOUNT), snapshot)
    edit(snapshot)
    exit_code, output = _run(tmp_path, "scan", "--snapshot", str(snapshot))
    assert exit_code == code, output
    assert phrase in output
    if code == 2:
        assert str(snapshot) in output.replace("\n", "")
