"""An ``aws_iam_policy_document`` argument set to null is as if it were not written
(Terraform: "If you set an argument of a resource to null, Terraform behaves as though
you had completely omitted it"), so the provider's default applies: ``effect`` is
``Allow``, ``version`` ``2012-10-17``, and an absent ``sid`` or ``not_actions`` is left
out. Modules write ``effect = lookup(statement.value, "effect", null)`` for exactly this.
https://developer.hashicorp.com/terraform/language/expressions/types#null"""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.scan import scan

DOCUMENT = """
variable "statements" {
  type    = any
  default = [{ principals = [{ type = "AWS", identifiers = ["*"] }] }]
}
data "aws_iam_policy_document" "trust" {
  version = VERSION
  dynamic "statement" {
    for_each = var.statements
    content {
      sid         = lookup(statement.value, "sid", null)
      effect      = lookup(statement.value, "effect", null)
      actions     = lookup(statement.value, "actions", ["sts:AssumeRole"])
      not_actions = lookup(statement.value, "not_actions", null)
      dynamic "principals" {
        for_each = lookup(statement.value, "principals", [])
        content {
          type        = principals.value.type
          identifiers = principals.value.identifiers
        }
      }
    }
  }
}
resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
"""


@pytest.mark.parametrize("version", ["null", '"2012-10-17"'])
def test_arguments_set_to_null_take_the_providers_defaults(tmp_path: Path, version: str) -> None:
    (tmp_path / "main.tf").write_text(DOCUMENT.replace("VERSION", version))
    result = scan([tmp_path])
    assert result.unread == ()
    assert {f.check for f in result.findings} == {"trust-anyone"}


def test_a_statement_denying_by_its_effect_is_still_read(tmp_path: Path) -> None:
    text = DOCUMENT.replace("VERSION", "null").replace(
        '[{ principals = [{ type = "AWS", identifiers = ["*"] }] }]',
        '[{ principals = [{ type = "AWS", identifiers = ["*"] }], effect = "Deny" }]',
    )
    (tmp_path / "main.tf").write_text(text)
    result = scan([tmp_path])
    assert result.unread == ()
    assert result.findings == ()
