"""Keys written once and repeated in other jobs with a YAML alias (``env: *keys``,
``with: *creds``): an alias is the anchored node itself
(https://yaml.org/spec/1.2.2/#3222-anchors-and-aliases), and GitHub Actions reads
anchors and aliases in workflow files
(https://github.blog/changelog/2025-09-18-actions-yaml-anchors-and-non-public-workflow-templates/).
The scan reports the keys once, where they are written (where ``fix`` removes them), and
names every job they reach; ``fix`` edits the anchor, never the alias."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.findings import FileLocation, Finding
from keyless.workflows import fix, scan
from keyless.workflows.yamldoc import load_text

from .builders import only, options, repo

ENV_ALIAS = """\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    env: &keys
      AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
      AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
    steps:
      - run: aws s3 ls
  deploy:
    runs-on: ubuntu-latest
    env: *keys
    steps:
      - run: aws s3 sync . s3://site
"""

INPUTS_ALIAS = """\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with: &creds
          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
          aws-region: us-east-1
      - run: aws s3 ls
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with: *creds
      - run: aws s3 ls
"""

SECRETS_ALIAS = """\
on: push
jobs:
  staging:
    uses: octo/deploy/.github/workflows/deploy.yml@v1
    secrets: &aws
      AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
  production:
    uses: octo/deploy/.github/workflows/deploy.yml@v1
    secrets: *aws
"""

STEP_ALIAS = """\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - &login
        run: aws configure set aws_access_key_id ${{ secrets.AWS_ACCESS_KEY_ID }}
  deploy:
    runs-on: ubuntu-latest
    steps:
      - *login
"""


def _found(tmp_path: Path, text: str) -> list[Finding]:
    root = repo(tmp_path, {".github/workflows/cd.yml": text})
    return [f for f in scan([root]).findings if f.check.startswith("workflow-static-aws-keys")]


def _route(finding: Finding) -> str:
    assert isinstance(finding.location, FileLocation)
    return finding.location.route


@pytest.mark.parametrize(
    ("text", "route", "line", "named"),
    [
        (ENV_ALIAS, "jobs.build.env.AWS_ACCESS_KEY_ID", 6, "given to the job 'deploy' too"),
        (
            INPUTS_ALIAS,
            "jobs.build.steps[0].with.aws-access-key-id",
            8,
            "given to job 'deploy' step 1 too",
        ),
        (SECRETS_ALIAS, "jobs.staging.secrets.AWS_ACCESS_KEY_ID", 6, "given to job 'production'"),
        (STEP_ALIAS, "jobs.build.steps[0].run", 7, "given to job 'deploy' step 1 too"),
    ],
)
def test_keys_repeated_by_an_alias_are_reported_where_written_naming_every_job(
    tmp_path: Path, text: str, route: str, line: int, named: str
) -> None:
    (finding,) = _found(tmp_path, text)
    assert _route(finding) == route
    assert isinstance(finding.location, FileLocation)
    assert finding.location.line == line
    assert named in finding.message
    assert "by the alias *" in finding.message


def test_keys_written_in_one_job_only_name_no_other(tmp_path: Path) -> None:
    text = ENV_ALIAS.replace("env: *keys", "env: {STAGE: prod}")
    (finding,) = _found(tmp_path, text)
    assert finding.message.endswith("set in the env of the job 'build'")


def test_a_merge_and_an_alias_of_the_same_keys_are_both_named(tmp_path: Path) -> None:
    merged = "  other:\n    runs-on: ubuntu-latest\n    env:\n      <<: *keys\n"
    (finding,) = _found(tmp_path, ENV_ALIAS + merged + "    steps:\n      - run: aws s3 ls\n")
    assert "(merged into the job 'other' too)" in finding.message
    assert "(given to the job 'deploy' too, by the alias *keys)" in finding.message


def test_the_anchor_of_a_whole_job_is_named(tmp_path: Path) -> None:
    text = ENV_ALIAS.replace("  build:\n", "  build: &job\n").replace(" &keys", "")
    text = text.split("  deploy:")[0]
    (finding,) = _found(tmp_path, text + "  deploy: *job\n")
    assert finding.message.endswith("(given to the job 'deploy' too, by the alias *job)")


def test_fix_removes_aliased_keys_where_they_are_written(tmp_path: Path) -> None:
    # The alias is left as it is: it names the anchor, which no longer holds keys.
    root = repo(tmp_path, {".github/workflows/cd.yml": ENV_ALIAS})
    rewrite = only(fix([root], options()), "cd.yml")
    assert [j.job for j in rewrite.jobs] == ["build", "deploy"]
    assert "AWS_ACCESS_KEY_ID" not in rewrite.after
    assert "    env: &keys {}\n" in rewrite.after
    assert "    env: *keys\n" in rewrite.after
    jobs = load_text(rewrite.after, Path("cd.yml")).root["jobs"]
    for name in ("build", "deploy"):
        assert dict(jobs[name]["env"]) == {}
        assert jobs[name]["steps"][0]["uses"] == "aws-actions/configure-aws-credentials@v4"
