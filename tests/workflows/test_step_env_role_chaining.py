"""configure-aws-credentials given the keys in its own ``env:`` and a ``role-to-assume``:
the keys only assume that role (role chaining). Without them, and with ``id-token:
write``, the step assumes the role with the job's OIDC token itself (the action uses
GitHub's OIDC provider when it has a role, no keys and no ``role-chaining``:
https://github.com/aws-actions/configure-aws-credentials#oidc). ``fix`` inserted a
credentials step for ``--role-arn`` before it, which the step then ignored, and said the job
assumed ``--role-arn``: the role the job really assumed got no trust statement."""

from __future__ import annotations

from pathlib import Path

from keyless.workflows import fix

from .builders import ROLE, job, only, options, repo

TARGET = "arn:aws:iam::210987654321:role/target"
WORKFLOW = f"""\
on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        env:
          AWS_ACCESS_KEY_ID: ${{{{ secrets.AWS_ACCESS_KEY_ID }}}}
          AWS_SECRET_ACCESS_KEY: ${{{{ secrets.AWS_SECRET_ACCESS_KEY }}}}
        with:
          role-to-assume: {TARGET}
          aws-region: us-east-1
CHAINING      - run: aws s3 ls
"""


def test_the_step_keeps_its_role_and_assumes_it_with_the_token(tmp_path: Path) -> None:
    root = repo(tmp_path, {".github/workflows/ci.yml": WORKFLOW.replace("CHAINING", "")})
    rewrite = only(fix([root], options()), "ci.yml")
    deploy = job(rewrite, "deploy")
    assert deploy.role == TARGET
    assert deploy.chained
    assert rewrite.after.count("aws-actions/configure-aws-credentials") == 1
    assert "secrets.AWS_ACCESS_KEY_ID" not in rewrite.after
    assert "id-token: write" in rewrite.after


def test_role_chaining_true_still_gets_a_step_before_it(tmp_path: Path) -> None:
    # `role-chaining: true` assumes the role from the credentials already there: those of
    # the inserted step, assuming --role-arn with the token.
    text = WORKFLOW.replace("CHAINING", "          role-chaining: true\n")
    root = repo(tmp_path, {".github/workflows/ci.yml": text})
    rewrite = only(fix([root], options()), "ci.yml")
    assert job(rewrite, "deploy").role == ROLE
    assert rewrite.after.count("aws-actions/configure-aws-credentials") == 2
    assert rewrite.after.index(ROLE) < rewrite.after.index(TARGET)
