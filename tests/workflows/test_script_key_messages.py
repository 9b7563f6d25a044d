"""A script that hands the key pair on without a session token is reported, and left for a
person by ``fix``, with what it does: a script that runs the AWS CLI in a container
(``docker run -e AWS_ACCESS_KEY_ID=${{ secrets.… }} amazon/aws-cli …``, the image's
documented use: https://docs.aws.amazon.com/cli/latest/userguide/getting-started-docker.html)
or exports the variables was said to "write the key pair into a profile", which it does
not; only ``aws configure set`` and credentials-file text do."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.workflows import fix, scan

from .builders import only, options, repo

WORKFLOW = """\
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: |
SCRIPT
"""


@pytest.mark.parametrize(
    ("script", "said"),
    [
        (
            "docker run --rm -e AWS_ACCESS_KEY_ID=${{ secrets.AWS_KEY }} "
            "-e AWS_SECRET_ACCESS_KEY=${{ secrets.AWS_SECRET }} amazon/aws-cli s3 ls",
            "it passes the key pair to a container (AWS_ACCESS_KEY_ID=…) without a session token",
        ),
        (
            "podman run --env=AWS_ACCESS_KEY_ID=${{ secrets.AWS_KEY }} amazon/aws-cli s3 ls",
            "it passes the key pair to a container (AWS_ACCESS_KEY_ID=…) without a session token",
        ),
        (
            "export AWS_ACCESS_KEY_ID=${{ secrets.AWS_KEY }}\nexport "
            "AWS_SECRET_ACCESS_KEY=${{ secrets.AWS_SECRET }}\naws s3 ls",
            "its script sets the key pair (AWS_ACCESS_KEY_ID=…) without a session token",
        ),
        (
            "aws configure set aws_access_key_id ${{ secrets.AWS_KEY }}",
            "it writes the key pair into a profile (aws configure set aws_access_key_id…) "
            "without a session token",
        ),
        (
            'echo "aws_access_key_id = ${{ secrets.AWS_KEY }}" >> ~/.aws/credentials',
            "it writes the key pair into a profile (aws_access_key_id =…) without a session token",
        ),
    ],
)
def test_the_reason_says_where_the_keys_go(tmp_path: Path, script: str, said: str) -> None:
    indented = "\n".join(f"          {line}" for line in script.splitlines()) + "\n"
    root = repo(tmp_path, {".github/workflows/ci.yml": WORKFLOW.replace("SCRIPT\n", indented)})
    (finding,) = scan([root]).findings
    assert finding.message == f"job 'deploy' step 1: {said}"
    (unfixed,) = only(fix([root], options()), "ci.yml").unfixed
    assert unfixed.reason.startswith(f"step 1: {said}")
    assert "; rewrite it by hand" in unfixed.reason


def test_a_container_given_the_session_token_too_is_not_reported(tmp_path: Path) -> None:
    script = (
        "          docker run -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY "
        "-e AWS_SESSION_TOKEN=$AWS_SESSION_TOKEN -e AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID "
        "amazon/aws-cli s3 ls\n"
    )
    root = repo(tmp_path, {".github/workflows/ci.yml": WORKFLOW.replace("SCRIPT\n", script)})
    assert scan([root]).findings == ()
