"""A GitLab job's variables taken from a template with ``!reference`` tags
(https://docs.gitlab.com/ci/yaml/yaml_optimization/#reference-tags): the scan reported
the template's keys, and ``fix`` neither rewrote the job nor listed it (exit 0)."""

from __future__ import annotations

from pathlib import Path

from keyless.workflows import fix

from .builders import only, options, reasons, repo

REFERENCED = """
    .aws:
      variables:
        AWS_ACCESS_KEY_ID: $KEY
        AWS_SECRET_ACCESS_KEY: $SECRET
    deploy:
      variables: !reference [.aws, variables]
      script:
        - aws s3 ls
"""
#: REFERENCED and a job that reads one key on its own under another name.
ONE_READ = (
    REFERENCED
    + """
    other:
      variables:
        FOO: !reference [.aws, variables, AWS_ACCESS_KEY_ID]
      script:
        - echo "$FOO"
"""
)


def test_a_job_whose_variables_are_a_reference_is_rewritten(tmp_path: Path) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": REFERENCED})
    rewrite = only(fix([root], options()), ".gitlab-ci.yml")
    assert [j.job for j in rewrite.jobs] == ["deploy"]
    assert "AWS_ACCESS_KEY_ID" not in rewrite.after
    assert "AWS_ROLE_ARN: arn:aws:iam::123456789012:role/ci" in rewrite.after
    assert "  variables: !reference [.aws, variables]\n" in rewrite.after


def test_keys_another_job_reads_by_reference_are_left(tmp_path: Path) -> None:
    # Removing AWS_ACCESS_KEY_ID from .aws would leave other's reference naming nothing.
    root = repo(tmp_path, {".gitlab-ci.yml": ONE_READ})
    rewrite = only(fix([root], options()), ".gitlab-ci.yml")
    assert not rewrite.changed
    assert reasons(rewrite, "deploy") == (
        "its keys are written where the job 'other' reads one with !reference: rewrite both by hand"
    )


def test_a_reference_to_nothing_read_gives_no_keys(tmp_path: Path) -> None:
    text = REFERENCED.replace("!reference [.aws, variables]", "!reference [.elsewhere, variables]")
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    rewrite = only(fix([root], options()), ".gitlab-ci.yml")
    assert rewrite.jobs == ()


def test_keys_fix_does_not_rewrite_are_listed_not_passed_over(tmp_path: Path) -> None:
    # A template no job uses keeps its keys: fix must not say all is done (exit 0).
    text = REFERENCED.replace("variables: !reference [.aws, variables]", "variables: {}")
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    rewrite = only(fix([root], options()), ".gitlab-ci.yml")
    assert reasons(rewrite, None) == (
        "line 3 (.aws.variables.AWS_ACCESS_KEY_ID): AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY "
        "set for template '.aws': keyless did not rewrite it; do it by hand"
    )


#: Each key taken one by one from a template's variables of other names.
EACH_KEY = """
    .creds:
      variables:
        KEY: $PROD_AWS_ACCESS_KEY_ID
        SECRET: $PROD_AWS_SECRET_ACCESS_KEY
    deploy:
      variables:
        AWS_ACCESS_KEY_ID: !reference [.creds, variables, KEY]
        AWS_SECRET_ACCESS_KEY: !reference [.creds, variables, SECRET]
      script:
        - aws s3 ls
"""


def test_keys_referenced_one_by_one_are_not_called_another_stores(tmp_path: Path) -> None:
    # The scan reports the keys at the template, where they are written; the job that
    # reads them is an AWS job, not one "for another endpoint".
    result = fix([repo(tmp_path, {".gitlab-ci.yml": EACH_KEY})], options())
    rewrite = only(result, ".gitlab-ci.yml")
    assert not any("another endpoint" in n for n in rewrite.notes)
    assert [j.job for j in rewrite.jobs] == ["deploy"]
    assert "!reference [.creds" not in rewrite.after
    # The template's keys stay, listed for a person: the scan still reports them.
    assert "$PROD_AWS_ACCESS_KEY_ID" in rewrite.after
    assert [u.job for u in rewrite.unfixed] == [None, None]
    assert result.exit_code() == 1
