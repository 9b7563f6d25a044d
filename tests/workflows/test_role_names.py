"""configure-aws-credentials given keys and a role's *name* (``role-to-assume: deploy``,
as its README allows: "to assume a role in the same account as the static credentials,
you can simply specify the role name") makes the ARN with the keys' account. ``fix``
removed the keys and kept the name, a step that then fails ("Source Account ID is needed
if the Role Name is provided and not the Role Arn": aws-actions/configure-aws-credentials
src/assumeRole.ts); the job is now left, saying to write the ARN."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.workflows import fix

from .builders import GITHUB_CONFIGURE_KEYS, only, options, reasons, repo


def _workflow(tmp_path: Path, role: str, chaining: bool = False) -> Path:
    extra = f"          role-to-assume: {role}\n"
    if chaining:
        extra += "          role-chaining: true\n"
    text = GITHUB_CONFIGURE_KEYS + extra
    return repo(tmp_path, {".github/workflows/deploy.yml": text})


@pytest.mark.parametrize("role", ["my-github-actions-role", "ci/deployer"])
def test_a_role_named_beside_the_keys_is_left(tmp_path: Path, role: str) -> None:
    rewrite = only(fix([_workflow(tmp_path, role)], options()), "deploy.yml")
    assert not rewrite.changed
    assert f"assumes the role named '{role}'" in reasons(rewrite, "deploy")
    assert "write the role's ARN there" in reasons(rewrite, "deploy")


@pytest.mark.parametrize(
    "role", ["arn:aws:iam::123456789012:role/deploy", "${{ secrets.AWS_ROLE_TO_ASSUME }}"]
)
def test_an_arn_or_an_expression_is_rewritten(tmp_path: Path, role: str) -> None:
    rewrite = only(fix([_workflow(tmp_path, role)], options()), "deploy.yml")
    assert [j.job for j in rewrite.jobs] == ["deploy"]
