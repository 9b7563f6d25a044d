"""A shell comment that mentions a session token (``# TODO: aws_session_token``) is no sign
that a job gets temporary credentials: its key use is still reported. A session token the
script really sets still is one."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.workflows import scan

from .builders import repo

CIRCLECI = """
version: 2.1
jobs:
  deploy:
    docker:
      - image: cimg/aws:2024.03
    steps:
      - run:
          name: Deploy
          command: |
            {line}
            aws configure set aws_access_key_id $AWS_ACCESS_KEY_ID
            aws configure set aws_secret_access_key $AWS_SECRET_ACCESS_KEY
            aws s3 sync ./public s3://my-bucket
workflows:
  main:
    jobs: [deploy]
"""


@pytest.mark.parametrize(
    "line",
    [
        "# TODO: move to an aws_session_token from sts assume-role",
        "make build  # AWS_SESSION_TOKEN is not needed",
    ],
)
def test_a_comment_naming_a_session_token_hides_no_key_use(tmp_path: Path, line: str) -> None:
    config = CIRCLECI.format(line=line)
    result = scan([repo(tmp_path, {".circleci/config.yml": config})])
    assert [f.check for f in result.findings] == ["circleci-static-aws-keys"]


def test_a_session_token_the_script_sets_is_temporary_credentials(tmp_path: Path) -> None:
    config = CIRCLECI.format(line="aws configure set aws_session_token $AWS_SESSION_TOKEN")
    result = scan([repo(tmp_path, {".circleci/config.yml": config})])
    assert [f.check for f in result.findings] == []
