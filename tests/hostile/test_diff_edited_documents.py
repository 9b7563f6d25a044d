"""``keyless diff`` of scan documents edited by hand. A finding copied within ``findings``
was compared as a second finding: the copy was "1 new" (exit 1 on a clean change), and in
the older document it made the original "fixed". Check IDs were read as any string, so a
forged one (an escape sequence, a line break) reached every output. Both are refused now
(exit 2), naming the document and the JSON pointer; two findings of one check on one role
that differ in their evidence (keyless writes those) are still compared one by one. An
account listed twice, or marked failed in a document that says it is complete, is refused
too: keyless writes neither."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli

Document = dict[str, Any]


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("scanned")
    snapshot = folder / "demo.json"
    assert run("collect", "--demo", "--out", snapshot).exit_code == 0
    document = folder / "scan.json"
    result = run("scan", "--snapshot", snapshot, "--format", "json", "--output", document)
    assert result.exit_code == 1, result.output
    return document


def _edited(source: Path, target: Path, edit: Callable[[Document], None]) -> Path:
    document = json.loads(source.read_text())
    edit(document)
    target.write_text(json.dumps(document))
    return target


def _finding_twice(document: Document) -> None:
    document["findings"].append(dict(document["findings"][0]))


def test_the_same_document_has_no_new_finding(scanned: Path) -> None:
    result = run("diff", scanned, scanned, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["totals"]["findings_new"] == 0


@pytest.mark.parametrize("side", ["old", "new"])
def test_a_finding_listed_twice_is_refused(scanned: Path, tmp_path: Path, side: str) -> None:
    edited = _edited(scanned, tmp_path / "edited.json", _finding_twice)
    last = len(json.loads(edited.read_text())["findings"]) - 1

    result = run("diff", *((edited, scanned) if side == "old" else (scanned, edited)))

    assert result.exit_code == 2, result.output
    assert f"{edited}#/findings/{last}: is the finding at /findings/0 again" in result.stderr
    assert "Traceback" not in result.output


def test_two_findings_differing_in_evidence_are_compared(scanned: Path, tmp_path: Path) -> None:
    """The copy's evidence differs: a second problem of the same role, which is new."""

    def second_problem(document: Document) -> None:
        copy = json.loads(json.dumps(document["findings"][0]))
        copy["evidence"]["statement"] = 7
        document["findings"].append(copy)

    edited = _edited(scanned, tmp_path / "edited.json", second_problem)

    result = run("diff", scanned, edited, "--format", "json")

    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["totals"]["findings_new"] == 1


@pytest.mark.parametrize(
    ("place", "check"),
    [
        ("findings", "key-not-rotated\x1b[2J"),
        ("findings", "key-not-rotated\nnew: critical"),
        ("findings", "Key-Not-Rotated"),
        ("findings", ""),
        ("check_runs", "x" * 100_000 + " "),
        ("check_runs", "\u202eyrtne"),
    ],
    ids=["escape", "line-break", "capitals", "empty", "long", "right-to-left"],
)
def test_a_check_id_outside_its_grammar_is_refused(
    scanned: Path, tmp_path: Path, place: str, check: str
) -> None:
    def forge(document: Document) -> None:
        document[place][0]["check"] = check

    edited = _edited(scanned, tmp_path / "edited.json", forge)

    result = run("diff", scanned, edited)

    assert result.exit_code == 2, result.output
    assert f"{edited}#/{place}/0/check: is not a check ID:" in result.stderr
    assert len(result.stderr) < 1_000
    assert "\x1b" not in result.output
    assert "\u202e" not in result.output


def test_a_failed_account_in_a_complete_document_is_refused(scanned: Path, tmp_path: Path) -> None:
    """keyless writes ``"complete": false`` when an account could not be read: a document
    saying both made the diff exit 0 on an account nothing was read of (3 is due)."""

    def unread(document: Document) -> None:
        document["accounts"][0]["status"] = "failed"
        document["findings"] = [
            f for f in document["findings"] if f["account"] != document["accounts"][0]["id"]
        ]

    edited = _edited(scanned, tmp_path / "edited.json", unread)

    result = run("diff", scanned, edited)

    assert result.exit_code == 2, result.output
    assert f'{edited}#/accounts/0/status: is "failed" in a document whose "complete"' in (
        result.stderr
    )


def test_an_account_listed_twice_is_refused(scanned: Path, tmp_path: Path) -> None:
    def twice(document: Document) -> None:
        document["accounts"].append(document["accounts"][0])

    edited = _edited(scanned, tmp_path / "edited.json", twice)
    last = len(json.loads(edited.read_text())["accounts"]) - 1

    result = run("diff", edited, scanned)

    assert result.exit_code == 2, result.output
    assert f"{edited}#/accounts/{last}/id: account " in result.stderr
    assert "is listed twice" in result.stderr
