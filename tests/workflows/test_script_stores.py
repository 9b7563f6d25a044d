"""Keys judged by where the scripts that run with them send them, as the scan and ``fix``
both do (one rule): GitLab's script lines as GitHub's steps. Lines that only talk to
another store (Cloudflare R2) clear the keys, exported ones too; a line that calls AWS
beside them keeps them AWS's; ``aws --version`` calls nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.findings import Severity
from keyless.workflows import fix, scan

from .builders import only, options, reasons, repo

R2 = "aws s3 sync public s3://site --endpoint-url https://abc.r2.cloudflarestorage.com"


def _routes(root: Path) -> list[str]:
    return [f.location.route for f in scan([root]).findings if f.location]


@pytest.mark.parametrize(
    "exports",
    [
        "    - export AWS_ACCESS_KEY_ID=$BUCKET_KEY\n"
        "    - export AWS_SECRET_ACCESS_KEY=$BUCKET_SECRET\n",
        "    - aws configure set aws_access_key_id $BUCKET_KEY\n"
        "    - aws configure set aws_secret_access_key $BUCKET_SECRET\n",
    ],
    ids=["export", "configure-set"],
)
def test_exports_for_r2_are_neither_reported_nor_left(tmp_path: Path, exports: str) -> None:
    # The scan said high while fix said the keys "do not look like AWS keys" (exit 1).
    text = f"upload:\n  script:\n{exports}    - {R2}\n"
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    assert _routes(root) == []
    result = fix([root], options())
    rewrite = only(result, ".gitlab-ci.yml")
    assert (rewrite.changed, rewrite.unfixed) == (False, ())
    assert any("its keys are for another endpoint" in n for n in rewrite.notes)
    assert result.exit_code() == 0


def test_exports_of_keys_named_for_r2_are_neither_reported_nor_rewritten(
    tmp_path: Path,
) -> None:
    # fix read the keys' names in variables only: it rewrote R2's keys into an AWS role.
    text = """
    upload:
      script:
        - export AWS_ACCESS_KEY_ID=$R2_ACCESS_KEY_ID
        - export AWS_SECRET_ACCESS_KEY=$R2_SECRET_ACCESS_KEY
        - ./upload.sh
    """
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    assert _routes(root) == []
    rewrite = only(fix([root], options()), ".gitlab-ci.yml")
    assert (rewrite.changed, rewrite.unfixed) == (False, ())


def test_template_exports_one_job_sends_elsewhere_are_still_reported(tmp_path: Path) -> None:
    text = f"""
    .keys:
      before_script:
        - export AWS_ACCESS_KEY_ID=$BUCKET_KEY
        - export AWS_SECRET_ACCESS_KEY=$BUCKET_SECRET
    upload:
      extends: .keys
      script:
        - {R2}
    deploy:
      extends: .keys
      script:
        - aws s3 sync public s3://prod-site
    """
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    assert _routes(root) == [".keys.before_script[0]", ".keys.before_script[1]"]


#: One line of the job sends its keys to R2, another calls AWS with them.
MIXED = f"""
upload:
  variables:
    AWS_ACCESS_KEY_ID: $BUCKET_KEY
    AWS_SECRET_ACCESS_KEY: $BUCKET_SECRET
  script:
    - {R2}
    - aws s3 sync dist s3://prod-site
"""


def test_a_line_that_calls_aws_keeps_the_keys_reported(tmp_path: Path) -> None:
    # The R2 line cleared the job's keys, though the next line used them against AWS.
    root = repo(tmp_path, {".gitlab-ci.yml": MIXED})
    [found] = scan([root]).findings
    assert found.location is not None
    assert found.location.route == "upload.variables.AWS_ACCESS_KEY_ID"
    assert found.severity is Severity.HIGH


def test_fix_leaves_a_job_whose_lines_go_to_two_stores(tmp_path: Path) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": MIXED})
    result = fix([root], options())
    rewrite = only(result, ".gitlab-ci.yml")
    assert not rewrite.changed
    left = reasons(rewrite, "upload")
    assert "a script line sends its keys to another store (" in left
    assert "r2.cloudflarestorage.com" in left
    assert "while another calls AWS with them" in left
    assert "do not look like AWS keys" not in left
    assert result.exit_code() == 1


def test_exports_beside_a_line_that_calls_aws_are_reported(tmp_path: Path) -> None:
    text = f"""
    upload:
      script:
        - export AWS_ACCESS_KEY_ID=$BUCKET_KEY
        - export AWS_SECRET_ACCESS_KEY=$BUCKET_SECRET
        - {R2}
        - aws cloudfront create-invalidation --distribution-id X --paths '/*'
    """
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    assert _routes(root) == ["upload.script[0]", "upload.script[1]"]
    rewrite = only(fix([root], options()), ".gitlab-ci.yml")
    assert "a script line sends its keys to another store" in reasons(rewrite, "upload")


def test_aws_version_is_no_call_to_aws(tmp_path: Path) -> None:
    text = MIXED.replace("aws s3 sync dist s3://prod-site", "aws --version")
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    assert _routes(root) == []
    rewrite = only(fix([root], options()), ".gitlab-ci.yml")
    assert (rewrite.changed, rewrite.unfixed) == (False, ())


def test_an_emulator_line_says_nothing_beside_a_call_to_aws(tmp_path: Path) -> None:
    # LocalStack takes any keys, AWS's too: the job is rewritten like any other.
    text = MIXED.replace(
        "--endpoint-url https://abc.r2.cloudflarestorage.com",
        "--endpoint-url http://localhost:4566",
    )
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    assert _routes(root) == ["upload.variables.AWS_ACCESS_KEY_ID"]
    rewrite = only(fix([root], options()), ".gitlab-ci.yml")
    assert [j.job for j in rewrite.jobs] == ["upload"]
    assert rewrite.unfixed == ()


def test_github_aws_version_step_is_no_call_to_aws(tmp_path: Path) -> None:
    text = f"""
    on: push
    jobs:
      upload:
        runs-on: ubuntu-latest
        env:
          AWS_ACCESS_KEY_ID: ${{{{ secrets.BUCKET_KEY }}}}
          AWS_SECRET_ACCESS_KEY: ${{{{ secrets.BUCKET_SECRET }}}}
        steps:
          - run: aws --version
          - run: {R2}
    """
    root = repo(tmp_path, {".github/workflows/w.yml": text})
    assert _routes(root) == []
    rewrite = only(fix([root], options()), "w.yml")
    assert (rewrite.changed, rewrite.unfixed) == (False, ())
