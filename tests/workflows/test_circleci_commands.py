"""A CircleCI job that assumes its role through a reusable command of the file
(https://circleci.com/docs/reusing-config/#authoring-reusable-commands): an orb step's
``auth:`` naming a command that runs ``aws-cli/setup`` with ``role_arn``, or a command
that writes ``$CIRCLE_OIDC_TOKEN`` to the web identity token file. Such jobs were
reported as using keys (the orb step ``without role_arn``, high; the implicit lead, low)."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.workflows import scan

from .builders import repo

ORB_AUTH = """
version: 2.1
orbs:
  aws-cli: circleci/aws-cli@5.1.1
  aws-s3: circleci/aws-s3@4.1.0
commands:
  aws-auth:
    steps:
      - aws-cli/setup:
          ROLE
  login:
    steps:
      - aws-auth
jobs:
  upload:
    executor: aws-cli/default
    steps:
      - aws-s3/sync:
          from: dist
          to: s3://bucket
          auth:
            - login
workflows:
  main:
    jobs:
      - upload:
          context: aws
"""

OIDC_SCRIPT = """
version: 2.1
commands:
  configure-oidc:
    steps:
      - run: echo "export AWS_WEB_IDENTITY_TOKEN_FILE=/tmp/token" >> "$BASH_ENV"
      - run: printenv TOKEN > /tmp/token
jobs:
  deploy:
    docker:
      - image: cimg/aws:2024.03
    steps:
      - configure-oidc
      - run: aws s3 sync dist s3://bucket
workflows:
  main:
    jobs:
      - deploy:
          context: aws
"""


@pytest.mark.parametrize(
    ("role", "found"),
    [
        ("role_arn: arn:aws:iam::123456789012:role/ci", []),
        # the keys: still reported, in the command and at the step it authenticates
        ("profile_name: default", ["circleci-static-aws-keys"] * 2),
    ],
)
def test_an_orb_step_authenticated_by_a_command_is_judged_by_the_command(
    tmp_path: Path, role: str, found: list[str]
) -> None:
    root = repo(tmp_path, {".circleci/config.yml": ORB_AUTH.replace("ROLE", role)})
    assert [f.check for f in scan([root]).findings] == found


@pytest.mark.parametrize(
    ("token", "found"),
    [
        ("CIRCLE_OIDC_TOKEN", []),
        ("HOME", ["circleci-implicit-aws-keys"]),  # no token written: still a lead
    ],
)
def test_a_job_whose_command_writes_the_oidc_token_is_no_lead(
    tmp_path: Path, token: str, found: list[str]
) -> None:
    root = repo(tmp_path, {".circleci/config.yml": OIDC_SCRIPT.replace("TOKEN", token)})
    assert [f.check for f in scan([root]).findings] == found


def test_commands_that_run_each_other_are_followed_once(tmp_path: Path) -> None:
    text = ORB_AUTH.replace("ROLE", "profile_name: default").replace(
        "      - aws-cli/setup:\n          profile_name: default\n", "      - login\n"
    )
    root = repo(tmp_path, {".circleci/config.yml": text})
    assert [f.check for f in scan([root]).findings] == ["circleci-static-aws-keys"]


ECR_IMAGE = """
version: 2.1
executors:
  app:
    docker:
      - image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:latest
        aws_auth:
          AUTH
jobs:
  build:
    executor: app
    steps:
      - run: make
workflows:
  main:
    jobs: [build]
"""


@pytest.mark.parametrize(
    ("auth", "found"),
    [
        (
            "aws_access_key_id: $AWS_ACCESS_KEY_ID\n          "
            "aws_secret_access_key: $AWS_SECRET_ACCESS_KEY",
            ["executors.app.docker[0].aws_auth.aws_access_key_id"],
        ),
        ("oidc_role_arn: arn:aws:iam::123456789012:role/ecr-pull", []),
    ],
)
def test_an_ecr_image_pulled_with_keys_is_reported(
    tmp_path: Path, auth: str, found: list[str]
) -> None:
    # https://circleci.com/docs/private-images/: aws_auth takes a key pair or a role
    root = repo(tmp_path, {".circleci/config.yml": ECR_IMAGE.replace("AUTH", auth)})
    assert [getattr(f.location, "route", None) for f in scan([root]).findings] == found
