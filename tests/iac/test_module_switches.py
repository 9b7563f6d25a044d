"""A known community module's switch (``create``, ``create_user``, ``create_access_key``…)
given a value keyless does not know (a variable without a default) decides what the call
creates: the call is reported not read, as one over an unknown ``count`` is, never taken
for ``false`` (nothing created, exit 0) nor for ``true``."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.scan import scan

USER = "terraform-aws-modules/iam/aws//modules/iam-user"
GITHUB_ROLE = "terraform-aws-modules/iam/aws//modules/iam-github-oidc-role"
ROLE = "terraform-aws-modules/iam/aws//modules/iam-role"
OIDC_ROLE = "terraform-aws-modules/iam/aws//modules/iam-assumable-role-with-oidc"
IRSA_ROLE = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"
UNFUNCO = "unfunco/oidc-github/aws"
GITHUB_SUBJECTS = (
    'provider_url = "token.actions.githubusercontent.com"\n'
    '  oidc_subjects_with_wildcards = ["repo:acme/*"]'
)


@pytest.mark.parametrize(
    ("source", "version", "inputs"),
    [
        (USER, "~> 5.0", "create_user = var.x"),
        (USER, "~> 5.0", "create_iam_access_key = var.x"),
        (USER, "~> 5.0", "create_iam_user_login_profile = var.x"),
        (USER, "~> 6.0", "create = var.x"),
        (USER, "~> 6.0", "create_access_key = var.x"),
        (GITHUB_ROLE, "~> 5.0", 'create = var.x\n  subjects = ["acme/app:*"]'),
        (ROLE, "~> 6.0", 'create = var.x\n  enable_github_oidc = true\n  oidc_subjects = ["a"]'),
        (ROLE, "~> 6.0", 'enable_github_oidc = var.x\n  oidc_wildcard_subjects = ["acme/*"]'),
        (OIDC_ROLE, "~> 5.0", f"create_role = var.x\n  {GITHUB_SUBJECTS}"),
        (IRSA_ROLE, "~> 5.0", "create_role = var.x"),
        (UNFUNCO, "1.8.1", 'enabled = var.x\n  github_repositories = ["acme/app"]'),
        (UNFUNCO, "2.0.0", 'create_iam_role = var.x\n  github_repositories = ["acme/app"]'),
    ],
)
def test_a_switch_not_known_leaves_the_call_not_read(
    tmp_path: Path, source: str, version: str, inputs: str
) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "x" {\n  type = bool\n}\n'
        f'module "m" {{\n  source  = "{source}"\n  version = "{version}"\n  name = "ci"\n'
        f"  {inputs}\n}}\n"
    )
    result = scan([tmp_path])
    assert result.findings == ()
    assert result.notes == ()
    (unread,) = result.unread
    assert unread.reason.startswith("module.m: what it creates is not read: ")
    assert "var.x" in unread.reason


@pytest.mark.parametrize("value", ["true", '"true"'])
def test_a_switch_written_as_text_is_read_as_terraform_converts_it(
    tmp_path: Path, value: str
) -> None:
    (tmp_path / "main.tf").write_text(
        f'module "m" {{\n  source  = "{USER}"\n  version = "~> 6.0"\n  name = "ci"\n'
        f"  create_access_key = {value}\n}}\n"
    )
    result = scan([tmp_path])
    assert {f.check for f in result.findings} == {"iac-iam-user", "iac-access-key"}
