"""``keyless diff`` names the ``--config`` ignores that matched nothing on a snapshot it
ran the checks on, as ``scan`` does: a notice line in the text and the Markdown,
``unused_ignores`` in the JSON (``null`` when neither side is a snapshot: a scan document
or a recorded scan had its ignores applied when it was made). Never an error, and the exit
code does not change."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli
from keyless.config import Ignore
from keyless.store.diff import compare
from keyless.store.documents import load_record

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "schemas" / "diff-v1.schema.json").read_text())

#: Rule #1 matches nothing (a regex where a glob is read); rule #2 hides every finding.
CONFIG = """\
[[ignore]]
check = "*"
resource = "arn:aws:iam::.*:user/ci-.*"
reason = "CI users are being migrated"

[[ignore]]
check = "*"
reason = "everything accepted"
"""


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("estate")
    snapshot, config, document = folder / "s.json", folder / "ignores.toml", folder / "d.json"
    assert run("collect", "--demo", "--out", snapshot).exit_code == 0
    config.write_text(CONFIG)
    scanned = run("scan", "--snapshot", snapshot, "--format", "json", "--output", document)
    assert scanned.exit_code == 1, scanned.output
    return {"snapshot": snapshot, "config": config, "document": document}


def _notice(config: Path) -> str:
    return (
        f"notice: {config} [[ignore]] #1 (check '*', resource 'arn:aws:iam::.*:user/ci-.*')"
        " matched no finding"
    )


def _document(*args: str | Path) -> dict[str, Any]:
    result = run("diff", *args, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    document: dict[str, Any] = json.loads(result.stdout)
    jsonschema.validate(document, SCHEMA)
    return document


def test_the_json_names_the_ignore_that_matched_nothing(estate: dict[str, Path]) -> None:
    document = _document(estate["snapshot"], estate["snapshot"], "--config", estate["config"])

    assert document["unused_ignores"] == [
        {
            "file": str(estate["config"]),
            "rule": 1,
            "check": "*",
            "resource": "arn:aws:iam::.*:user/ci-.*",
            "account": "*",
            "reason": "CI users are being migrated",
        }
    ]


def test_a_document_beside_a_snapshot_is_judged_by_the_snapshot(
    estate: dict[str, Path],
) -> None:
    document = _document(estate["document"], estate["snapshot"], "--config", estate["config"])

    assert [entry["rule"] for entry in document["unused_ignores"]] == [1]
    assert document["totals"]["findings_suppressed"] > 0


def test_the_text_and_markdown_say_so_and_the_exit_code_does_not_change(
    estate: dict[str, Path],
) -> None:
    args = (estate["snapshot"], estate["snapshot"], "--config", estate["config"])
    text = run("diff", *args)
    markdown = run("diff", *args, "--format", "markdown")

    assert text.exit_code == 0, text.output
    assert _notice(estate["config"]) in text.stdout.splitlines()
    assert markdown.exit_code == 0, markdown.output
    # Escapes and code spans (around the path and the pattern) aside, the same line.
    shown = markdown.stdout.replace("\\", "").replace("`", "")
    assert f"- {_notice(estate['config'])}" in shown.splitlines()


def test_two_documents_judge_no_ignore(estate: dict[str, Path]) -> None:
    args = (estate["document"], estate["document"], "--config", estate["config"])
    document = _document(*args)
    text = run("diff", *args)

    assert document["unused_ignores"] is None
    assert "matched no finding" not in text.stdout


def test_no_configuration_no_notice(estate: dict[str, Path], tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)  # no ./keyless.toml

    document = _document(estate["snapshot"], estate["snapshot"])

    assert document["unused_ignores"] == []


def test_an_ignore_that_hid_a_finding_on_either_side_is_in_use(estate: dict[str, Path]) -> None:
    record = load_record(estate["snapshot"])
    first, second = (Ignore("*", "a", source="k.toml", index=n) for n in (1, 2))
    old = dataclasses.replace(record, unused_ignores=(first, second))
    new = dataclasses.replace(record, unused_ignores=(second,))

    assert compare(old, new, old_name="o", new_name="n").unused_ignores == (second,)
    assert compare(old, record, old_name="o", new_name="n").unused_ignores == ()
    unjudged = dataclasses.replace(record, unused_ignores=None)
    assert compare(unjudged, new, old_name="o", new_name="n").unused_ignores == (second,)
    assert compare(unjudged, unjudged, old_name="o", new_name="n").unused_ignores is None
