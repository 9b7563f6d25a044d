"""``plan --workflows PATH`` names a checkout's repository after its ``.git/config``
``origin`` URL, a file as hostile as the workflows beside it. A path outside the
repository grammar (``acme/de"ploy ${{ x }}``, an escape sequence) became the name of
the repository in the plan: its notes and a user's reasons said "workflows of acme/de"ploy
${{ x }} use AWS keys". It is now left out with a note naming it quoted, as a checkout
without a remote is (``workflows fix`` already ignored such a remote). A config holding
bytes that are not UTF-8 (Git keeps it as bytes) was a UnicodeDecodeError traceback in both
commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

WORKFLOW = """\
on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
          aws-region: us-east-1
      - run: aws s3 sync . s3://bucket
"""


def _checkout(root: Path, url: str) -> Path:
    (root / ".git").mkdir(parents=True)
    (root / ".git" / "config").write_text(f'[remote "origin"]\n\turl = {url}\n')
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "deploy.yml").write_text(WORKFLOW)
    return root


def _plan(tmp_path: Path, checkout: Path) -> tuple[int, str, str]:
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(
        cli, ["plan", "--demo", "--workflows", str(checkout), "--out", str(out), "-q"]
    )
    return result.exit_code, result.stderr + result.stdout, out.read_text()


@pytest.mark.parametrize(
    "path",
    ['acme/de"ploy ${{ x }}', "acme/deploy\x1b[2J", "acme/../../etc", "acme"],
    ids=["quote-expression", "escape", "dot-dot", "no-slash"],
)
def test_a_remote_outside_the_grammar_names_no_repository(tmp_path: Path, path: str) -> None:
    checkout = _checkout(tmp_path / "repo", f"https://github.com/{path}")

    code, output, plan = _plan(tmp_path, checkout)

    assert code == 1, output
    assert "the git remote's path" in output
    assert "is not ORG/REPO; its jobs are left out" in output
    reasons = [r for user in json.loads(plan)["users"] for r in user["would_decide"]]
    assert not any("workflows with AWS keys, not linked" in r for r in reasons)
    assert not any(
        "use AWS keys, but no IAM user is linked" in n for n in json.loads(plan)["notes"]
    )


def test_a_remote_in_the_grammar_names_its_repository(tmp_path: Path) -> None:
    checkout = _checkout(tmp_path / "repo", "git@github.com:acme/deploy.git")

    code, output, plan = _plan(tmp_path, checkout)

    assert code == 1, output
    assert "workflows of acme/deploy use AWS keys" in " ".join(json.loads(plan)["notes"])


def _undecodable_checkout(root: Path) -> Path:
    checkout = _checkout(root, "https://github.com/acme/deploy")
    (checkout / ".git" / "config").write_bytes(
        b'[remote "origin"]\n\turl = https://github.com/acme/\xff\xfe\n'
    )
    return checkout


def test_a_git_config_not_utf8_is_no_traceback_in_plan(tmp_path: Path) -> None:
    """Git keeps its config as bytes: one that is not UTF-8 was a UnicodeDecodeError."""
    code, output, _ = _plan(tmp_path, _undecodable_checkout(tmp_path / "repo"))

    assert code == 1, output
    assert "is not ORG/REPO; its jobs are left out" in output


def test_a_git_config_not_utf8_is_no_traceback_in_workflows_fix(tmp_path: Path) -> None:
    checkout = _undecodable_checkout(tmp_path / "repo")

    result = CliRunner().invoke(
        cli,
        ["workflows", "fix", str(checkout), "--role-arn", "arn:aws:iam::123456789012:role/ci"],
    )

    assert result.exit_code == 0, result.output
    assert "the git remote's path" in result.output
    assert "is not ORG/REPO; ignored" in result.output
    assert "subjects use OWNER/REPO" in result.output
