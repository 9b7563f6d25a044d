"""Files in UTF-16 or UTF-32 with their byte-order mark: Windows PowerShell 5.1 writes
UTF-16 LE for `aws iam get-account-authorization-details > authorization-details.json`
(and `aws iam get-role … > role.json`). They were refused as "malformed JSON … surrogates
not allowed" or "not UTF-8 text"; they are now read as the same text in UTF-8. A file
whose mark names an encoding its bytes are not in is refused, saying so (exit 2)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

ACCOUNT = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "account"
ENCODINGS = ["utf-16", "utf-16-be", "utf-32", "utf-32-be"]
MARKS = {"utf-16-be": "\ufeff", "utf-32-be": "\ufeff"}  # the -be codecs write no mark


def _reencode(path: Path, encoding: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_bytes((MARKS.get(encoding, "") + text).encode(encoding))


def _scan_json(export: Path) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = CliRunner().invoke(cli, ["scan", "--input", str(export), "--format", "json"])
    return result.exit_code, json.loads(result.stdout) if result.stdout else {}


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_an_export_written_in_utf16_or_utf32_reads_as_in_utf8(
    tmp_path: Path, encoding: str
) -> None:
    expected_status, expected = _scan_json(ACCOUNT)
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    for name in ("authorization-details.json", "credential-report.csv", "account.json"):
        _reencode(export / name, encoding)

    status, document = _scan_json(export)

    assert status == expected_status
    assert document["findings"] == expected["findings"]
    assert document["accounts"][0]["users"] == expected["accounts"][0]["users"]


def test_a_trust_policy_from_powershell_is_judged(tmp_path: Path) -> None:
    policy = tmp_path / "role.json"
    policy.write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
                ],
            }
        ),
        encoding="utf-16",
    )
    result = CliRunner().invoke(cli, ["trust", str(policy)])
    assert result.exit_code == 1, result.output
    assert "trust-anyone" in result.output


@pytest.mark.parametrize(
    ("content", "encoding"),
    [(b"\xff\xfe{\x00\x00\xd8", "UTF-16-LE"), (b"\xff\xfe\x00\x00{\x00\x00\x00\xff", "UTF-32-LE")],
)
def test_a_mark_its_bytes_do_not_follow_is_refused(
    tmp_path: Path, content: bytes, encoding: str
) -> None:
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    (export / "authorization-details.json").write_bytes(content)
    result = CliRunner().invoke(cli, ["scan", "--input", str(export)])
    assert result.exit_code == 2, result.output
    assert f"starts with the byte-order mark of {encoding} but is not {encoding} text" in (
        result.stderr
    )
    assert "Traceback" not in result.output


def _snapshot(tmp_path: Path) -> Path:
    path = tmp_path / "snapshot.json"
    result = CliRunner().invoke(cli, ["collect", "--input", str(ACCOUNT), "--out", str(path)])
    assert result.exit_code == 0, result.output
    return path


def _scan_snapshot(path: Path) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = CliRunner().invoke(cli, ["scan", "--snapshot", str(path), "--format", "json"])
    return result.exit_code, json.loads(result.stdout) if result.stdout else {}


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_snapshot_saved_again_in_utf16_or_utf32_reads_as_in_utf8(
    tmp_path: Path, encoding: str
) -> None:
    # It was refused as "not a keyless snapshot (not a JSON object)": the first bytes were
    # looked at for a "{" before the mark was read.
    snapshot = _snapshot(tmp_path)
    expected_status, expected = _scan_snapshot(snapshot)
    _reencode(snapshot, encoding)

    status, document = _scan_snapshot(snapshot)

    assert status == expected_status, document
    assert document["findings"] == expected["findings"]
    merged = CliRunner().invoke(cli, ["merge", str(snapshot), "--out", str(tmp_path / "m.json")])
    assert merged.exit_code == 0, merged.output


def test_a_snapshot_whose_mark_its_bytes_do_not_follow_is_refused(tmp_path: Path) -> None:
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_bytes(b"\xff\xfe{\x00\x00\xd8")
    result = CliRunner().invoke(cli, ["scan", "--snapshot", str(snapshot)])
    assert result.exit_code == 2, result.output
    assert "starts with the byte-order mark of UTF-16-LE but is not UTF-16-LE text" in (
        result.stderr
    )
