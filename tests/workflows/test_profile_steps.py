"""A GitHub ``run:`` step that only writes the key pair from secrets into the default
profile (``aws configure set aws_access_key_id ${{ secrets.X }}``) is replaced by the
credentials step, as GitLab's ``aws configure set`` lines are removed; it was left for a
person. Any other such step stays left, saying why."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.workflows import fix, scan

from .builders import ROLE, only, options, reasons, repo
from .conftest import run_actionlint

#: The step replaced: keys from secrets written in the lines, and the region.
CONFIGURE = """\
      - name: Configure AWS
        run: |
          aws configure set aws_access_key_id ${{ secrets.AWS_ACCESS_KEY_ID }}
          aws configure set aws_secret_access_key ${{ secrets.AWS_SECRET_ACCESS_KEY }}
          aws configure set region eu-west-1
"""

#: The same keys read from the step's env:, quoted as scripts quote them.
CONFIGURE_FROM_ENV = """\
      - name: Configure AWS
        env:
          AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
          AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
        run: |
          aws configure set aws_access_key_id "$AWS_ACCESS_KEY_ID"
          aws configure set aws_secret_access_key "$AWS_SECRET_ACCESS_KEY"
          aws configure set region eu-west-1
"""


def _workflow(step: str) -> str:
    return (
        "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n" + step + "      - run: aws s3 sync dist s3://site\n"
    )


@pytest.mark.parametrize("step", [CONFIGURE, CONFIGURE_FROM_ENV], ids=["secrets", "env"])
def test_a_step_that_only_writes_the_profile_is_replaced(tmp_path: Path, step: str) -> None:
    root = repo(tmp_path, {".github/workflows/d.yml": _workflow(step)})
    result = fix([root], options(region=None))
    rewrite = only(result, "d.yml")
    assert rewrite.unfixed == ()
    assert [j.job for j in rewrite.jobs] == ["deploy"]
    assert "aws configure set" not in rewrite.after
    assert "secrets.AWS_" not in rewrite.after
    assert f"role-to-assume: {ROLE}" in rewrite.after
    # The region the step wrote into the profile, with no --region given.
    assert "aws-region: eu-west-1" in rewrite.after
    # The credentials step runs where the profile was written: before the sync.
    assert rewrite.after.index("configure-aws-credentials") < rewrite.after.index("s3 sync")
    assert any("wrote the key pair into the AWS CLI's profile" in n for n in rewrite.notes)
    assert result.exit_code() == 0
    written = root / ".github/workflows/d.yml"
    written.write_text(rewrite.after, encoding="utf-8")
    assert scan([root]).findings == ()


@pytest.mark.usefixtures("needs_actionlint")
def test_the_replaced_step_passes_actionlint(tmp_path: Path) -> None:
    root = repo(tmp_path, {".github/workflows/d.yml": _workflow(CONFIGURE_FROM_ENV)})
    written = root / ".github/workflows/d.yml"
    written.write_text(only(fix([root], options()), "d.yml").after, encoding="utf-8")
    assert run_actionlint([written]) == []


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (
            (
                "aws configure set region eu-west-1",
                "aws configure set region eu-west-1\n          aws s3 ls",
            ),
            "it runs other commands than `aws configure set`",
        ),
        (
            (
                "aws configure set region eu-west-1",
                "aws configure set region eu-west-1 --profile prod",
            ),
            "it writes a named profile (--profile)",
        ),
        (
            ("${{ secrets.AWS_ACCESS_KEY_ID }}", "AKIAIOSFODNN7EXAMPLE"),
            "its aws_access_key_id is not read from a secret (a literal",
        ),
        (
            (
                "      - name: Configure AWS\n",
                "      - name: Configure AWS\n        if: github.ref == 'refs/heads/main'\n",
            ),
            "it has if:, which the credentials step would not keep",
        ),
    ],
    ids=["other-commands", "named-profile", "literal-key", "condition"],
)
def test_other_profile_steps_stay_left_saying_why(
    tmp_path: Path, change: tuple[str, str], why: str
) -> None:
    root = repo(tmp_path, {".github/workflows/d.yml": _workflow(CONFIGURE.replace(*change))})
    rewrite = only(fix([root], options()), "d.yml")
    assert not rewrite.changed
    left = reasons(rewrite, "deploy")
    assert "it writes the key pair into a profile" in left
    assert f", and {why}" in left
    assert "so keyless does not replace it; rewrite it by hand" in left
    assert "AKIA" not in left  # a literal key is never repeated in a reason


def test_a_key_variable_set_from_elsewhere_is_not_a_secret(tmp_path: Path) -> None:
    # $AWS_ACCESS_KEY_ID that no env: sets comes from the runner or an earlier step.
    step = CONFIGURE_FROM_ENV.replace(
        "        env:\n"
        "          AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}\n"
        "          AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}\n",
        "",
    )
    root = repo(tmp_path, {".github/workflows/d.yml": _workflow(step)})
    rewrite = only(fix([root], options()), "d.yml")
    assert not rewrite.changed
    assert "is not read from a secret" in reasons(rewrite, "deploy")
