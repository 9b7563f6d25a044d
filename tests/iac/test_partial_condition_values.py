"""A condition value no stand-in can fill (a data source's attribute keyless does not
read, ``${data.tfe_organization.org.external_id}``) in a list of an ``Allow``'s union
operator (``StringLike``, ``StringEquals``, ``ArnLike``…) is judged as one of its
siblings: another value of such a list only adds requests the condition admits
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html),
so what the other values admit holds whatever it is. Before, the whole role was only not
judged (exit 3): HCP Terraform's public example of an organization-wide `sub` beside
one built from the organization's ID went unreported. The role is still not judged (exit
3). A ``Not`` operator's value, or a ``Deny``'s, is never replaced: without it more would
seem allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.scan import scan

ROLE = """\
variable "tfe_org" {{
  type = string
}}

data "tfe_organization" "org" {{
  name = var.tfe_org
}}

resource "aws_iam_role" "tfc" {{
  name = "tfc"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "{effect}"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = {{ Federated = "arn:aws:iam::111122223333:oidc-provider/app.terraform.io" }}
      Condition = {{
        StringEquals = {{ "app.terraform.io:aud" = "aws.workload.identity" }}
        {operator} = {{
          "app.terraform.io:sub" = [
            "organization:${{var.tfe_org}}:*",
            "organization:${{data.tfe_organization.org.external_id}}:*",
          ]
        }}
      }}
    }}]
  }})
}}
"""


def test_the_other_values_are_judged_and_the_role_not_judged(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(ROLE.format(effect="Allow", operator="StringLike"))
    result = scan([tmp_path])
    checks = {f.check for f in result.findings}
    assert "trust-oidc-broad-subject" in checks
    for finding in result.findings:
        notes = finding.evidence["stand_ins"]
        assert isinstance(notes, list)
        assert any(
            "/Statement/0/Condition/StringLike/app.terraform.io:sub/1" in str(n) for n in notes
        )
    (unread,) = result.unread
    assert unread.reason.startswith("aws_iam_role.tfc: trust policy not judged")
    assert result.exit_code() == 3


@pytest.mark.parametrize(
    ("effect", "operator"), [("Allow", "StringNotLike"), ("Deny", "StringLike")]
)
def test_a_negated_operator_or_a_deny_is_never_narrowed(
    tmp_path: Path, effect: str, operator: str
) -> None:
    (tmp_path / "main.tf").write_text(ROLE.format(effect=effect, operator=operator))
    result = scan([tmp_path])
    assert not result.findings
    assert result.unread
    assert result.exit_code() == 3
