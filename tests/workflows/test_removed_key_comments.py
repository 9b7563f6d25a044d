"""A key ``fix`` removes or replaces goes with the comment lines written directly above
it (``# prod key`` above ``AWS_ACCESS_KEY_ID:``): left behind, they described a key that
is gone, or now sat above ``role-to-assume``. Comments of the keys that stay, and those
a blank line parts from the key, stay."""

from __future__ import annotations

from pathlib import Path

from keyless.workflows import fix

from .builders import options, repo

WORKFLOW = """\
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    env:
      # build settings
      NODE_ENV: production

      # a comment parted from the keys by a blank line

      # prod key (rotated 2024)
      # owner: ops
      AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
      # the secret half
      AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
      # region stays
      AWS_REGION: eu-west-1
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          # legacy IAM user
          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
          aws-region: eu-west-1
      - run: aws s3 ls
"""


def removed(before: str, after: str) -> list[str]:
    """The lines of ``before`` that are not in ``after``, in order."""
    new = set(after.splitlines())
    return [line.strip() for line in before.splitlines() if line not in new]


def test_removed_env_keys_and_inputs_take_their_comments(tmp_path: Path) -> None:
    root = repo(tmp_path, {".github/workflows/deploy.yml": WORKFLOW})
    (rewrite,) = fix([root], options()).files
    assert removed(rewrite.before, rewrite.after) == [
        "# prod key (rotated 2024)",
        "# owner: ops",
        "AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}",
        "# the secret half",
        "AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}",
        "# legacy IAM user",
        "aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}",
        "aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}",
    ]
    assert "      # a comment parted from the keys by a blank line\n\n      # region stays\n" in (
        rewrite.after
    )


def test_gitlab_key_variables_take_their_comments(tmp_path: Path) -> None:
    pipeline = """\
        deploy:
          variables:
            # kept
            BUCKET: site
            # the deploy user's key
            AWS_ACCESS_KEY_ID: $PROD_KEY_ID
            AWS_SECRET_ACCESS_KEY: $PROD_SECRET
          script:
            - aws s3 sync public s3://$BUCKET
        """
    root = repo(tmp_path, {".gitlab-ci.yml": pipeline})
    (rewrite,) = fix([root], options()).files
    assert "# the deploy user's key" not in rewrite.after
    assert "    # kept\n    BUCKET: site\n" in rewrite.after
    assert "    AWS_ROLE_ARN: " in rewrite.after
