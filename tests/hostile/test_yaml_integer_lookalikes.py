"""A YAML scalar that ruamel.yaml's resolver takes for an integer but that holds no digit
(``+_``, ``-_``, ``0x_``, ``0b_``, ``0o_``: a sign or base prefix and underscores) made its
constructor fail with an ``IndexError``: ``keyless workflows scan`` and ``keyless iac``
stopped with a traceback on a one-line file (found by tests/hostile/test_workflow_fuzz.py
with ``b"+_"``). Such a scalar is now the string it is, as YAML 1.2 reads it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

LOOKALIKES = ["+_", "-_", "0x_", "0b_", "0o_", "+__"]


@pytest.mark.parametrize("value", LOOKALIKES)
def test_a_workflow_with_an_integer_lookalike_is_read(tmp_path: Path, value: str) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yml").write_text(
        f"on: push\njobs:\n  build:\n    runs-on: {value}\n    steps:\n      - run: make\n"
    )
    result = CliRunner().invoke(cli, ["workflows", "scan", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "in 1 file(s)" in result.output


@pytest.mark.parametrize("value", LOOKALIKES)
def test_a_template_with_an_integer_lookalike_is_read(tmp_path: Path, value: str) -> None:
    (tmp_path / "template.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Topic:\n"
        f"    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: {value}\n"
    )
    result = CliRunner().invoke(cli, ["iac", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "in 1 file(s)" in result.output


def test_integers_are_still_integers() -> None:
    from keyless.workflows.yamldoc import load_text

    document = load_text("a: 0x1F\nb: -3\nc: 1_000\n", Path("x.yml"))
    assert [document.root[k] for k in ("a", "b", "c")] == [31, -3, 1000]
