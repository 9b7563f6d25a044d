"""A key pair chosen by a condition in one expression
(``${{ github.ref == 'refs/heads/main' && secrets.PROD_KEY || secrets.DEV_KEY }}``) is two
IAM users, perhaps of two accounts, as two configure steps gated by ``if:`` are: ``fix``
leaves the job rather than merging them into one role. A plain fallback
(``secrets.KEY || vars.KEY``) names one user and is rewritten."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.workflows import FixOptions, RoleSource, fix

from .builders import GITHUB_CONFIGURE_KEYS, only, options, reasons, repo

CHOSEN = (
    "${{ github.ref == 'refs/heads/main' && secrets.PROD_AWS_ACCESS_KEY_ID "
    "|| secrets.DEV_AWS_ACCESS_KEY_ID }}"
)


def _workflow(key_id: str, environment: str = "") -> str:
    text = GITHUB_CONFIGURE_KEYS.replace("${{ secrets.AWS_ACCESS_KEY_ID }}", key_id)
    return text.replace("    runs-on:", f"{environment}    runs-on:")


def test_keys_chosen_by_a_condition_are_left(tmp_path: Path) -> None:
    root = repo(tmp_path, {".github/workflows/deploy.yml": _workflow(CHOSEN)})
    result = fix([root], options())
    rewrite = only(result, "deploy.yml")
    assert not rewrite.changed
    assert reasons(rewrite, "deploy").startswith(
        "its key ID is chosen by a condition among secrets.PROD_AWS_ACCESS_KEY_ID, "
        "secrets.DEV_AWS_ACCESS_KEY_ID: each may be another IAM user"
    )
    assert result.exit_code() == 1


@pytest.mark.parametrize(
    "key_id",
    [
        "${{ secrets.AWS_ACCESS_KEY_ID || vars.AWS_ACCESS_KEY_ID }}",
        "${{ format('{0}', secrets.AWS_ACCESS_KEY_ID) }}",
        "${{ github.ref == 'refs/heads/main' && secrets.AWS_ACCESS_KEY_ID || '' }}",
    ],
)
def test_one_key_with_a_fallback_is_rewritten(tmp_path: Path, key_id: str) -> None:
    root = repo(tmp_path, {".github/workflows/deploy.yml": _workflow(key_id)})
    rewrite = only(fix([root], options()), "deploy.yml")
    assert [j.job for j in rewrite.jobs] == ["deploy"]


def test_an_environment_following_the_condition_takes_a_role_per_environment(
    tmp_path: Path,
) -> None:
    environment = "    environment: ${{ github.ref == 'refs/heads/main' && 'prod' || 'dev' }}\n"
    root = repo(tmp_path, {".github/workflows/deploy.yml": _workflow(CHOSEN, environment)})
    by_variable = FixOptions(RoleSource(reference="vars.AWS_ROLE_ARN"), repository="acme/app")
    rewrite = only(fix([root], by_variable), "deploy.yml")
    assert [j.job for j in rewrite.jobs] == ["deploy"]
    assert "role-to-assume: ${{ vars.AWS_ROLE_ARN }}" in rewrite.after
    # A literal role is one role for both environments: left.
    assert not only(fix([root], options()), "deploy.yml").changed
