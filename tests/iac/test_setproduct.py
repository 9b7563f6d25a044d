"""``setproduct``, which writes one subject per repository and branch
(``[for p in setproduct(var.repos, var.branches) : "repo:${p[0]}:ref:refs/heads/${p[1]}"]``),
is evaluated as Terraform does (compared with ``terraform console``, skipped without
terraform): the role built from it is judged, where it was not."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.scan import scan
from keyless.iac.values import Node, plain, unknowns
from tests.iac.conftest import TERRAFORM, terraform_console
from tests.iac.support import role_trust

# (expression, the value terraform console gives for it); lists only: of a set, Terraform
# orders the pairs as a set
PRODUCTS = [
    ('setproduct(["b", "a"], ["y", "x"])', [["b", "y"], ["b", "x"], ["a", "y"], ["a", "x"]]),
    ('setproduct(["a"], [])', []),
    ('setproduct(["a", "a"], ["x"])', [["a", "x"], ["a", "x"]]),
    ('setproduct(["a"], [1, "x"])', [["a", "1"], ["a", "x"]]),
    ('setproduct(["a"], [["x"]])', [["a", ["x"]]]),
    ('setproduct(["a"], ["x"], [1, 2])', [["a", "x", 1], ["a", "x", 2]]),
    ("setproduct([1], [true])", [[1, True]]),
    (
        '[for p in setproduct(["acme/app", "acme/web"], ["main", "release"]) :'
        ' "repo:${p[0]}:ref:refs/heads/${p[1]}"]',
        [
            "repo:acme/app:ref:refs/heads/main",
            "repo:acme/app:ref:refs/heads/release",
            "repo:acme/web:ref:refs/heads/main",
            "repo:acme/web:ref:refs/heads/release",
        ],
    ),
]


def _value(tmp_path: Path, expression: str) -> Node:
    return role_trust(tmp_path, f"{{ v = {expression} }}")


@pytest.mark.parametrize(("expression", "expected"), PRODUCTS)
def test_setproduct_is_evaluated(tmp_path: Path, expression: str, expected: object) -> None:
    assert plain(_value(tmp_path, expression)) == {"v": expected}


@pytest.mark.parametrize(
    "expression",
    ['setproduct(["a"])', 'setproduct({ a = 1 }, ["x"])', "setproduct([1, true], [2])"],
)
def test_what_terraform_refuses_is_unknown(tmp_path: Path, expression: str) -> None:
    assert list(unknowns(_value(tmp_path, expression)))


@pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on this machine")
def test_keyless_evaluates_setproduct_as_terraform_console_does(tmp_path: Path) -> None:
    expressions = ", ".join(expression for expression, _ in PRODUCTS)
    (tmp_path / "terraform").mkdir()
    expected = terraform_console(tmp_path / "terraform", f"[{expressions}]")
    assert expected == [value for _, value in PRODUCTS]
    (tmp_path / "keyless").mkdir()
    assert plain(_value(tmp_path / "keyless", f"[{expressions}]")) == {"v": expected}


ROLE = """
variable "repos" { default = ["acme/app", "acme/web"] }
variable "branches" { default = ["main", "release/*"] }
locals {
  gh = "token.actions.githubusercontent.com"
}
resource "aws_iam_role" "deploy" {
  name = "deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/${local.gh}" }
      Condition = {
        StringEquals = { "${local.gh}:aud" = "sts.amazonaws.com" }
        StringLike = {
          "${local.gh}:sub" = [
            for p in setproduct(var.repos, var.branches) : "repo:${p[0]}:ref:refs/heads/${p[1]}"
          ]
        }
      }
    }]
  })
}
"""


def test_a_role_trusting_each_repository_and_branch_is_judged(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(ROLE)
    result = scan([tmp_path])
    assert result.unread == ()
    assert {f.check for f in result.findings} == {"trust-oidc-untrusted-trigger"}
