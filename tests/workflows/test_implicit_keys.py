"""CircleCI jobs and Bitbucket steps that run the AWS CLI with nothing in the file saying
how they authenticate: on the platforms' hosted machines that means keys from the
project's settings, probably. Reported low, with "probably" and the reason; never for a
job already reported, one with any sign of OIDC or a role, another endpoint, or a
self-hosted runner.

Files after https://circleci.com/docs/openid-connect-tokens/,
https://circleci.com/docs/runner-overview/ (runner resource classes `namespace/name`),
https://support.atlassian.com/bitbucket-cloud/docs/integrate-pipelines-with-resource-servers-using-oidc/
and https://support.atlassian.com/bitbucket-cloud/docs/configure-your-runner-in-bitbucket-pipelines-yml/.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from keyless.findings import FileLocation, Finding, Severity
from keyless.render.workflows import scan_json
from keyless.workflows import scan

from .builders import repo

SCHEMA = Path(__file__).resolve().parents[2] / "docs/schemas/workflows-scan-v1.schema.json"
CIRCLECI = """
version: 2.1
jobs:
  deploy:
    docker:
      - image: cimg/aws:2024.03
    steps:
      - checkout
      - run:
          name: Deploy
          command: |
            make build
            aws s3 sync ./public s3://my-bucket
workflows:
  main:
    jobs:
      - deploy:
          context: aws-prod
"""
BITBUCKET = """
pipelines:
  branches:
    main:
      - step:
          name: Deploy
          image: amazon/aws-cli
          script:
            - make build
            - aws s3 sync ./public s3://my-bucket
"""


def _implicit(root: Path) -> list[Finding]:
    return [f for f in scan([root]).findings if f.check.endswith("-implicit-aws-keys")]


def _at(finding: Finding) -> tuple[int, int]:
    assert isinstance(finding.location, FileLocation)
    return finding.location.line, finding.location.column


def test_a_circleci_job_running_aws_with_nothing_else_is_probably_using_keys(
    tmp_path: Path,
) -> None:
    (finding,) = _implicit(repo(tmp_path, {".circleci/config.yml": CIRCLECI}))
    assert finding.check == "circleci-implicit-aws-keys"
    assert finding.severity is Severity.LOW
    assert _at(finding) == (12, 13)
    assert finding.message.startswith("job 'deploy' probably uses long-lived AWS keys")
    assert "under the context aws-prod" in finding.message
    assert finding.evidence["confidence"] == "low"
    assert finding.evidence["command"] == "aws s3"
    assert "no OIDC role" in finding.evidence["why"]


def test_a_bitbucket_step_running_aws_with_nothing_else_is_probably_using_keys(
    tmp_path: Path,
) -> None:
    (finding,) = _implicit(repo(tmp_path, {"bitbucket-pipelines.yml": BITBUCKET}))
    assert finding.check == "bitbucket-implicit-aws-keys"
    assert finding.severity is Severity.LOW
    assert _at(finding) == (9, 15)
    assert finding.message.startswith("step 'Deploy' probably uses long-lived AWS keys")


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        (
            "self-hosted runner",
            "    docker:\n",
            "    machine: true\n    resource_class: acme/deployers\n    docker:\n",
        ),
        (
            "oidc exchange",
            "make build",
            "aws sts assume-role-with-web-identity --web-identity-token $CIRCLE_OIDC_TOKEN",
        ),
        (
            "another endpoint",
            "s3://my-bucket",
            "s3://my-bucket --endpoint-url http://localhost:4566",
        ),
        ("a key named in the file", "make build", 'test -n "$AWS_ACCESS_KEY_ID"'),
        ("no aws command", "aws s3 sync", "echo aws-s3 sync"),
    ],
)
def test_circleci_jobs_with_another_explanation_are_not_leads(
    tmp_path: Path, name: str, old: str, new: str
) -> None:
    assert old in CIRCLECI, name
    root = repo(tmp_path, {".circleci/config.yml": CIRCLECI.replace(old, new)})
    assert _implicit(root) == []


def test_a_circleci_executor_on_a_runner_class_is_self_hosted(tmp_path: Path) -> None:
    text = CIRCLECI.replace(
        "    docker:\n      - image: cimg/aws:2024.03\n", "    executor: mine\n"
    )
    text = text.replace(
        "jobs:\n  deploy:",
        "executors:\n  mine:\n    machine: true\n    resource_class: acme/linux\njobs:\n  deploy:",
        1,
    )
    assert _implicit(repo(tmp_path, {".circleci/config.yml": text})) == []


def test_a_circleci_job_the_explicit_check_reports_is_not_reported_twice(tmp_path: Path) -> None:
    text = "version: 2.1\norbs:\n  aws-cli: circleci/aws-cli@4.1.3\n" + CIRCLECI.replace(
        "      - checkout\n", "      - checkout\n      - aws-cli/setup\n"
    ).replace("version: 2.1\n", "", 1)
    result = scan([repo(tmp_path, {".circleci/config.yml": text})])
    assert [f.check for f in result.findings] == ["circleci-static-aws-keys"]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("          name: Deploy\n", "          name: Deploy\n          oidc: true\n"),
        (
            "          name: Deploy\n",
            "          name: Deploy\n          runs-on:\n"
            "            - self.hosted\n            - linux\n",
        ),
        ("- make build", "- export AWS_ACCESS_KEY_ID=$PROD_KEY"),
    ],
)
def test_bitbucket_steps_with_another_explanation_are_not_leads(
    tmp_path: Path, old: str, new: str
) -> None:
    assert old in BITBUCKET
    root = repo(tmp_path, {"bitbucket-pipelines.yml": BITBUCKET.replace(old, new)})
    assert _implicit(root) == []


def test_implicit_leads_do_not_fail_the_default_gate(tmp_path: Path) -> None:
    result = scan([repo(tmp_path, {".circleci/config.yml": CIRCLECI})])
    assert [f.severity for f in result.findings] == [Severity.LOW]


def test_the_json_document_carries_the_evidence_and_stays_valid(tmp_path: Path) -> None:
    document = scan_json(scan([repo(tmp_path, {"bitbucket-pipelines.yml": BITBUCKET})]))
    jsonschema.validate(document, json.loads(SCHEMA.read_text()))
    (finding,) = document["findings"]
    assert finding["evidence"]["confidence"] == "low"
    assert "oidc: true" in finding["evidence"]["why"]


# GitLab's own guide (https://docs.gitlab.com/ci/cloud_deployment/) keeps the keys in the
# project's CI/CD variables and runs `aws` in the job with nothing else in the file.
GITLAB = """
stages: [build, deploy]
.aws:
  image: registry.gitlab.com/gitlab-org/cloud-deploy/aws-base:latest
build:
  stage: build
  script:
    - make build
deploy:
  extends: .aws
  stage: deploy
  script:
    - make build
    - aws s3 sync ./public s3://my-bucket
  environment: production
"""


def test_a_gitlab_job_running_aws_with_nothing_else_is_probably_using_keys(
    tmp_path: Path,
) -> None:
    (finding,) = _implicit(repo(tmp_path, {".gitlab-ci.yml": GITLAB}))
    assert finding.check == "gitlab-implicit-aws-keys"
    assert finding.severity is Severity.LOW
    assert _at(finding) == (13, 7)
    assert finding.location.route == "deploy.script[1]"  # type: ignore[union-attr]
    assert finding.message.startswith("job 'deploy' probably uses long-lived AWS keys")
    assert finding.evidence["command"] == "aws s3"
    assert "CI/CD variables" in finding.evidence["why"]


def test_a_gitlab_template_script_is_the_jobs_and_reported_where_it_is_written(
    tmp_path: Path,
) -> None:
    text = GITLAB.replace(
        "  image: registry.gitlab.com/gitlab-org/cloud-deploy/aws-base:latest\n",
        "  image: registry.gitlab.com/gitlab-org/cloud-deploy/aws-base:latest\n"
        "  before_script:\n    - aws sts get-caller-identity\n",
    )
    findings = _implicit(repo(tmp_path, {".gitlab-ci.yml": text}))
    assert [(f.location.route, _at(f)) for f in findings] == [  # type: ignore[union-attr]
        ("deploy.before_script[0]", (5, 7))
    ]


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        (
            "an ID token",
            "  environment: production\n",
            "  environment: production\n"
            "  id_tokens:\n    AWS_TOKEN:\n      aud: sts.amazonaws.com\n",
        ),
        (
            "an ID token by default",
            "stages: [build, deploy]\n",
            "stages: [build, deploy]\n"
            "default:\n  id_tokens:\n    T:\n      aud: sts.amazonaws.com\n",
        ),
        (
            "a role assumed",
            "    - make build\n    - aws s3",
            "    - aws sts assume-role-with-web-identity --role-arn $ROLE\n    - aws s3",
        ),
        ("a runner of its own", "  stage: deploy\n", "  stage: deploy\n  tags: [aws-prod]\n"),
        (
            "a key named in the file",
            "    - make build\n    - aws s3",
            '    - test -n "$AWS_ACCESS_KEY_ID"\n    - aws s3',
        ),
        ("a profile", "    - aws s3 sync", "    - aws --profile prod s3 sync"),
        ("another endpoint", "s3://my-bucket", "s3://my-bucket --endpoint-url http://minio:9000"),
        ("a template of another file", "  extends: .aws\n", "  extends: .elsewhere\n"),
        ("no aws command", "    - aws s3 sync", "    - echo aws-s3 sync"),
    ],
)
def test_gitlab_jobs_with_another_explanation_are_not_leads(
    tmp_path: Path, name: str, old: str, new: str
) -> None:
    assert old in GITLAB, name
    root = repo(tmp_path, {".gitlab-ci.yml": GITLAB.replace(old, new)})
    assert _implicit(root) == [], name


def test_gitlab_hosted_runner_tags_are_still_gitlab_hosted(tmp_path: Path) -> None:
    text = GITLAB.replace(
        "  stage: deploy\n", "  stage: deploy\n  tags: [saas-linux-small-amd64]\n"
    )
    assert [f.check for f in _implicit(repo(tmp_path, {".gitlab-ci.yml": text}))] == [
        "gitlab-implicit-aws-keys"
    ]


def test_a_gitlab_job_the_explicit_check_reports_is_not_reported_twice(tmp_path: Path) -> None:
    text = GITLAB.replace(
        "  environment: production\n",
        "  environment: production\n  variables:\n"
        "    AWS_ACCESS_KEY_ID: $PROD_KEY_ID\n    AWS_SECRET_ACCESS_KEY: $PROD_SECRET\n",
    )
    result = scan([repo(tmp_path, {".gitlab-ci.yml": text})])
    assert [f.check for f in result.findings] == ["gitlab-static-aws-keys"]


def test_a_gitlab_script_written_as_one_string_is_read(tmp_path: Path) -> None:
    """GitLab takes a script section as one string as well as a list (ci3's note): its
    `aws` command was never searched, so the job was clean."""
    text = 'deploy:\n  stage: deploy\n  script: "aws s3 sync ./site s3://my-bucket"\n'
    (finding,) = _implicit(repo(tmp_path, {".gitlab-ci.yml": text}))
    assert finding.check == "gitlab-implicit-aws-keys"
    assert _at(finding) == (3, 12)
    assert finding.evidence["command"] == "aws s3"
