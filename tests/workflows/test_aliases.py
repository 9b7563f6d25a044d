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

from .builders import only, options, reasons, repo

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


#: A local action that only hands its inputs to configure-aws-credentials (``fix`` may
#: stop passing them), given them by two jobs through one aliased ``with:``.
CONFIGURE_ACTION = """\
inputs:
  key: {required: false}
  secret: {required: false}
runs:
  using: composite
  steps:
    - uses: aws-actions/configure-aws-credentials@v4
      with:
        aws-access-key-id: ${{ inputs.key }}
        aws-secret-access-key: ${{ inputs.secret }}
        aws-region: us-east-1
    - run: aws s3 ls
      shell: bash
"""
ACTION_INPUTS_ALIAS = """\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: ./.github/actions/creds
        with: &in
          key: ${{ secrets.AWS_ACCESS_KEY_ID }}
          secret: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: ./.github/actions/creds
        with: *in
"""


def test_fix_stops_passing_aliased_inputs_once_where_they_are_written(tmp_path: Path) -> None:
    files = {
        ".github/actions/creds/action.yml": CONFIGURE_ACTION,
        ".github/workflows/cd.yml": ACTION_INPUTS_ALIAS,
    }
    rewrite = only(fix([repo(tmp_path, files)], options()), "cd.yml")
    assert [j.job for j in rewrite.jobs] == ["build", "deploy"]
    assert rewrite.after.count("&in") == 1
    assert "        with: &in {}\n" in rewrite.after
    assert "        with: *in\n" in rewrite.after
    jobs = load_text(rewrite.after, Path("cd.yml")).root["jobs"]
    for name in ("build", "deploy"):
        assert dict(jobs[name]["steps"][1]["with"]) == {}


def test_a_job_left_as_it_is_keeps_the_inputs_it_shares_by_an_alias(tmp_path: Path) -> None:
    # deploy also writes a profile (a person's job): removing the shared inputs for build
    # would take deploy's keys away while saying deploy was left as it is.
    profile = "      - run: aws configure set aws_access_key_id ${{ secrets.OTHER }}\n"
    files = {
        ".github/actions/creds/action.yml": CONFIGURE_ACTION,
        ".github/workflows/cd.yml": ACTION_INPUTS_ALIAS + profile,
    }
    rewrite = only(fix([repo(tmp_path, files)], options()), "cd.yml")
    assert rewrite.after == rewrite.before
    assert "shares the keys written at jobs.build.steps[0].with with job 'deploy'" in reasons(
        rewrite, "build"
    )


STEPS_ALIAS = """\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    env:
      AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
      AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
    steps: &steps
      - run: aws s3 ls
  deploy:
    runs-on: ubuntu-latest
    env:
      AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
      AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
    steps: *steps
"""
CONTAINER_KEYS = """\
    container:
      image: amazon/aws-cli
      env:
        AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
"""


def test_jobs_sharing_their_steps_get_one_credentials_step(tmp_path: Path) -> None:
    root = repo(tmp_path, {".github/workflows/cd.yml": STEPS_ALIAS})
    rewrite = only(fix([root], options()), "cd.yml")
    assert [j.job for j in rewrite.jobs] == ["build", "deploy"]
    assert rewrite.after.count("Configure AWS credentials (OIDC)") == 1
    jobs = load_text(rewrite.after, Path("cd.yml")).root["jobs"]
    assert jobs["deploy"]["steps"][0]["uses"] == "aws-actions/configure-aws-credentials@v4"


def test_a_job_sharing_its_steps_with_a_job_left_is_left(tmp_path: Path) -> None:
    # The credentials step would go into the one list both jobs run: the job left (keys
    # in its container's env) would run it too.
    root = repo(tmp_path, {".github/workflows/cd.yml": STEPS_ALIAS + CONTAINER_KEYS})
    rewrite = only(fix([root], options()), "cd.yml")
    assert rewrite.after == rewrite.before
    assert reasons(rewrite, "build") == (
        "it shares its steps (jobs.build.steps) with job 'deploy', which is left as it is"
    )
