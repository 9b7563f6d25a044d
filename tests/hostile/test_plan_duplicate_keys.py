"""A hand-edited plan with a key twice in one object. JSON parsers keep the last value
silently, so a reviewer reading the first and keyless acting on the second disagreed
about the same plan (``generate`` wrote, ``plan --check`` called it valid). ``generate``,
``retire`` and ``plan --check`` refuse it (exit 2) with the JSON pointer of the second key,
nothing written. Other hand edits (wrong types, a 10 MB string, deep nesting) were
already refused or harmless: the last test keeps them so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

EXPORT = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "account"


def _commands(plan: Path, out: Path) -> list[list[str]]:
    return [
        ["generate", str(plan), "--format", "scp", "--out", str(out)],
        ["retire", "--plan", str(plan)],
        ["plan", "--input", str(EXPORT), "--check", str(plan)],
    ]


@pytest.mark.parametrize(
    ("edit", "pointer"),
    [
        pytest.param(lambda t: t.replace("{", '{"users": [], ', 1), "/users", id="top"),
        pytest.param(
            lambda t: t.replace('"source": {', '"source": {"origin": "live", ', 1),
            "/source/origin",
            id="nested",
        ),
    ],
)
def test_a_key_twice_in_one_object_is_refused(
    export_plan: Path, tmp_path: Path, edit: object, pointer: str
) -> None:
    assert callable(edit)
    plan = tmp_path / "plan.json"
    plan.write_text(edit(export_plan.read_text()))
    json.loads(plan.read_text())  # still valid JSON, which keeps the last value
    out = tmp_path / "out"
    for command in _commands(plan, out):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 2, (command, result.output)
        first = result.stderr.splitlines()[0]
        assert first == (
            f"keyless: error: {plan}#{pointer}: a key appears twice in one object: which"
            " one counts depends on the program reading it"
        ), command
        assert "Traceback" not in result.output
    assert not out.exists()


def test_the_plan_as_written_has_no_duplicate(export_plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    pca = "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/" + "1" * 36
    result = CliRunner().invoke(cli, [*_commands(export_plan, out)[0], "--pca-arn", pca])
    assert result.exit_code == 0, result.output
    assert out.is_dir()


@pytest.mark.parametrize(
    ("change", "phrase"),
    [
        pytest.param(lambda d: d.update(users=5), "is not of type 'array'", id="type"),
        pytest.param(
            lambda d: d["source"].update(collected_at="x" * 10_000_000),
            "is not valid under any of the given schemas",
            id="10MB",
        ),
        pytest.param(lambda d: d["notes"].append("DEEP"), "depth limit exceeded", id="deep"),
    ],
)
def test_other_hand_edits_are_one_error(
    export_plan: Path, tmp_path: Path, change: object, phrase: str
) -> None:
    assert callable(change)
    document = json.loads(export_plan.read_text())
    change(document)
    plan = tmp_path / "plan.json"
    # 2,000 levels: more than json.dumps (or orjson, 1,024) writes or reads.
    plan.write_text(json.dumps(document).replace('"DEEP"', "[" * 2000 + "]" * 2000))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, _commands(plan, out)[0])
    assert result.exit_code == 2, result.output
    assert phrase in result.stderr.splitlines()[0] or phrase in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()
