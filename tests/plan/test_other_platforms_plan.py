"""``plan --workflows`` over pipelines ``workflows fix`` does not rewrite: a CircleCI job
or Bitbucket step using keys cannot get a computed role (its ``sub`` holds IDs no file
has), so the plan says how to link the user to the project (``--link
USER=circleci:…``), with the vendor's URL — never nothing.

Files after https://circleci.com/docs/openid-connect-tokens/ and
https://support.atlassian.com/bitbucket-cloud/docs/integrate-pipelines-with-resource-servers-using-oidc/.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from keyless.model import Inventory
from keyless.plan.pipelines import WorkflowSource, read_workflows
from keyless.render import RenderOptions
from keyless.render.plan import plan_text
from tests.plan.support import plan_of
from tests.workflows.builders import CIRCLECI_KEYS

CIRCLECI_OIDC = CIRCLECI_KEYS.replace(
    "profile_name: default", "role_arn: arn:aws:iam::123456789012:role/deploy"
)
BITBUCKET_KEYS = """
pipelines:
  default:
    - step:
        name: Deploy to S3
        script:
          - pipe: atlassian/aws-s3-deploy:1.1.0
            variables:
              AWS_ACCESS_KEY_ID: $AWS_ACCESS_KEY_ID
              AWS_SECRET_ACCESS_KEY: $AWS_SECRET_ACCESS_KEY
              AWS_DEFAULT_REGION: us-east-1
              S3_BUCKET: my-bucket
              LOCAL_PATH: build
"""


def _checkout(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def test_a_circleci_job_using_keys_is_left_to_a_person_with_the_recipe(tmp_path: Path) -> None:
    root = _checkout(tmp_path, ".circleci/config.yml", CIRCLECI_KEYS)
    jobs, notes = read_workflows([WorkflowSource(root, "acme/cci")])
    assert dict(jobs) == {}
    (note,) = notes
    assert (
        "(acme/cci): CI on CircleCI uses long-lived AWS keys"
        " (1 item keyless workflows fix lists, first at line 10" in note
    )
    assert "--link USER=circleci:ORG_ID/PROJECT_ID" in note
    assert "https://circleci.com/docs/openid-connect-tokens/" in note


def test_a_bitbucket_step_using_keys_is_left_to_a_person_with_the_recipe(tmp_path: Path) -> None:
    root = _checkout(tmp_path, "bitbucket-pipelines.yml", BITBUCKET_KEYS)
    _, notes = read_workflows([WorkflowSource(root, "acme/bb")])
    (note,) = notes
    assert (
        "CI on Bitbucket Pipelines uses long-lived AWS keys"
        " (1 item keyless workflows fix lists, first at line 8" in note
    )
    assert "--link USER=bitbucket:WORKSPACE/WORKSPACE_UUID/REPOSITORY_UUID" in note
    assert "integrate-pipelines-with-resource-servers-using-oidc" in note


def test_a_circleci_job_already_on_oidc_adds_no_note(tmp_path: Path) -> None:
    root = _checkout(tmp_path, ".circleci/config.yml", CIRCLECI_OIDC)
    assert read_workflows([WorkflowSource(root, "acme/cci")]) == ({}, ())


def test_the_plan_says_it_in_its_notes_and_text(export: Inventory, tmp_path: Path) -> None:
    root = _checkout(tmp_path, ".circleci/config.yml", CIRCLECI_KEYS)
    plan = plan_of(export, workflows=(WorkflowSource(root, "acme/cci"),))
    assert any("CI on CircleCI" in note for note in plan.notes)
    assert "--link USER=circleci:ORG_ID/PROJECT_ID" in plan_text(plan, RenderOptions(width=1000))


CIRCLECI_IMPLICIT = """
version: 2.1
jobs:
  deploy:
    docker:
      - image: cimg/aws:2024.03
    steps:
      - checkout
      - run: aws s3 sync ./public s3://my-bucket
workflows:
  main:
    jobs:
      - deploy:
          context: aws-prod
"""


def test_a_job_that_probably_uses_keys_from_the_settings_is_noted_as_probable(
    tmp_path: Path,
) -> None:
    root = _checkout(tmp_path, ".circleci/config.yml", CIRCLECI_IMPLICIT)
    _, notes = read_workflows([WorkflowSource(root, "acme/cci")])
    (note,) = notes
    assert "(line 8): CI on CircleCI: job 'deploy' probably uses long-lived AWS keys" in note
    assert "if so, keyless plan builds its role once the user" in note
    assert "https://circleci.com/docs/openid-connect-tokens/" in note


JENKINSFILE_KEYS = """
pipeline {
  agent any
  environment {
    AWS_ACCESS_KEY_ID     = credentials('jenkins-aws-secret-key-id')
    AWS_SECRET_ACCESS_KEY = credentials('jenkins-aws-secret-access-key')
  }
  stages {
    stage('deploy') {
      steps {
        withAWS(credentials: 'aws-prod', region: 'eu-west-1') {
          sh 'aws s3 sync build/ s3://my-bucket/'
        }
      }
    }
  }
}
"""


def test_a_jenkins_pipeline_using_keys_is_left_to_a_person_with_the_recipe(
    tmp_path: Path,
) -> None:
    # https://www.jenkins.io/doc/book/pipeline/jenkinsfile/#handling-credentials and
    # https://plugins.jenkins.io/pipeline-aws/ (withAWS with a stored credential).
    root = _checkout(tmp_path, "Jenkinsfile", JENKINSFILE_KEYS)
    jobs, notes = read_workflows([WorkflowSource(root, "acme/jk")])
    assert dict(jobs) == {}
    (note,) = notes
    assert (
        "(acme/jk): CI on Jenkins uses long-lived AWS keys"
        " (3 items keyless workflows fix lists, first at line 4" in note
    )
    assert "keyless plan cannot build its role: a person must set up OIDC" in note
    assert "https://plugins.jenkins.io/oidc-provider/" in note


def test_a_jenkins_pipeline_on_an_agent_role_adds_no_note(tmp_path: Path) -> None:
    # https://plugins.jenkins.io/pipeline-aws/: the role assumed with the agent's own
    # credentials (an EC2 instance profile, a pod identity).
    jenkinsfile = JENKINSFILE_KEYS.replace("credentials: 'aws-prod'", "role: 'deploy'")
    jenkinsfile = "\n".join(line for line in jenkinsfile.splitlines() if "credentials(" not in line)
    root = _checkout(tmp_path, "Jenkinsfile", jenkinsfile)
    assert read_workflows([WorkflowSource(root, "acme/jk")]) == ({}, ())


AZURE_TOOLKIT = """
steps:
  - task: AWSCLI@1
    inputs:
      awsCredentials: aws-prod
      regionName: us-east-1
      awsCommand: s3
      awsSubCommand: ls
"""


def test_an_azure_toolkit_task_with_a_service_connection_is_noted(tmp_path: Path) -> None:
    # https://docs.aws.amazon.com/vsts/latest/userguide/getting-started.html: the task's
    # connection holds a key unless it is set to use OIDC, which the file cannot show.
    root = _checkout(tmp_path, "azure-pipelines.yml", AZURE_TOOLKIT)
    jobs, notes = read_workflows([WorkflowSource(root, "acme/az")])
    assert dict(jobs) == {}
    (note,) = notes
    assert "(line 4): CI on Azure Pipelines: a step runs 'AWSCLI' with the AWS service" in note
    assert "keyless plan cannot build its role: a person must set up OIDC" in note


def test_azure_keys_mapped_into_a_step_are_left_to_a_person(tmp_path: Path) -> None:
    pipeline = "steps:\n  - script: aws s3 ls\n    env:\n      AWS_ACCESS_KEY_ID: $(key)\n"
    root = _checkout(tmp_path, "azure-pipelines.yml", pipeline)
    _, notes = read_workflows([WorkflowSource(root, "acme/az")])
    (note,) = notes
    assert (
        "(acme/az): CI on Azure Pipelines uses long-lived AWS keys"
        " (1 item keyless workflows fix lists, first at line 4" in note
    )
