"""Keys chosen by the matrix (``aws-access-key-id: ${{ secrets[matrix.aws_key_secret] }}``,
one IAM user per server or stage, as public deploy workflows fan out) are several IAM
users, perhaps of several accounts. ``fix`` replaced them all with the one role it was
given, so every combination would have acted in that role's account; it now leaves the
job, as it leaves a job with two different key pairs. A role read from a variable or
secret of an environment that is itself the matrix value differs per combination (an
environment has its own variables and secrets:
https://docs.github.com/en/actions/how-tos/deploy/configure-and-manage-deployments/manage-environments):
that job is rewritten."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.workflows import FixOptions, RoleSource, fix

from .builders import ROLE, job, only, options, repo

DEPLOY = """\
on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        include:
          - persona: alba
            aws_key_secret: AWS_ACCESS_KEY_ID_ALBA
            aws_secret_secret: AWS_SECRET_ACCESS_KEY_ALBA
          - persona: marcela
            aws_key_secret: AWS_ACCESS_KEY_ID_MARCELA
            aws_secret_secret: AWS_SECRET_ACCESS_KEY_MARCELA
<environment>
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: <key>
          aws-secret-access-key: <secret>
          aws-region: us-east-1
      - run: ./deploy.sh
"""
BY_NAME = ("${{ secrets[matrix.aws_key_secret] }}", "${{ secrets[matrix.aws_secret_secret] }}")
BY_FORMAT = (
    "${{ secrets[format('AWS_ACCESS_KEY_ID_{0}', matrix.persona)] }}",
    "${{ secrets[format('AWS_SECRET_ACCESS_KEY_{0}', matrix.persona)] }}",
)


def _workflow(tmp_path: Path, keys: tuple[str, str], environment: str = "") -> Path:
    text = DEPLOY.replace("<key>", keys[0]).replace("<secret>", keys[1])
    line = f"    environment: {environment}\n" if environment else ""
    text = text.replace("<environment>\n", line)
    return repo(tmp_path, {".github/workflows/deploy.yml": text})


@pytest.mark.parametrize(
    ("keys", "names"),
    [
        (BY_NAME, "matrix.aws_key_secret, matrix.aws_secret_secret"),
        (BY_FORMAT, "matrix.persona"),
    ],
)
def test_keys_chosen_by_the_matrix_are_left_for_a_person(
    tmp_path: Path, keys: tuple[str, str], names: str
) -> None:
    result = fix([_workflow(tmp_path, keys)], options())
    rewrite = only(result, "deploy.yml")
    assert rewrite.after == rewrite.before
    (unfixed,) = rewrite.unfixed
    assert unfixed.job == "deploy"
    assert unfixed.reason.startswith(f"its keys are chosen by the matrix ({names}): ")
    assert result.exit_code() == 1


def test_a_literal_role_is_not_given_to_every_environment_of_the_matrix(tmp_path: Path) -> None:
    root = _workflow(tmp_path, BY_NAME, "${{ matrix.persona }}")
    (unfixed,) = only(fix([root], options()), "deploy.yml").unfixed
    assert "chosen by the matrix" in unfixed.reason


@pytest.mark.parametrize("reference", ["vars.AWS_ROLE_ARN", "secrets.AWS_ROLE_ARN"])
def test_a_role_each_matrix_environment_sets_is_rewritten(tmp_path: Path, reference: str) -> None:
    root = _workflow(tmp_path, BY_NAME, "${{ matrix.persona }}")
    chosen = FixOptions(RoleSource(reference=reference), repository="acme/app")
    rewrite = only(fix([root], chosen), "deploy.yml")
    assert rewrite.unfixed == ()
    assert [s.value for s in job(rewrite, "deploy").recommended] == [
        "repo:acme/app:environment:alba",
        "repo:acme/app:environment:marcela",
    ]
    assert "${{ secrets[matrix" not in rewrite.after


def test_keys_the_matrix_does_not_choose_are_still_rewritten(tmp_path: Path) -> None:
    keys = ("${{ secrets.AWS_ACCESS_KEY_ID }}", "${{ secrets.AWS_SECRET_ACCESS_KEY }}")
    rewrite = only(fix([_workflow(tmp_path, keys)], options()), "deploy.yml")
    assert rewrite.unfixed == ()
    assert f"role-to-assume: {ROLE}" in rewrite.after


def test_a_chained_role_from_the_matrix_is_named_per_combination(tmp_path: Path) -> None:
    # Keys used to assume `${{ matrix.role }}`: each role the matrix names must admit the
    # job's tokens, not a role called `${{ matrix.role }}`.
    text = """\
on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        include:
          - role: arn:aws:iam::111111111111:role/deploy
          - role: arn:aws:iam::222222222222:role/deploy
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
          role-to-assume: ${{ matrix.role }}
          aws-region: us-east-1
"""
    rewrite = only(fix([repo(tmp_path, {".github/workflows/d.yml": text})], options()), "d.yml")
    (note,) = [n for n in job(rewrite, "deploy").notes if "per combination" in n]
    assert "arn:aws:iam::111111111111:role/deploy, arn:aws:iam::222222222222:role/deploy" in note
