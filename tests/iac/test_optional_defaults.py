"""An object type's ``optional(T, default)`` attribute that a variable's value lacks, or
holds as null, takes the default converted to ``T`` (HCL's ``typeexpr.Defaults``), as
``terraform console`` shows (skipped without terraform): a role per entry of a map whose
``branch = optional(string, "main")`` is judged on ``main``, not left unjudged."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.scan import scan
from keyless.iac.values import Node, plain
from tests.iac.conftest import TERRAFORM, terraform_console
from tests.iac.support import role_trust, variable_blocks

# (type, value, the value terraform console gives the variable)
DEFAULTS = [
    ('object({ subjects = optional(string, "x") })', "{}", {"subjects": "x"}),
    ('list(object({ subjects = optional(string, "x") }))', "[{}]", [{"subjects": "x"}]),
    (
        'object({ subjects = optional(string, "repo:acme/app:*") })',
        "{ subjects = null }",
        {"subjects": "repo:acme/app:*"},
    ),
    (
        'object({ a = optional(object({ b = optional(string, "y") }), {}) })',
        "{}",
        {"a": {"b": "y"}},
    ),
    ("object({ a = optional(string, 5) })", "{}", {"a": "5"}),
    ('object({ a = optional(list(string), ["p", 1]) })', "{ a = null }", {"a": ["p", "1"]}),
    (
        'map(object({ repo = string, branch = optional(string, "main") }))',
        '{ deploy = { repo = "acme/app" }, other = { repo = "acme/x", branch = "dev" } }',
        {
            "deploy": {"branch": "main", "repo": "acme/app"},
            "other": {"branch": "dev", "repo": "acme/x"},
        },
    ),
    (
        'object({ a = optional(object({ b = optional(string, "y"), c = optional(number) }), '
        "{ c = 1 }) })",
        "{}",
        {"a": {"b": "y", "c": 1}},
    ),
    ("object({ a = optional(bool, true) })", "{ a = false }", {"a": False}),
]


def _trust(tmp_path: Path, cases: list[tuple[str, str]], value: str) -> Node:
    return role_trust(tmp_path, value, variable_blocks(cases))


@pytest.mark.parametrize(("type_", "default", "expected"), DEFAULTS)
def test_a_missing_or_null_optional_attribute_takes_its_default(
    tmp_path: Path, type_: str, default: str, expected: object
) -> None:
    assert plain(_trust(tmp_path, [(type_, default)], "{ v = var.v0 }")) == {"v": expected}


@pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on this machine")
def test_keyless_fills_defaults_as_terraform_console_does(tmp_path: Path) -> None:
    cases = [(type_, default) for type_, default, _ in DEFAULTS]
    names = ", ".join(f"var.v{i}" for i in range(len(cases)))
    (tmp_path / "terraform").mkdir()
    (tmp_path / "terraform" / "main.tf").write_text(variable_blocks(cases))
    expected = terraform_console(tmp_path / "terraform", f"[{names}]")
    assert expected == [value for _, _, value in DEFAULTS]
    (tmp_path / "keyless").mkdir()
    assert plain(_trust(tmp_path / "keyless", cases, f"{{ v = [{names}] }}")) == {"v": expected}


ROLES = """
variable "roles" {
  type = map(object({ repo = string, branch = optional(string, "main") }))
  default = {
    deploy  = { repo = "acme/app" }
    preview = { repo = "acme/app", branch = "*" }
  }
}
locals {
  gh       = "token.actions.githubusercontent.com"
  provider = "arn:aws:iam::111122223333:oidc-provider/${local.gh}"
}
resource "aws_iam_role" "gh" {
  for_each = var.roles
  name     = each.key
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = local.provider }
      Condition = {
        StringEquals = { "${local.gh}:aud" = "sts.amazonaws.com" }
        StringLike = {
          "${local.gh}:sub" = "repo:${each.value.repo}:ref:refs/heads/${each.value.branch}"
        }
      }
    }]
  })
}
"""


def test_roles_built_from_a_map_with_a_defaulted_branch_are_judged(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(ROLES)
    result = scan([tmp_path])
    assert not result.unread
    flagged = {str(f.evidence["address"]) for f in result.findings}
    assert flagged == {'aws_iam_role.gh["preview"]'}
