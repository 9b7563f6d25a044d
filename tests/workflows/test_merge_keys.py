"""A GitHub file with a YAML merge key (``<<``) does not run on GitHub as written: every
check's finding on it says so, not only the key checks'. GitHub Actions reads anchors
and aliases but no merge keys
(https://docs.github.com/en/actions/reference/workflows-and-actions/reusing-workflow-configurations#yaml-anchors-and-aliases,
https://github.com/actions/runner/issues/1182)."""

from __future__ import annotations

from pathlib import Path

from keyless.workflows import fix, scan

from .builders import only, options, repo

#: A pwn request whose checkout inputs are merged in from an anchor.
PWN_REQUEST = """\
on: pull_request_target
permissions:
  contents: read
  id-token: write
x-checkout: &head
  ref: ${{ github.event.pull_request.head.sha }}
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          <<: *head
          fetch-depth: 0
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/ci
          aws-region: us-east-1
      - run: make test
"""

#: A composite action whose step env merges in AWS keys from its inputs.
ACTION = """\
inputs:
  key: {required: true}
  secret: {required: true}
runs:
  using: composite
  steps:
    - shell: bash
      env: &keys
        AWS_ACCESS_KEY_ID: ${{ inputs.key }}
        AWS_SECRET_ACCESS_KEY: ${{ inputs.secret }}
      run: aws s3 ls
    - shell: bash
      env:
        <<: *keys
        STAGE: prod
      run: aws s3 sync dist s3://site
"""


def test_a_pwn_request_with_a_merge_key_is_said_not_to_run(tmp_path: Path) -> None:
    root = repo(tmp_path, {".github/workflows/pr.yml": PWN_REQUEST})
    (finding,) = [
        f for f in scan([root]).findings if f.check == "workflow-untrusted-checkout-id-token"
    ]
    assert finding.message.endswith(
        "; the workflow does not run on GitHub as written: GitHub Actions does not accept "
        "the YAML merge key (<<) on line 13"
    )


def test_a_pwn_request_without_a_merge_key_says_nothing_of_it(tmp_path: Path) -> None:
    head = "          ref: ${{ github.event.pull_request.head.sha }}\n"
    text = PWN_REQUEST.replace("          <<: *head\n          fetch-depth: 0\n", head)
    root = repo(tmp_path, {".github/workflows/pr.yml": text})
    (finding,) = [
        f for f in scan([root]).findings if f.check == "workflow-untrusted-checkout-id-token"
    ]
    assert "does not run" not in finding.message


def test_an_action_with_a_merge_key_is_said_not_to_run(tmp_path: Path) -> None:
    root = repo(tmp_path, {".github/actions/creds/action.yml": ACTION})
    found = [f for f in scan([root]).findings if f.check == "workflow-static-aws-keys-env"]
    assert found
    for finding in found:
        assert finding.message.endswith(
            "; the action does not run on GitHub as written: GitHub Actions does not accept "
            "the YAML merge key (<<) on line 14"
        )


def test_fix_leaves_the_action_and_says_it_does_not_run(tmp_path: Path) -> None:
    root = repo(tmp_path, {".github/actions/creds/action.yml": ACTION})
    rewrite = only(fix([root], options()), "action.yml")
    assert not rewrite.changed
    assert rewrite.unfixed
    assert all("the action does not run on GitHub as written" in u.reason for u in rewrite.unfixed)
