"""``data "aws_organizations_organization"`` reads the organization the deploying account
belongs to ("the organization that the user's account belongs to",
https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/organizations_organization):
a trust statement pinned to its ``id`` (``aws:PrincipalOrgID``) is pinned to one
organization, judged as such with a stand-in ID, and no longer left *not judged*."""

from __future__ import annotations

from pathlib import Path

from keyless.iac.model import DEPLOYING_ORGANIZATION
from keyless.iac.scan import scan
from keyless.iac.trust import assess_file

ROLE = """\
data "aws_organizations_organization" "this" {{}}

resource "aws_iam_role" "org" {{
  name = "org-reader"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = {{ AWS = "{principal}" }}
      Condition = {{
        StringEquals = {{
          "aws:PrincipalOrgID" = data.aws_organizations_organization.this.{attribute}
        }}
      }}
    }}]
  }})
}}
"""


def _write(tmp_path: Path, principal: str = "*", attribute: str = "id") -> Path:
    path = tmp_path / "main.tf"
    path.write_text(ROLE.format(principal=principal, attribute=attribute))
    return path


def test_anyone_in_the_deploying_organization_is_judged_and_not_called_open(
    tmp_path: Path,
) -> None:
    _write(tmp_path)
    result = scan([tmp_path])
    assert not result.findings
    assert not result.unread
    assert result.exit_code() == 0


def test_an_account_trusted_within_the_organization_names_the_stand_in(tmp_path: Path) -> None:
    _write(tmp_path, principal="arn:aws:iam::210987654321:root")
    result = scan([tmp_path])
    (finding,) = result.findings
    assert finding.check == "trust-account-root-broad"
    assert f"in organization {DEPLOYING_ORGANIZATION}" in finding.message
    notes = finding.evidence["stand_ins"]
    assert isinstance(notes, list)
    assert f"the deploying account's organization is shown as {DEPLOYING_ORGANIZATION}" in notes
    assert not result.unread


def test_keyless_trust_on_the_file_agrees(tmp_path: Path) -> None:
    judged = assess_file(_write(tmp_path))
    (role,) = judged.roles
    assert not role.assessment.findings
    assert not judged.unread


def test_the_organization_s_other_attributes_are_read_at_plan_time(tmp_path: Path) -> None:
    _write(tmp_path, attribute="master_account_id")
    result = scan([tmp_path])
    (unread,) = result.unread
    assert "data.aws_organizations_organization.this.master_account_id" in unread.reason
    assert result.exit_code() == 3
