"""The diff ``keyless workflows fix`` prints (without ``--write``) shows lines of the
workflow as they are, and a workflow is a file anyone may have edited: a bidirectional
override (Trojan Source: it reorders what the terminal shows) or a zero-width character
in a comment reached the terminal raw. Each is shown as an escape (``\\u202e``); tabs, line
ends and the written file are as they were."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

ROLE = "arn:aws:iam::123456789012:role/ci"
WORKFLOW = (
    "on: push\n"
    "jobs:\n"
    "  deploy:\n"
    "    runs-on: ubuntu-latest\n"
    "    env:\n"
    "      AWS_ACCESS_KEY_ID: ${{{{ secrets.AWS_ACCESS_KEY_ID }}}}  # {hostile} removed\n"
    "      AWS_SECRET_ACCESS_KEY: ${{{{ secrets.AWS_SECRET_ACCESS_KEY }}}}\n"
    "    steps:\n"
    "      - run: aws s3 ls  # {hostile}\tkept\n"
)


@pytest.mark.parametrize(
    ("hostile", "escaped"),
    [("\u202e", "\\u202e"), ("\u2066", "\\u2066"), ("\u200b", "\\u200b")],
)
def test_the_diff_shows_a_hostile_character_as_an_escape(
    tmp_path: Path, hostile: str, escaped: str
) -> None:
    workflow = tmp_path / ".github" / "workflows" / "deploy.yml"
    workflow.parent.mkdir(parents=True)
    text = WORKFLOW.format(hostile=hostile)
    workflow.write_text(text, encoding="utf-8")

    result = CliRunner().invoke(
        cli,
        ["workflows", "fix", str(tmp_path), "--role-arn", ROLE, "--repository", "acme/app",
         "--region", "us-east-1"],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert hostile not in result.stdout
    assert (
        f"-      AWS_ACCESS_KEY_ID: ${{{{ secrets.AWS_ACCESS_KEY_ID }}}}  # {escaped} removed\n"
        in (result.stdout)
    )
    assert f"       - run: aws s3 ls  # {escaped}\tkept\n" in result.stdout
    assert workflow.read_text(encoding="utf-8") == text
