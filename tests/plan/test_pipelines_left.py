"""``plan --workflows``: a GitHub or GitLab job that ``workflows fix`` leaves with its keys
(a hook that uses AWS before the token exists, keys a ``parallel:matrix`` chooses, a
step given keys for another action) gets no subjects, so the plan says so, naming the
jobs. It said nothing: the role it built looked like the whole repository's replacement."""

from __future__ import annotations

from pathlib import Path

from keyless.plan.pipelines import WorkflowSource, read_workflows
from keyless.workflows import FixOptions, RoleSource, fix
from tests.workflows.builders import repo

PIPELINE = """\
deploy:
  hooks:
    pre_get_sources_script:
      - aws s3 ls
  variables:
    AWS_ACCESS_KEY_ID: $KEY
    AWS_SECRET_ACCESS_KEY: $SECRET
  script:
    - aws s3 ls
matrix:
  parallel:
    matrix:
      - AWS_ACCESS_KEY_ID: $K1
        AWS_SECRET_ACCESS_KEY: $S1
      - AWS_ACCESS_KEY_ID: $K2
        AWS_SECRET_ACCESS_KEY: $S2
  script:
    - aws s3 ls
ok:
  variables:
    AWS_ACCESS_KEY_ID: $KEY
    AWS_SECRET_ACCESS_KEY: $SECRET
  script:
    - aws s3 ls
"""


def test_gitlab_jobs_fix_leaves_are_named_in_a_note(tmp_path: Path) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": PIPELINE})
    jobs, notes = read_workflows([WorkflowSource(root, "acme/gl")])
    assert [j.job for j in jobs["acme/gl"].jobs] == ["ok"]
    (note,) = [n for n in notes if "workflows fix leaves" in n]
    assert (
        "(acme/gl): keyless workflows fix leaves 2 items for a person"
        " (2 in 2 jobs ('deploy', 'matrix');" in note
    )
    assert "first: 'its hooks:pre_get_sources_script uses AWS" in note
    assert "the plan gives those jobs no subjects" in note


def test_a_github_step_given_keys_for_another_action_is_named(tmp_path: Path) -> None:
    workflow = """\
    on: push
    jobs:
      sync:
        runs-on: ubuntu-latest
        steps:
          - uses: jakejarvis/s3-sync-action@v0.5.1
            with:
              aws_access_key_id: ${{ secrets.AWS_ACCESS_KEY_ID }}
              aws_secret_access_key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
    """
    root = repo(tmp_path, {".github/workflows/sync.yml": workflow})
    jobs, notes = read_workflows([WorkflowSource(root, "acme/gh")])
    assert dict(jobs) == {}
    (note,) = notes
    assert (
        "(acme/gh): keyless workflows fix leaves 1 item for a person (1 in 1 job ('sync');" in note
    )


def test_a_pipeline_fix_rewrites_whole_adds_no_note(tmp_path: Path) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": PIPELINE.split("matrix:\n  parallel")[0]})
    text = (root / ".gitlab-ci.yml").read_text(encoding="utf-8").replace("  hooks:\n", "")
    text = text.replace("    pre_get_sources_script:\n      - aws s3 ls\n", "")
    (root / ".gitlab-ci.yml").write_text(text, encoding="utf-8")
    jobs, notes = read_workflows([WorkflowSource(root, "acme/gl")])
    assert [j.job for j in jobs["acme/gl"].jobs] == ["deploy"]
    assert not any("workflows fix leaves" in n for n in notes)


def test_keys_workflow_rules_set_for_every_job_count_as_one_item(tmp_path: Path) -> None:
    # https://docs.gitlab.com/ci/yaml/#workflowrulesvariables: variables for every job.
    pipeline = """\
    workflow:
      rules:
        - if: $CI_COMMIT_BRANCH == "main"
          variables:
            AWS_ACCESS_KEY_ID: $PROD_KEY
            AWS_SECRET_ACCESS_KEY: $PROD_SECRET
    deploy:
      script:
        - aws s3 ls
    """
    root = repo(tmp_path, {".gitlab-ci.yml": pipeline})
    jobs, notes = read_workflows([WorkflowSource(root, "acme/gl")])
    assert dict(jobs) == {}
    (note,) = [n for n in notes if "workflows fix leaves" in n]
    assert "leaves 1 item for a person (1 outside any job; first: 'workflow:rules set" in note
    assert "2 items" not in note


def test_the_note_counts_what_fix_counts(tmp_path: Path) -> None:
    """The note's count is `keyless workflows fix`'s "N item(s) left for you", split into
    the items of named jobs and those outside any job: a job left for two reasons (a hook
    and a matrix) and a template no job uses are three items, not "1 job"."""
    pipeline = """\
    deploy:
      hooks:
        pre_get_sources_script:
          - aws s3 ls
      parallel:
        matrix:
          - AWS_ACCESS_KEY_ID: $K1
            AWS_SECRET_ACCESS_KEY: $S1
          - AWS_ACCESS_KEY_ID: $K2
            AWS_SECRET_ACCESS_KEY: $S2
      script:
        - aws s3 ls
    .aws:
      variables:
        AWS_ACCESS_KEY_ID: $KEY
        AWS_SECRET_ACCESS_KEY: $SECRET
    """
    root = repo(tmp_path, {".gitlab-ci.yml": pipeline})
    left = fix([root], FixOptions(RoleSource(arn="arn:aws:iam::123456789012:role/r"))).unfixed
    _, notes = read_workflows([WorkflowSource(root, "acme/gl")])
    (note,) = [n for n in notes if "workflows fix leaves" in n]
    assert len(left) == 3
    assert "leaves 3 items for a person (2 in 1 job ('deploy') and 1 outside any job;" in note
