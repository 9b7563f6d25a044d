"""Keys a GitLab ``rules:`` entry sets when it matches: a job's rule variables outrank its
other variables, ``workflow:rules:variables`` reach every job
(https://docs.gitlab.com/ci/yaml/#rulesvariables). The scan said nothing of them."""

from __future__ import annotations

from pathlib import Path

from keyless.workflows import fix, scan

from .builders import only, options, reasons, repo

JOB_RULE = """
    deploy:
      rules:
        - if: $CI_COMMIT_TAG
          variables:
            AWS_ACCESS_KEY_ID: $TAG_KEY
            AWS_SECRET_ACCESS_KEY: $TAG_SECRET
      script:
        - aws s3 ls
"""
WORKFLOW_RULE = """
    workflow:
      rules:
        - if: $CI_COMMIT_BRANCH == "main"
          variables:
            AWS_ACCESS_KEY_ID: $PROD_KEY
            AWS_SECRET_ACCESS_KEY: $PROD_SECRET
        - when: always
    build:
      variables:
        AWS_ACCESS_KEY_ID: $KEY
        AWS_SECRET_ACCESS_KEY: $SECRET
      script:
        - aws s3 ls
"""


def _messages(root: Path) -> list[str]:
    return [f.message for f in scan([root]).findings if f.check == "gitlab-static-aws-keys"]


def test_keys_a_job_rule_sets_are_reported(tmp_path: Path) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": JOB_RULE})
    assert _messages(root) == [
        "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY set for job 'deploy' when its rule matches "
        "(rules:variables)"
    ]


def test_keys_a_workflow_rule_sets_are_reported(tmp_path: Path) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": WORKFLOW_RULE})
    assert (
        "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY set for every job when its rule matches "
        "(workflow:rules:variables)"
    ) in _messages(root)


def test_a_rule_setting_other_variables_is_not_reported(tmp_path: Path) -> None:
    text = JOB_RULE.replace("AWS_ACCESS_KEY_ID: $TAG_KEY", "STAGE: prod").replace(
        "AWS_SECRET_ACCESS_KEY: $TAG_SECRET", "REGION: eu-west-1"
    )
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    assert _messages(root) == []


def test_fix_leaves_a_job_whose_rule_sets_keys(tmp_path: Path) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": JOB_RULE})
    rewrite = only(fix([root], options()), ".gitlab-ci.yml")
    assert not rewrite.changed
    assert reasons(rewrite, "deploy") == (
        "its rules set AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY when they match "
        "(rules:variables), which outrank every other variable: rewrite it by hand"
    )


def test_fix_rewrites_no_job_when_a_workflow_rule_sets_keys(tmp_path: Path) -> None:
    # A job rewritten would still get the workflow's keys, which the SDKs use first.
    root = repo(tmp_path, {".gitlab-ci.yml": WORKFLOW_RULE})
    rewrite = only(fix([root], options()), ".gitlab-ci.yml")
    assert not rewrite.changed
    assert reasons(rewrite, None).startswith(
        "workflow:rules set AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY for every job"
    )


def test_fix_lists_the_workflow_rule_keys_once(tmp_path: Path) -> None:
    # They were listed twice: as the reason, and again as keys the scan still finds.
    root = repo(tmp_path, {".gitlab-ci.yml": WORKFLOW_RULE})
    rewrite = only(fix([root], options()), ".gitlab-ci.yml")
    left = [u.reason for u in rewrite.unfixed]
    assert sum("workflow" in reason for reason in left) == 1
    assert any(reason.startswith("line 10 (build.variables.") for reason in left)


MATRIX = """
    deploy:
      parallel:
        matrix:
          - STAGE: dev
            AWS_ACCESS_KEY_ID: $DEV_KEY
            AWS_SECRET_ACCESS_KEY: $DEV_SECRET
          - STAGE: [prod, prod-eu]
            AWS_ACCESS_KEY_ID: [$PROD_KEY]
            AWS_SECRET_ACCESS_KEY: [$PROD_SECRET]
      script:
        - aws s3 ls
"""


def test_keys_a_parallel_matrix_sets_are_reported(tmp_path: Path) -> None:
    # https://docs.gitlab.com/ci/yaml/#parallelmatrix: each entry's variables, one
    # instance per value.
    root = repo(tmp_path, {".gitlab-ci.yml": MATRIX})
    assert (
        _messages(root)
        == [
            "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY set for job 'deploy' by its "
            "parallel:matrix, one instance each"
        ]
        * 2
    )


def test_a_matrix_of_other_variables_is_not_reported(tmp_path: Path) -> None:
    text = MATRIX.replace("AWS_ACCESS_KEY_ID:", "DEPLOY_KEY_ID:").replace(
        "AWS_SECRET_ACCESS_KEY:", "DEPLOY_SECRET:"
    )
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    assert _messages(root) == []


def test_fix_leaves_a_job_whose_matrix_sets_keys(tmp_path: Path) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": MATRIX})
    rewrite = only(fix([root], options()), ".gitlab-ci.yml")
    assert not rewrite.changed
    assert reasons(rewrite, "deploy").startswith(
        "its parallel:matrix sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY for each instance: "
        "each may be another IAM user"
    )
