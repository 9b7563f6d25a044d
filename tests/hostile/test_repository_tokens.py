"""``keyless workflows fix --repository`` given a clone URL with a token in it
(``https://user:ghp_…@github.com/acme/app``) refuses it without echoing the token, as
``plan --link`` does: the message reaches a terminal or a CI log."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

from .test_workflow_inputs import KEYS_WORKFLOW, ROLE

TOKEN = "ghp_0123456789abcdefSECRET"


@pytest.mark.parametrize(
    "repository",
    [
        f"https://alice:{TOKEN}@github.com/acme/app",
        f"https://{TOKEN}@github.com/acme/app.git",
        f"alice:{TOKEN}@github.com/acme/app",
    ],
)
def test_a_token_in_the_repository_is_never_echoed(tmp_path: Path, repository: str) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "cd.yml").write_text(KEYS_WORKFLOW, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["workflows", "fix", str(tmp_path), "--role-arn", ROLE, "--repository", repository]
    )
    assert result.exit_code == 2, result.output
    assert TOKEN not in result.output
    assert "is not ORG/REPO" in result.output
