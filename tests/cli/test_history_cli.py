"""`keyless scan --record`, `keyless collect --record` and `keyless history` as a user
runs them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli

ROOT = Path(__file__).resolve().parents[2]
EXPORT = ROOT / "tests" / "collect" / "fixtures" / "org"
SCHEMA = json.loads((ROOT / "docs" / "schemas" / "history-v1.schema.json").read_text())


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _history(store: Path, *args: str) -> dict[str, Any]:
    result = _run("history", "--store", str(store), "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_recorded_scans_are_the_history(tmp_path: Path) -> None:
    store = tmp_path / "h.db"
    scans = []
    for _ in range(2):
        result = _run("scan", "--input", str(EXPORT), "--record", "--store", str(store), "-q",
                      "--format", "json")  # fmt: skip
        assert result.exit_code in (0, 1, 3), result.stderr
        scans.append(json.loads(result.stdout))
    document = _history(store)
    jsonschema.validate(document, SCHEMA)
    assert [s["id"] for s in document["scans"]] == [1, 2]
    totals = scans[-1]["summary"]["totals"]
    latest = document["scans"][-1]["total"]
    assert latest["users"] == totals["users"]
    assert latest["active_keys"] == totals["active_keys"]
    assert latest["findings"] == totals["findings"]


def test_collect_records_findings_too(tmp_path: Path) -> None:
    store = tmp_path / "h.db"
    result = _run("collect", "--input", str(EXPORT), "--out", str(tmp_path / "s.json"),
                  "--record", "--store", str(store))  # fmt: skip
    assert result.exit_code in (0, 3), result.stderr
    scan = json.loads(_run("scan", "--input", str(EXPORT), "--format", "json").stdout)
    (recorded,) = _history(store)["scans"]
    assert recorded["command"] == "collect"
    assert recorded["total"]["findings"] == scan["summary"]["totals"]["findings"]


def test_one_account(tmp_path: Path) -> None:
    store = tmp_path / "h.db"
    _run("scan", "--input", str(EXPORT), "--record", "--store", str(store))
    accounts = _history(store)["accounts"]
    account = sorted(accounts)[0]
    document = _history(store, "--account", account)
    assert set(document["accounts"]) == {account}
    assert set(document["scans"][0]["accounts"]) <= {account}


def test_an_unknown_account_is_exit_2(tmp_path: Path) -> None:
    store = tmp_path / "h.db"
    _run("scan", "--input", str(EXPORT), "--record", "--store", str(store))
    result = _run("history", "--store", str(store), "--account", "000000000000")
    assert result.exit_code == 2
    assert "no recorded scan has account '000000000000'" in result.stderr


@pytest.mark.parametrize(
    "account",
    ["12345678901", "123456789012\n", "".join(chr(0xFF10 + int(d)) for d in "123456789012")],
)
def test_an_account_that_cannot_be_one_is_exit_2_before_the_store(
    tmp_path: Path, account: str
) -> None:
    result = _run("history", "--store", str(tmp_path / "none.db"), "--account", account)
    assert result.exit_code == 2
    assert "is not an account ID (12 digits)" in result.stderr
    assert not (tmp_path / "none.db").exists()


def test_history_without_a_store_says_how_to_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = _run("history")
    assert result.exit_code == 2
    assert "keyless scan --record" in result.stderr
    assert not (tmp_path / ".keyless").exists()


def test_a_store_that_cannot_be_made_fails_before_the_scan(tmp_path: Path) -> None:
    result = _run("scan", "--input", str(EXPORT), "--record", "--store",
                  str(tmp_path / "missing" / "h.db"))  # fmt: skip
    assert result.exit_code == 2
    assert "its directory does not exist" in result.stderr
    assert result.stdout == ""


def test_the_default_store_lives_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _run("scan", "--input", str(EXPORT), "--record")
    assert (tmp_path / ".keyless" / "history.sqlite3").is_file()
    assert (tmp_path / ".keyless" / ".gitignore").read_text().splitlines()[-1] == "*"
    assert len(_history(Path(".keyless/history.sqlite3"))["scans"]) == 1


def test_the_html_report_charts_the_recorded_burn_down(tmp_path: Path) -> None:
    store = tmp_path / "h.db"
    for _ in range(2):
        _run("scan", "--input", str(EXPORT), "--record", "--store", str(store))
    html = _run("scan", "--input", str(EXPORT), "--store", str(store), "--format", "html").stdout
    burndown = html[html.index('id="chart-burndown"') :]
    assert "<polyline" in burndown[: burndown.index("</figure>")]
    assert len(_history(store)["scans"]) == 2  # --store alone reads, it does not record


def test_the_text_history_draws_sparklines(tmp_path: Path) -> None:
    store = tmp_path / "h.db"
    for _ in range(3):
        _run("scan", "--input", str(EXPORT), "--record", "--store", str(store))
    text = _run("history", "--store", str(store)).stdout
    assert "3 scans" in text
    assert "▁▁▁" in text


def test_quiet_collect_prints_nothing_but_errors(tmp_path: Path) -> None:
    result = _run("collect", "--input", str(EXPORT), "--out", str(tmp_path / "s.json"), "-q")
    assert result.stderr == ""
    loud = _run("collect", "--input", str(EXPORT), "--out", str(tmp_path / "s.json"))
    assert "wrote" in loud.stderr
