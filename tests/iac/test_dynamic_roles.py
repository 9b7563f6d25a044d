"""Roles built with ``for_each`` over a map and trust policies built with ``dynamic``
blocks over variables with defaults are judged one by one, every role named by its
instance address; what depends on a value the code does not give is reported as not
read, with where and why — never as clean, a module call included."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.engine import ScanResult
from keyless.iac.scan import scan

PROVIDER = """
resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}
"""
GITHUB_ROLES = """
variable "github_roles" {
  type = map(object({ repo = string, refs = list(string) }))
  default = {
    deploy  = { repo = "acme/app", refs = ["ref:refs/heads/main"] }
    preview = { repo = "acme/site", refs = ["ref:refs/heads/main", "*"] }
  }
}

data "aws_iam_policy_document" "gh" {
  for_each = var.github_roles
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    dynamic "condition" {
      for_each = length(each.value.refs) > 0 ? [each.value.refs] : []
      content {
        test     = "StringLike"
        variable = "token.actions.githubusercontent.com:sub"
        values   = [for ref in condition.value : "repo:${each.value.repo}:${ref}"]
      }
    }
  }
}

resource "aws_iam_role" "gh" {
  for_each           = var.github_roles
  name               = "gh-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.gh[each.key].json
}
"""
# The shape of generated role modules: one statement per service, one for the accounts
# (with an MFA condition only when asked), each a dynamic block over a variable.
SERVICE_ROLE = """
variable "trust_services" {
  type    = list(string)
  default = ["lambda.amazonaws.com"]
}
variable "trust_account_ids" {
  type    = list(string)
  default = ["210987654321"]
}
variable "require_mfa" {
  type    = bool
  default = %s
}

data "aws_iam_policy_document" "assume_role" {
  dynamic "statement" {
    for_each = var.trust_services
    content {
      actions = ["sts:AssumeRole"]
      principals {
        type        = "Service"
        identifiers = [statement.value]
      }
    }
  }
  dynamic "statement" {
    for_each = length(var.trust_account_ids) > 0 ? [1] : []
    content {
      actions = ["sts:AssumeRole"]
      principals {
        type        = "AWS"
        identifiers = [for id in var.trust_account_ids : "arn:aws:iam::${id}:root"]
      }
      dynamic "condition" {
        for_each = var.require_mfa ? [1] : []
        content {
          test     = "Bool"
          variable = "aws:MultiFactorAuthPresent"
          values   = ["true"]
        }
      }
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "svc"
  assume_role_policy = data.aws_iam_policy_document.assume_role.json
}
"""
PULL_REQUEST = "a pull request can assume it"
BRANCH = "an unprotected branch can assume it"


def _scan(tmp_path: Path, text: str) -> ScanResult:
    (tmp_path / "main.tf").write_text(text)
    return scan([tmp_path])


def test_every_role_of_a_map_is_judged_by_its_own_entry(tmp_path: Path) -> None:
    result = _scan(tmp_path, PROVIDER + GITHUB_ROLES)
    assert sorted(f.message for f in result.findings) == [
        f'aws_iam_role.gh["preview"]: {PULL_REQUEST}',
        f'aws_iam_role.gh["preview"]: {BRANCH}',
    ]
    assert result.unread == ()


@pytest.mark.parametrize(
    ("mfa", "checks"),
    [
        ("false", {"trust-cross-account-no-external-id", "trust-account-root-broad"}),
        ("true", {"trust-account-root-broad"}),
    ],
)
def test_dynamic_statements_over_defaults_are_judged(
    tmp_path: Path, mfa: str, checks: set[str]
) -> None:
    result = _scan(tmp_path, SERVICE_ROLE % mfa)
    assert result.unread == ()
    assert {f.check for f in result.findings} >= checks
    assert all(f.message.startswith("aws_iam_role.this: ") for f in result.findings)


def test_roles_of_a_map_not_given_are_not_read_and_named(tmp_path: Path) -> None:
    text = (
        'variable "roles" {\n  type = map(string)\n}\n'
        'resource "aws_iam_role" "r" {\n  for_each = var.roles\n  name = each.key\n'
        '  assume_role_policy = "{}"\n}\n'
    )
    result = _scan(tmp_path, text)
    (unread,) = result.unread
    assert unread.where == f"{tmp_path / 'main.tf'}:4:1"
    assert unread.reason.startswith("aws_iam_role.r: the variable has no default")


def test_a_dynamic_condition_over_a_value_not_given_is_not_judged(tmp_path: Path) -> None:
    text = PROVIDER + (
        'variable "conditions" {\n'
        "  type = list(object({ test = string, variable = string, values = list(string) }))\n"
        "}\n"
        'data "aws_iam_policy_document" "c" {\n  statement {\n'
        '    actions = ["sts:AssumeRoleWithWebIdentity"]\n'
        "    principals {\n"
        '      type        = "Federated"\n'
        "      identifiers = [aws_iam_openid_connect_provider.github.arn]\n"
        "    }\n"
        '    dynamic "condition" {\n      for_each = var.conditions\n      content {\n'
        "        test     = condition.value.test\n"
        "        variable = condition.value.variable\n"
        "        values   = condition.value.values\n"
        "      }\n    }\n  }\n}\n"
        'resource "aws_iam_role" "c" {\n'
        "  assume_role_policy = data.aws_iam_policy_document.c.json\n}\n"
    )
    result = _scan(tmp_path, text)
    assert result.findings == ()
    (unread,) = result.unread
    assert 'the for_each of dynamic "condition" is not known' in unread.reason


ROLE_MODULE = """
locals {
  provider = "arn:aws:iam::111122223333:oidc-provider"
}
variable "repo" {
  type = string
}
resource "aws_iam_role" "this" {
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "${local.provider}/token.actions.githubusercontent.com" }
      Condition = { StringLike = {
        "token.actions.githubusercontent.com:sub" = "repo:${var.repo}:*"
      } }
    }]
  })
}
"""


@pytest.mark.parametrize(
    "call",
    [
        'source = "./role"\n  for_each = var.repos\n  repo = each.value',
        'source = "unfunco/oidc-github/aws"\n  version = "1.8.1"\n  for_each = var.repos\n'
        "  github_repositories = [each.value]",
    ],
)
def test_a_module_called_over_a_value_not_given_is_not_read(tmp_path: Path, call: str) -> None:
    (tmp_path / "role").mkdir()
    (tmp_path / "role" / "main.tf").write_text(ROLE_MODULE)
    text = f'variable "repos" {{\n  type = map(string)\n}}\nmodule "roles" {{\n  {call}\n}}\n'
    result = _scan(tmp_path, text)
    assert result.notes == ()
    (unread,) = result.unread
    assert unread.where == f"{tmp_path / 'main.tf'}:4:1"
    assert unread.reason.startswith(
        "module.roles: what it creates is not read: its count or for_each is not known"
    )


def test_a_module_called_over_a_map_is_judged_per_instance(tmp_path: Path) -> None:
    (tmp_path / "role").mkdir()
    (tmp_path / "role" / "main.tf").write_text(ROLE_MODULE)
    text = (
        'module "roles" {\n  source = "./role"\n'
        '  for_each = { app = "acme/app", site = "acme/site" }\n  repo = each.value\n}\n'
    )
    result = _scan(tmp_path, text)
    assert sorted({f.message.split(":")[0] for f in result.findings}) == [
        'module.roles["app"].aws_iam_role.this',
        'module.roles["site"].aws_iam_role.this',
    ]


def test_an_unknown_remote_module_over_a_value_not_given_stays_a_note(tmp_path: Path) -> None:
    text = (
        'variable "repos" {\n  type = map(string)\n}\n'
        'module "m" {\n  source = "acme/other/aws"\n  for_each = var.repos\n}\n'
    )
    result = _scan(tmp_path, text)
    assert result.unread == ()
    assert result.notes == ("module.m: its count or for_each is not known; not read",)


@pytest.mark.parametrize(("version", "read"), [("~> 6.0", False), ("~> 5.0", True)])
def test_a_wrapped_module_over_a_value_not_given_is_judged_by_its_version(
    tmp_path: Path, version: str, read: bool
) -> None:
    """A local module wrapping iam-github-oidc-role, called over a value not given: for
    6.x (which has no such submodule) it creates nothing keyless reads, a note; for 5.x
    it creates a role, unread."""
    (tmp_path / "wrap").mkdir()
    (tmp_path / "wrap" / "main.tf").write_text(
        'module "gh" {\n'
        '  source   = "terraform-aws-modules/iam/aws//modules/iam-github-oidc-role"\n'
        f'  version  = "{version}"\n'
        '  subjects = ["acme/app:*"]\n'
        "}\n"
    )
    text = (
        'variable "n" {\n  type = number\n}\n'
        'module "m" {\n  source = "./wrap"\n  count = var.n\n}\n'
    )
    result = _scan(tmp_path, text)
    assert bool(result.unread) is read
    assert bool(result.notes) is not read


OPTIONAL_ROLES = """
variable "roles" {
  type = map(object({
    subjects    = list(string)
    environment = optional(string)
  }))
  default = {
    ci     = { subjects = ["repo:acme/app:*"] }
    deploy = { subjects = [], environment = "prod" }
  }
}
data "aws_iam_policy_document" "trust" {
  for_each = var.roles
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values = (each.value.environment == null ? each.value.subjects
      : ["repo:acme/app:environment:${each.value.environment}"])
    }
  }
}
resource "aws_iam_role" "r" {
  for_each           = var.roles
  assume_role_policy = data.aws_iam_policy_document.trust[each.key].json
}
"""


def test_roles_of_a_map_whose_objects_omit_an_optional_attribute_are_judged(
    tmp_path: Path,
) -> None:
    """``optional(string)`` without a default is null where the object omits it."""
    result = _scan(tmp_path, PROVIDER + OPTIONAL_ROLES)
    assert result.unread == ()
    assert sorted(f.message for f in result.findings) == [
        f'aws_iam_role.r["ci"]: {PULL_REQUEST}',
        f'aws_iam_role.r["ci"]: {BRANCH}',
    ]


@pytest.mark.parametrize(
    ("module", "unread"),
    [
        ('resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n', False),  # no IAM: a note
        # a module it calls declares a role: not read
        ('module "inner" {\n  source = "../role"\n  repo = "acme/app"\n}\n', True),
        # it calls a remote module keyless reads
        (
            'module "inner" {\n  source = "unfunco/oidc-github/aws"\n  version = "1.8.1"\n'
            '  github_repositories = ["acme/app"]\n}\n',
            True,
        ),
        ('module "inner" {\n  source = "acme/bucket/aws"\n}\n', False),
    ],
)
def test_a_module_over_a_value_not_given_is_not_read_only_if_it_may_create_iam(
    tmp_path: Path, module: str, unread: bool
) -> None:
    (tmp_path / "role").mkdir()
    (tmp_path / "role" / "main.tf").write_text(ROLE_MODULE)
    (tmp_path / "wrapper").mkdir()
    (tmp_path / "wrapper" / "main.tf").write_text(module)
    text = (
        'variable "envs" {\n  type = map(string)\n}\n'
        'module "w" {\n  source = "./wrapper"\n  for_each = var.envs\n}\n'
    )
    result = _scan(tmp_path, text)
    assert bool(result.unread) is unread
    assert bool(result.notes) is not unread


def test_a_module_over_a_value_not_given_calling_a_role_past_the_bound_is_not_read(
    tmp_path: Path,
) -> None:
    """A chain of local modules deeper than keyless follows is deployable (Terraform sets
    no bound): a role at its end may be created, so the call is not read, never a note."""
    for level in range(20):
        (tmp_path / f"m{level}").mkdir()
        (tmp_path / f"m{level}" / "main.tf").write_text(
            f'module "next" {{\n  source = "../m{level + 1}"\n}}\n'
        )
    (tmp_path / "m20").mkdir()
    (tmp_path / "m20" / "main.tf").write_text(ROLE_MODULE)
    text = (
        'variable "envs" {\n  type = map(string)\n}\n'
        'module "w" {\n  source = "./m0"\n  for_each = var.envs\n}\n'
    )
    result = _scan(tmp_path, text)
    assert result.notes == ()
    assert [u.reason.split(":")[0] for u in result.unread] == ["module.w"]
