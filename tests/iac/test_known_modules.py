"""Community modules read by their inputs: terraform-aws-modules' iam-user creates an IAM
user, and (5.x defaults, or when asked) a console password and an access key."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.scan import scan

CALL = """
module "ci" {{
  source  = "terraform-aws-modules/iam/aws//modules/iam-user"
{version}
  name    = "ci"
{inputs}
}}
"""


@pytest.mark.parametrize(
    ("version", "inputs", "expected"),
    [
        # 5.x: login profile and access key are created unless turned off
        ('version = "~> 5.0"', "", {"iac-iam-user", "iac-login-profile", "iac-access-key"}),
        (
            'version = "5.39.1"',
            "create_iam_user_login_profile = false",
            {"iac-iam-user", "iac-access-key"},
        ),
        ('version = "~> 5.0"', "create_user = false", set()),
        # 6.x (and no version: the latest) renamed the switches; only an explicit true counts
        ('version = "~> 6.0"', "", {"iac-iam-user"}),
        ("", "create_access_key = true", {"iac-iam-user", "iac-access-key"}),
        ("", "create = false", set()),
    ],
)
def test_the_iam_user_module_is_read_by_its_inputs(
    tmp_path: Path, version: str, inputs: str, expected: set[str]
) -> None:
    (tmp_path / "main.tf").write_text(CALL.format(version=f"  {version}", inputs=f"  {inputs}"))
    result = scan([tmp_path])
    assert {f.check for f in result.findings} == expected
    assert all("'ci'" in f.message for f in result.findings)
    assert not any("iam-user" in note for note in result.notes)


ROLE_CALL = """
module "deploy" {{
  source             = "terraform-aws-modules/iam/aws//modules/iam-role"
  version            = "~> 6.0"
  name               = "deploy"
  enable_github_oidc = true
{inputs}
}}
"""


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        ('oidc_subjects = ["acme/app:ref:refs/heads/main"]', set()),
        ('oidc_subjects = ["repo:acme/app:environment:prod"]', set()),
        (
            'oidc_wildcard_subjects = ["acme/*"]',
            {"trust-oidc-broad-subject", "trust-oidc-untrusted-trigger"},
        ),
        ("", {"trust-oidc-any-tenant"}),
        (
            'oidc_wildcard_subjects = ["acme/app:*"]\n'
            "  trust_policy_conditions = [{\n"
            '    test     = "StringEquals"\n'
            '    variable = "token.actions.githubusercontent.com:environment"\n'
            '    values   = ["prod"]\n'
            "  }]",
            set(),
        ),
    ],
)
def test_the_iam_role_module_trusting_github_is_judged_by_its_inputs(
    tmp_path: Path, inputs: str, expected: set[str]
) -> None:
    (tmp_path / "main.tf").write_text(ROLE_CALL.format(inputs=f"  {inputs}"))
    result = scan([tmp_path])
    assert {f.check for f in result.findings} == expected
    assert result.unread == ()


def test_the_iam_role_module_with_other_trust_statements_is_not_judged(tmp_path: Path) -> None:
    inputs = 'oidc_subjects = ["acme/app:ref:refs/heads/main"]\n  enable_saml = true'
    (tmp_path / "main.tf").write_text(ROLE_CALL.format(inputs=f"  {inputs}"))
    result = scan([tmp_path])
    assert result.findings == ()
    (unread,) = result.unread
    assert "enable_saml" in unread.reason


@pytest.mark.parametrize(
    ("source", "inputs", "role"),
    [
        (
            "philips-labs/github-oidc/aws",
            'repo = "acme/app"',
            "module.m.aws_iam_role.main[0]",
        ),
        (
            "terraform-module/github-oidc-provider/aws",
            'repositories = ["acme/app"]',
            "module.m.aws_iam_role.this[0]",
        ),
        # roles other accounts assume, as written to trust another account's root
        (
            "terraform-aws-modules/iam/aws//modules/iam-assumable-role",
            'create_role = true\n  trusted_role_arns = ["arn:aws:iam::111122223333:root"]',
            "module.m.aws_iam_role.this[0]",
        ),
        (
            "terraform-aws-modules/iam/aws//modules/iam-assumable-role-with-saml",
            "create_role = var.saml",
            "module.m.aws_iam_role.this[0]",
        ),
        (
            "cloudposse/iam-role/aws",
            'principals = { AWS = ["111122223333"] }\n  assume_role_conditions = []',
            "module.m.aws_iam_role.default[0]",
        ),
    ],
)
def test_a_role_module_not_followed_is_not_judged(
    tmp_path: Path, source: str, inputs: str, role: str
) -> None:
    """A registry module known to create a GitHub Actions role, whose trust policy keyless
    does not follow by release, leaves that role not judged (exit 3), not a note."""
    (tmp_path / "main.tf").write_text(
        f'module "m" {{\n  source  = "{source}"\n  version = "~> 1.0"\n  {inputs}\n}}\n'
    )
    result = scan([tmp_path])
    assert result.findings == ()
    assert result.notes == ()
    (unread,) = result.unread
    assert unread.reason.startswith(f"{role}: trust policy not judged")
    assert "pass `terraform show -json` output" in unread.reason


@pytest.mark.parametrize(
    ("source", "inputs"),
    [
        ("philips-labs/github-oidc/aws", "repo = null"),
        ("terraform-module/github-oidc-provider/aws", "create_oidc_role = false"),
        # create_role is false by default
        ("terraform-aws-modules/iam/aws//modules/iam-assumable-role", 'role_name = "x"'),
        ("terraform-aws-modules/iam/aws//modules/iam-assumable-roles", "create_admin_role = false"),
        ("cloudposse/iam-role/aws", "enabled = false"),
    ],
)
def test_a_role_module_that_makes_no_role_is_quiet(
    tmp_path: Path, source: str, inputs: str
) -> None:
    (tmp_path / "main.tf").write_text(f'module "m" {{\n  source = "{source}"\n  {inputs}\n}}\n')
    result = scan([tmp_path])
    assert result.unread == ()
    assert result.findings == ()


def test_each_role_the_assumable_roles_module_creates_is_not_judged(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'module "m" {\n  source = "terraform-aws-modules/iam/aws//modules/iam-assumable-roles"\n'
        '  version = "~> 5.0"\n  create_admin_role = true\n  create_readonly_role = true\n'
        '  trusted_role_arns = ["arn:aws:iam::111122223333:root"]\n}\n'
    )
    result = scan([tmp_path])
    assert result.notes == ()
    assert sorted(u.reason.split(":", 1)[0] for u in result.unread) == [
        "module.m.aws_iam_role.admin[0]",
        "module.m.aws_iam_role.readonly[0]",
    ]


@pytest.mark.parametrize(("version", "judged"), [("~> 5.0", True), ("~> 6.0", False)])
def test_the_github_oidc_role_module_is_read_as_the_versions_that_have_it(
    tmp_path: Path, version: str, judged: bool
) -> None:
    """6.x merged iam-github-oidc-role into iam-role (the module's UPGRADE-6.0.md): a call
    for 6.x installs nothing (terraform init fails), so it is not judged as 5.x's."""
    (tmp_path / "main.tf").write_text(
        'module "gh" {\n'
        '  source   = "terraform-aws-modules/iam/aws//modules/iam-github-oidc-role"\n'
        f'  version  = "{version}"\n'
        '  subjects = ["acme/app:*"]\n'
        "}\n"
    )
    result = scan([tmp_path])
    assert bool(result.findings) is judged
    assert bool(result.notes) is not judged


@pytest.mark.parametrize(
    "source",
    [
        "terraform-aws-modules/iam/aws//modules/iam-assumable-role",
        "terraform-aws-modules/iam/aws//modules/iam-assumable-role-with-saml",
        "terraform-aws-modules/iam/aws//modules/iam-assumable-roles",
    ],
)
@pytest.mark.parametrize(("version", "made"), [("~> 5.0", True), ("~> 6.0", False)])
def test_an_assumable_role_module_is_read_as_the_versions_that_have_it(
    tmp_path: Path, source: str, version: str, made: bool
) -> None:
    """6.x removed the assumable-role submodules (renamed or merged into iam-role, the
    module's UPGRADE-6.0.md): a call for 6.x installs nothing (terraform init fails), a
    note, not a role left not judged (it was, exit 3)."""
    (tmp_path / "main.tf").write_text(
        f'module "m" {{\n  source  = "{source}"\n  version = "{version}"\n'
        "  create_role = true\n  create_admin_role = true\n"
        '  trusted_role_arns = ["arn:aws:iam::111122223333:root"]\n}\n'
    )
    result = scan([tmp_path])
    assert result.findings == ()
    assert bool(result.unread) is made
    assert bool(result.notes) is not made
    if not made:
        (note,) = result.notes
        assert "remote module not read" in note
