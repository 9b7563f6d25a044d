"""configure-aws-credentials supports GitHub's OIDC from v1.6.0
(https://github.com/aws-actions/configure-aws-credentials/releases/tag/v1.6.0, November
2021). A step pinned to an older release (``@v1.5.11``, as workflows written in 2020 pin
it), given ``role-to-assume`` and no keys, fails: ``fix`` rewrote it all the same. It now
leaves the job and says to move the step to ``@v4``."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.workflows import fix

from .builders import only, options, repo

WORKFLOW = """\
on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@REF
        with:
          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
          aws-region: us-east-1
      - run: aws s3 ls
"""


@pytest.mark.parametrize("ref", ["v1.5.11", "v1.0.1", "v1.3.5", "v1.5"])
def test_a_release_before_oidc_is_left_with_what_to_do(tmp_path: Path, ref: str) -> None:
    root = repo(tmp_path, {".github/workflows/ci.yml": WORKFLOW.replace("REF", ref)})
    rewrite = only(fix([root], options()), "ci.yml")
    assert rewrite.after == rewrite.before
    (unfixed,) = rewrite.unfixed
    assert unfixed.reason.startswith(
        f"step 1 pins aws-actions/configure-aws-credentials@{ref}, which predates OIDC"
    )
    assert unfixed.reason.endswith("move it to @v4 and run fix again")


@pytest.mark.parametrize(
    "ref",
    ["v1", "v1.6.0", "v1.7.0", "v2", "v4.2.1", "main", "e3dd6a429d7300a6a4c196c26e071d42e0343502"],
)
def test_a_release_with_oidc_is_rewritten(tmp_path: Path, ref: str) -> None:
    root = repo(tmp_path, {".github/workflows/ci.yml": WORKFLOW.replace("REF", ref)})
    rewrite = only(fix([root], options()), "ci.yml")
    assert rewrite.unfixed == ()
    assert "role-to-assume:" in rewrite.after
