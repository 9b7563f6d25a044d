"""GitLab rewrites, one class of real-world pipeline per test: templates shared by jobs
without keys, trigger jobs, repeated merge keys, re-exported keys, credential files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from keyless.findings import FileLocation
from keyless.workflows import fix, scan
from keyless.workflows.gitlab_fix import WRITE_TOKEN
from keyless.workflows.yamldoc import load_text

from .builders import only, options, reasons, repo


def _job(text: str, name: str) -> Any:
    return load_text(text, Path(".gitlab-ci.yml")).root[name]


SHARED_TEMPLATE = """
    .node:
      image: node:20
      before_script:
        - npm ci

    test:
      extends: .node
      script:
        - npm test

    deploy:
      extends: .node
      variables:
        AWS_ACCESS_KEY_ID: $DEPLOY_KEY_ID
        AWS_SECRET_ACCESS_KEY: $DEPLOY_SECRET
        AWS_DEFAULT_REGION: eu-west-1
      script:
        - npx cdk deploy --require-approval never
      rules:
        - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
"""


def test_a_template_other_jobs_share_is_not_edited(tmp_path: Path) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": SHARED_TEMPLATE})
    rewrite = only(fix([root], options()), ".gitlab-ci.yml")
    assert dict(_job(rewrite.after, ".node")) == dict(_job(rewrite.before, ".node"))
    assert _job(rewrite.after, "test") == _job(rewrite.before, "test")


def test_the_job_runs_the_token_line_then_the_template_before_script(tmp_path: Path) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": SHARED_TEMPLATE})
    after = only(fix([root], options()), ".gitlab-ci.yml").after
    deploy = _job(after, "deploy")
    before_script = deploy["before_script"]
    assert before_script[0] == WRITE_TOKEN
    assert list(before_script[1]) == [".node", "before_script"]
    assert before_script[1].tag.value == "!reference"
    assert deploy["id_tokens"]["GITLAB_OIDC_TOKEN"]["aud"] == "sts.amazonaws.com"
    assert "AWS_ACCESS_KEY_ID" not in deploy["variables"]


def test_a_trigger_job_is_never_edited(tmp_path: Path) -> None:
    text = """
        variables:
          AWS_ACCESS_KEY_ID: $CI_KEY
          AWS_SECRET_ACCESS_KEY: $CI_SECRET
        upload:
          script:
            - aws s3 cp report.html s3://reports/
        downstream:
          trigger:
            include: child.yml
    """
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    rewrite = only(fix([root], options()), ".gitlab-ci.yml")
    assert _job(rewrite.after, "downstream") == _job(rewrite.before, "downstream")
    assert "id_tokens" in _job(rewrite.after, "upload")
    assert "trigger job" in reasons(rewrite, "downstream")


REPEATED_MERGE = """
    .aws_keys: &aws_keys
      AWS_ACCESS_KEY_ID: $PROD_KEY_ID
      AWS_SECRET_ACCESS_KEY: $PROD_SECRET
    .region: &region
      AWS_DEFAULT_REGION: us-east-2

    deploy:
      variables:
        <<: *aws_keys
        <<: *region
        STAGE: prod
      script:
        - aws s3 sync public/ s3://site/
"""


def test_repeated_merge_keys_are_resolved_by_scan(tmp_path: Path) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": REPEATED_MERGE})
    (finding,) = scan([root]).findings
    assert finding.check == "gitlab-static-aws-keys"
    assert isinstance(finding.location, FileLocation)
    assert finding.location.line == 2


def test_repeated_merge_keys_are_resolved_by_fix(tmp_path: Path) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": REPEATED_MERGE})
    after = only(fix([root], options()), ".gitlab-ci.yml").after
    variables = dict(_job(after, "deploy")["variables"])
    assert "AWS_ACCESS_KEY_ID" not in variables
    assert variables["AWS_ROLE_ARN"] == "arn:aws:iam::123456789012:role/ci"
    assert variables["AWS_DEFAULT_REGION"] == "us-east-2"


def test_keys_re_exported_under_another_name_are_found_and_left(tmp_path: Path) -> None:
    text = """
        plan:
          variables:
            TF_VAR_aws_access_key: $AWS_ACCESS_KEY_ID
            TF_VAR_aws_secret_key: ${AWS_SECRET_ACCESS_KEY}
          script:
            - terraform plan
    """
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    messages = [f.message for f in scan([root]).findings]
    assert any("TF_VAR_aws_access_key re-exports $AWS_ACCESS_KEY_ID" in m for m in messages)
    assert any("CI/CD settings" in m for m in messages)


def test_a_job_that_re_exports_its_keys_is_left(tmp_path: Path) -> None:
    text = """
        plan:
          variables:
            AWS_ACCESS_KEY_ID: $CI_KEY
            AWS_SECRET_ACCESS_KEY: $CI_SECRET
          script:
            - export TF_VAR_secret_key=$AWS_SECRET_ACCESS_KEY
            - terraform apply -auto-approve
    """
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    rewrite = only(fix([root], options()), ".gitlab-ci.yml")
    assert not rewrite.changed
    assert "re-exports $AWS_SECRET_ACCESS_KEY" in reasons(rewrite, "plan")


def test_keys_written_into_a_credentials_file_are_found_and_left(tmp_path: Path) -> None:
    text = """
        sync:
          script:
            - |
              mkdir -p ~/.aws
              cat > ~/.aws/credentials <<EOF
              [default]
              aws_access_key_id = $BACKUP_KEY_ID
              aws_secret_access_key = $BACKUP_SECRET
              EOF
            - aws s3 sync backups/ s3://backups/
    """
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    assert [f.message for f in scan([root]).findings] != []
    rewrite = only(fix([root], options()), ".gitlab-ci.yml")
    assert not rewrite.changed
    assert "without a session token" in reasons(rewrite, "sync")


@pytest.mark.parametrize(("token", "found"), [(True, 0), (False, 2)])
def test_a_profile_written_line_by_line_is_judged_with_all_its_lines(
    tmp_path: Path, token: bool, found: int
) -> None:
    # One line per entry, the session token on a line of its own: temporary credentials.
    lines = [
        'echo "aws_access_key_id = $TEMP_KEY" >> ~/.aws/credentials',
        'echo "aws_secret_access_key = $TEMP_SECRET" >> ~/.aws/credentials',
    ]
    if token:
        lines.append('echo "aws_session_token = $TEMP_TOKEN" >> ~/.aws/credentials')
    script = "\n".join(f"            - {line}" for line in ["mkdir -p ~/.aws", *lines, "aws s3 ls"])
    text = f"""
        deploy:
          script:
{script}
    """
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    assert len(scan([root]).findings) == found


def test_a_template_from_another_project_leaves_the_job(tmp_path: Path) -> None:
    text = """
        include:
          - project: acme/ci-templates
            file: /aws.yml
        deploy:
          extends: .aws_deploy
          variables:
            AWS_ACCESS_KEY_ID: $KEY
            AWS_SECRET_ACCESS_KEY: $SECRET
          script:
            - aws s3 ls
    """
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    rewrite = only(fix([root], options()), ".gitlab-ci.yml")
    assert not rewrite.changed
    assert "extends .aws_deploy, not defined in the files read" in reasons(rewrite, "deploy")


def test_a_rewrite_says_keys_in_settings_outrank_the_file(tmp_path: Path) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": SHARED_TEMPLATE})
    notes = only(fix([root], options()), ".gitlab-ci.yml").notes
    assert any("outrank this file" in note for note in notes)
    assert any("DEPLOY_KEY_ID, DEPLOY_SECRET" in note for note in notes)


def test_an_export_only_before_script_becomes_an_empty_list(tmp_path: Path) -> None:
    text = """
        .creds:
          before_script:
            - export AWS_ACCESS_KEY_ID="$KEY"
            - export AWS_SECRET_ACCESS_KEY="$SECRET"
        deploy:
          extends: .creds
          script:
            - aws s3 ls
    """
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    after = only(fix([root], options()), ".gitlab-ci.yml").after
    assert list(_job(after, ".creds")["before_script"]) == []
    assert _job(after, "deploy")["before_script"][0] == WRITE_TOKEN


def test_a_job_left_for_sharing_keys_names_the_other_job_quoted_and_cut(tmp_path: Path) -> None:
    # The job name comes from the file: a 1,000-character one is cut, as every name is.
    long_name = "deploy-" + "x" * 1000
    text = f"""
        variables:
          AWS_ACCESS_KEY_ID: $PROD_KEY
          AWS_SECRET_ACCESS_KEY: $PROD_SECRET
        build:
          script:
            - aws s3 ls
        {long_name}:
          script:
            - aws configure set aws_access_key_id "$AWS_ACCESS_KEY_ID" --profile prod
            - aws s3 ls --profile prod
    """
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    reason = reasons(only(fix([root], options()), ".gitlab-ci.yml"), "build")
    assert "it shares its keys" in reason
    assert len(reason) < 500


def test_keys_an_anchor_gives_several_jobs_name_them_all(tmp_path: Path) -> None:
    text = """
        .creds: &creds
          AWS_ACCESS_KEY_ID: $AWS_KEY
          AWS_SECRET_ACCESS_KEY: $AWS_SECRET
        build:
          variables:
            <<: *creds
            FOO: bar
          script:
            - aws s3 ls
        deploy:
          variables: *creds
          script:
            - aws s3 ls
    """
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    (finding,) = [f for f in scan([root]).findings if f.check == "gitlab-static-aws-keys"]
    assert finding.message == (
        "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY set for job 'build' (merged in with <<), "
        "and for job 'deploy'"
    )
