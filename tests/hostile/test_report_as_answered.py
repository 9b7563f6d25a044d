"""`credential-report.csv` holding what `aws iam get-credential-report` answers before it is
decoded: its JSON output (`Content` in base64) or that `Content` alone (`--query Content
--output text` without `| base64 -d`, or without `--output text`: a JSON string). They were
refused with the whole base64 text quoted as one "unexpected column" (a message of the
report's size); they are now decoded, as the hint says to. Base64 is decoded strictly, and
other text is still not a report."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

ACCOUNT = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "account"
REPORT = (ACCOUNT / "credential-report.csv").read_bytes()


def _scan(tmp_path: Path, content: bytes) -> tuple[int, str, str]:
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    (export / "credential-report.csv").write_bytes(content)
    result = CliRunner().invoke(cli, ["scan", "--input", str(export), "--format", "json"])
    return result.exit_code, result.stdout, result.stderr


def _answer(**fields: object) -> bytes:
    return json.dumps(
        {"Content": base64.b64encode(REPORT).decode(), "ReportFormat": "text/csv", **fields},
        indent=4,
    ).encode()


@pytest.mark.parametrize(
    "content",
    [
        _answer(GeneratedTime="2024-06-20T10:00:00Z"),
        base64.encodebytes(REPORT),
        json.dumps(base64.b64encode(REPORT).decode()).encode() + b"\n",
    ],
    ids=["cli-json", "content-as-text", "content-as-json-string"],
)
def test_the_undecoded_answer_reads_as_the_report(tmp_path: Path, content: bytes) -> None:
    expected = _scan(tmp_path / "plain", REPORT)
    status, stdout, _ = _scan(tmp_path / "answer", content)
    assert status == expected[0] == 1
    assert json.loads(stdout)["findings"] == json.loads(expected[1])["findings"]


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b'{"Content": "not base64!"}', "credential report's Content is not base64"),
        (b'{"State": "COMPLETE"}', "is JSON but not the output of `aws iam get-credential-report`"),
        (_answer(ReportFormat="text/xml"), "ReportFormat is 'text/xml', not 'text/csv'"),
        (b'"not base64!"', "is a JSON string but not the report's base64 `Content`"),
        (
            json.dumps(base64.b64encode(b"name,value\n").decode()).encode(),
            "is a JSON string but not the report's base64 `Content`",
        ),
        (b'"unterminated', "credential report"),
    ],
)
def test_json_that_is_no_report_answer_is_refused(
    tmp_path: Path, content: bytes, said: str
) -> None:
    status, _, stderr = _scan(tmp_path, content)
    assert status == 2
    assert said in stderr


def test_an_unexpected_column_is_quoted_short(tmp_path: Path) -> None:
    header = b"user,arn," + b"x" * 10_000 + b"\n"
    status, _, stderr = _scan(tmp_path, header)
    assert status == 2
    assert "unexpected column(s): 'xxxxxxxx" in stderr
    assert len(stderr) < 2_000
