"""A role named by a GitHub variable or secret (``--role-arn-from vars.AWS_ROLE``) that
jobs of several environments assume: an environment's own ``AWS_ROLE`` wins over the
repository's
(https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/store-information-in-variables#configuration-variable-precedence),
so ``fix``'s summary lists what each environment's role must trust rather than one list
for "the" role. A literal ARN is one role whatever the environment."""

from __future__ import annotations

from pathlib import Path

from keyless.render.workflows import fix_summary
from keyless.workflows import FixOptions, RoleSource, fix

from .builders import ROLE, repo

WORKFLOW = """\
on:
  push:
    branches: [main]
jobs:
{jobs}"""
JOB = """\
  {name}:
    runs-on: ubuntu-latest
{environment}    env:
      AWS_ACCESS_KEY_ID: ${{{{ secrets.AWS_ACCESS_KEY_ID }}}}
      AWS_SECRET_ACCESS_KEY: ${{{{ secrets.AWS_SECRET_ACCESS_KEY }}}}
    steps:
      - run: aws s3 ls
"""
MATRIX = """\
    strategy:
      matrix:
        stage: [staging, prod]
    environment: ${{ matrix.stage }}
"""


def _summary(tmp_path: Path, role: RoleSource, *jobs: tuple[str, str]) -> list[str]:
    text = WORKFLOW.format(jobs="".join(JOB.format(name=n, environment=e) for n, e in jobs))
    root = repo(tmp_path, {".github/workflows/deploy.yml": text})
    options = FixOptions(role, region="us-east-1", repository="acme/app")
    lines = fix_summary(fix([root], options)).splitlines()
    return lines[: next(i for i, line in enumerate(lines) if "file(s) changed" in line)]


def _after(lines: list[str], header: str) -> list[str]:
    return lines[lines.index(header) + 1 :]


def test_a_variable_role_is_listed_per_environment(tmp_path: Path) -> None:
    lines = _summary(
        tmp_path,
        RoleSource(reference="vars.AWS_ROLE"),
        ("build", ""),
        ("deploy", "    environment: prod\n"),
        ("matrix", MATRIX),
    )
    header = (
        "${{ vars.AWS_ROLE }} (3 jobs) may name a role per environment (an environment's own "
        "value wins over the repository's); the role each names must trust:"
    )
    assert _after(lines, header) == [
        "  no environment (the repository's value) (1 job):",
        "    StringEquals sub = repo:acme/app:ref:refs/heads/main",
        "  environment prod (2 jobs):",
        "    StringEquals sub = repo:acme/app:environment:prod",
        "  environment staging (1 job):",
        "    StringEquals sub = repo:acme/app:environment:staging",
    ]
    assert not any("must trust, in all" in line for line in lines)


def test_a_variable_role_of_one_environment_is_one_list(tmp_path: Path) -> None:
    prod = "    environment: prod\n"
    lines = _summary(tmp_path, RoleSource(reference="vars.AWS_ROLE"), ("a", prod), ("b", prod))
    assert _after(lines, "${{ vars.AWS_ROLE }} (2 jobs) must trust, in all:") == [
        "  StringEquals sub = repo:acme/app:environment:prod"
    ]


def test_a_literal_role_is_one_role_whatever_the_environments(tmp_path: Path) -> None:
    lines = _summary(
        tmp_path, RoleSource(arn=ROLE), ("build", ""), ("deploy", "    environment: prod\n")
    )
    assert _after(lines, f"{ROLE} (2 jobs) must trust, in all:")[:2] == [
        "  StringEquals sub = repo:acme/app:ref:refs/heads/main",
        "  StringEquals sub = repo:acme/app:environment:prod",
    ]


GITLAB_JOB = """\
{name}:
{environment}  variables:
    AWS_ACCESS_KEY_ID: $AWS_ACCESS_KEY_ID
    AWS_SECRET_ACCESS_KEY: $AWS_SECRET_ACCESS_KEY
  script:
    - aws s3 ls
"""


def test_a_gitlab_variable_role_is_listed_per_environment(tmp_path: Path) -> None:
    # A CI/CD variable can be scoped to an environment
    # (https://docs.gitlab.com/ci/environments/#limit-the-environment-scope-of-a-cicd-variable):
    # `$ROLE_ARN` may name another role for the jobs that deploy to production.
    text = "".join(
        GITLAB_JOB.format(name=name, environment=environment)
        for name, environment in [
            ("test", ""),
            ("deploy", "  environment: production\n"),
            ("deploy-eu", "  environment:\n    name: production\n"),
        ]
    )
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    options = FixOptions(
        RoleSource(reference="ROLE_ARN"), region="us-east-1", repository="acme/app"
    )
    lines = fix_summary(fix([root], options)).splitlines()
    header = (
        "$ROLE_ARN (3 jobs) may name a role per environment (a CI/CD variable scoped to an "
        "environment wins for its jobs); the role each names must trust:"
    )
    grouped = _after(lines, header)
    assert grouped[0] == "  no environment (the value scoped to all environments) (1 job):"
    assert "  environment production (2 jobs):" in grouped
