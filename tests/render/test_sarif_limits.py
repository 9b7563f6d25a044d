"""SARIF past GitHub code scanning's limits (25,000 results per run rejected, 5,000 kept;
20 runs a file; 1,000 locations a result; 20 tags a rule; 10 MB gzip-compressed) is
written whole and valid, with a warning on stderr naming the limit: before, a large
estate's SARIF was rejected or cut by GitHub with no word from keyless."""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.engine import ScanResult, run_checks
from keyless.render import RenderOptions
from keyless.render.sarif import sarif_chunks, sarif_text
from keyless.render.sarif_limits import MAX_UPLOAD_BYTES, past_limits, watched
from tests.builders import make_account, make_inventory, make_key, make_user

WARNINGS = "keyless.render.sarif_limits"


def _scan_with(count: int) -> ScanResult:
    """A real scan's result whose one finding is reported ``count`` times."""
    user = make_user("alice", keys=(make_key(age_days=900),))
    result = run_checks(make_inventory(make_account(users=(user,))))
    assert result.findings
    return replace(result, findings=(result.findings[0],) * count)


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == WARNINGS]


@pytest.mark.parametrize(
    ("count", "phrase"),
    [
        (25_001, "rejects more than 25,000 results per run"),
        (5_001, "keeps only 5,000 results per run"),
    ],
)
def test_too_many_results_are_written_whole_with_a_warning(
    caplog: pytest.LogCaptureFixture, count: int, phrase: str
) -> None:
    caplog.set_level(logging.WARNING, WARNINGS)

    text = sarif_text(_scan_with(count), RenderOptions())

    assert len(json.loads(text)["runs"][0]["results"]) == count
    (warning,) = _warnings(caplog)
    assert f"run 1 has {count:,} results" in warning
    assert phrase in warning


def test_the_streamed_log_warns_as_the_whole_one(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, WARNINGS)

    data = b"".join(sarif_chunks(_scan_with(25_001), RenderOptions()))

    assert len(json.loads(data)["runs"][0]["results"]) == 25_001
    assert any("rejects more than 25,000 results" in w for w in _warnings(caplog))


def test_within_the_limits_nothing_is_said(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, WARNINGS)

    sarif_text(_scan_with(5_000), RenderOptions())
    b"".join(sarif_chunks(_scan_with(5_000), RenderOptions()))

    assert _warnings(caplog) == []


def test_every_documented_limit_is_checked() -> None:
    rule = {"id": "r", "properties": {"tags": ["t"] * 21}}
    result = {"locations": [{}] * 1_001}
    run = {"tool": {"driver": {"rules": [rule]}}, "results": [result]}

    problems = past_limits({"runs": [run] * 21})

    assert any("the file has 21 runs" in p and "20 runs per file" in p for p in problems)
    assert any("rule r of run 1 has 21 tags" in p for p in problems)
    assert any("result 1 of run 1 has 1,001 locations" in p for p in problems)


def test_a_file_too_large_compressed_is_warned_about(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, WARNINGS)
    noise = secrets.token_bytes(MAX_UPLOAD_BYTES // 4)  # random: gzip cannot shrink it

    list(watched([noise] * 5, {"runs": []}, 0))

    (warning,) = _warnings(caplog)
    assert "rejects an upload larger than 10,485,760 bytes compressed" in warning


def test_the_command_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # The CLI's logging writes warnings to stderr; under pytest they reach caplog.
    users = "".join(
        f'resource "aws_iam_user" "u{n}" {{\n  name = "u{n}"\n}}\n' for n in range(5_001)
    )
    (tmp_path / "main.tf").write_text(users)
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(cli, ["iac", ".", "--format", "sarif"])

    assert result.exit_code == 1, result.output
    assert len(json.loads(result.stdout)["runs"][0]["results"]) == 5_001
    assert any("keeps only 5,000 results per run" in w for w in _warnings(caplog))
