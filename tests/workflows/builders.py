"""Small repositories written in the shapes public repositories use, for one behaviour each."""

from __future__ import annotations

import textwrap
from pathlib import Path

from keyless.engine import assess_trust
from keyless.findings import Severity
from keyless.model import Role
from keyless.workflows import FixOptions, RoleSource
from keyless.workflows.model import FileRewrite, FixResult, JobRewrite, Platform
from keyless.workflows.verdict import statement

ROLE = "arn:aws:iam::123456789012:role/ci"

#: The usual GitHub Actions job with an IAM user's keys from secrets in its env.
GITHUB_KEYS = """\
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    env:
      AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
      AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
    steps:
      - run: aws s3 ls
"""

#: configure-aws-credentials given the keys from secrets (its README's first example).
GITHUB_CONFIGURE_KEYS = """\
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
          aws-region: us-east-1
"""

#: CircleCI's documented aws-cli orb job with keys from a context (no role_arn):
#: https://circleci.com/developer/orbs/orb/circleci/aws-cli
CIRCLECI_KEYS = """
version: 2.1
orbs:
  aws-cli: circleci/aws-cli@4.1.3
jobs:
  deploy:
    docker:
      - image: cimg/aws:2024.03
    steps:
      - checkout
      - aws-cli/setup:
          profile_name: default
      - run: aws s3 sync ./public s3://my-bucket
workflows:
  main:
    jobs:
      - deploy:
          context: aws-keys
"""


def repo(root: Path, files: dict[str, str]) -> Path:
    """A repository under ``root`` holding ``files`` (paths relative to it, text dedented)."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def options(region: str | None = "us-east-1", **extra: str) -> FixOptions:
    """The options most tests fix with: a literal role, a repository name, a region."""
    return FixOptions(
        RoleSource(arn=extra.pop("arn", ROLE)),
        region=region,
        repository=extra.pop("repository", "acme/app"),
    )


def only(result: FixResult, name: str) -> FileRewrite:
    """The rewrite of the one file whose name is ``name``."""
    (rewrite,) = [r for r in result.files if r.file.path.name == name]
    return rewrite


def job(rewrite: FileRewrite, name: str) -> JobRewrite:
    """The rewritten job called ``name``."""
    (found,) = [j for j in rewrite.jobs if j.job == name]
    return found


def reasons(rewrite: FileRewrite, name: str | None) -> str:
    """Every reason given for leaving job ``name`` (None: the whole file), joined."""
    return " | ".join(u.reason for u in rewrite.unfixed if u.job == name)


def worst_trust_severity(platform: Platform, rewritten: JobRewrite) -> Severity | None:
    """The worst finding ``keyless trust`` reports on the statement fix recommends."""
    document = {
        "Version": "2012-10-17",
        "Statement": [statement(platform, "123456789012", rewritten.recommended)],
    }
    role = Role(account_id="123456789012", name="ci", arn=ROLE, trust_policy=document)
    findings = assess_trust(role).findings
    return max((f.severity for f in findings), default=None)
