"""A value standing for what the code does not decide (the deploying account, its
organization, a partition taken to be ``aws``, an identifier known after deploy) may be
written into a trust policy, where AWS resolves it to the role's own; but a choice the code
makes on it (a condition, a comparison, a key looked up) would be made on the stand-in,
not on the account the code will be deployed to. Such a choice is unknown, so the policy it
shapes is not judged (exit 3). Before, ``account_id == "123456789012" ? "*" : …`` took the
stand-in's branch, and a role that trusts anyone in that account passed clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.scan import scan

TF_ROLE = """\
data "aws_caller_identity" "current" {{}}
data "aws_partition" "current" {{}}
data "aws_organizations_organization" "org" {{}}
locals {{
  account = data.aws_caller_identity.current.account_id
  own     = "arn:aws:iam::${{data.aws_caller_identity.current.account_id}}:root"
  by_account = {{
    "123456789012" = "*"
  }}
  # keyed by the account: which entry a literal key finds is a choice too
  keyed     = {{ (local.account) = "arn:aws:iam::111111111111:role/ci" }}
  for_keyed = {{ for a in [local.account] : a => "arn:aws:iam::111111111111:role/ci" }}
}}
resource "aws_iam_role" "r" {{
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = {{ AWS = {principal} }}
    }}]
  }})
}}
"""


@pytest.mark.parametrize(
    "principal",
    [
        'local.account == "123456789012" ? "*" : local.own',
        'local.account != "123456789012" ? local.own : "*"',
        'contains(["123456789012"], local.account) ? "*" : local.own',
        'startswith(local.account, "1234") ? "*" : local.own',
        "lookup(local.by_account, local.account, local.own)",
        "try(local.by_account[local.account], local.own)",
        'data.aws_partition.current.partition == "aws-cn" ? "*" : local.own',
        'data.aws_organizations_organization.org.id == "o-abcdefghij" ? "*" : local.own',
        '"%{ if local.account == "123456789012" }*%{ else }${local.own}%{ endif }"',
        'try(local.keyed["123456789012"], "*")',
        'lookup(local.for_keyed, "123456789012", "*")',
    ],
)
def test_a_terraform_choice_on_a_stand_in_is_not_made(tmp_path: Path, principal: str) -> None:
    (tmp_path / "main.tf").write_text(TF_ROLE.format(principal=principal))
    result = scan([tmp_path])
    assert result.findings == ()
    (unread,) = result.unread
    assert "aws_iam_role.r: trust policy not judged" in unread.reason
    assert "keyless stands in for" in unread.reason
    assert result.exit_code() == 3


def test_the_stand_in_written_into_the_policy_is_still_judged(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TF_ROLE.format(principal="local.own"))
    result = scan([tmp_path])
    assert result.findings == ()
    assert result.unread == ()
    assert result.exit_code() == 0


def test_the_length_of_a_list_holding_a_stand_in_still_decides(tmp_path: Path) -> None:
    # how many items a list has does not depend on what the stand-in is
    principal = 'length([local.account, "x"]) > 1 ? local.own : "*"'
    (tmp_path / "main.tf").write_text(TF_ROLE.format(principal=principal))
    result = scan([tmp_path])
    assert result.unread == ()
    assert result.exit_code() == 0


def test_a_choice_on_a_known_value_is_still_made(tmp_path: Path) -> None:
    principal = '"123456789012" == "123456789012" ? local.own : "*"'
    (tmp_path / "main.tf").write_text(TF_ROLE.format(principal=principal))
    result = scan([tmp_path])
    assert result.unread == ()
    assert result.exit_code() == 0


CFN_ROLE = """\
Parameters:
  Env:
    Type: String
    Default: dev
Mappings:
  Accounts:
    "123456789012":
      Principal: "*"
Conditions:
  IsProd: !Equals [{left}, {right}]
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Action: sts:AssumeRole
            Principal:
              AWS: {principal}
"""
OWN = '!Sub "arn:aws:iam::${AWS::AccountId}:root"'


@pytest.mark.parametrize(
    ("left", "right", "principal"),
    [
        ('!Ref "AWS::AccountId"', '"123456789012"', f'!If [IsProd, "*", {OWN}]'),
        ('"aws-cn"', '!Ref "AWS::Partition"', f'!If [IsProd, "*", {OWN}]'),
        ("!Ref Env", "prod", '!FindInMap [Accounts, !Ref "AWS::AccountId", Principal]'),
    ],
)
def test_a_cloudformation_choice_on_a_stand_in_is_not_made(
    tmp_path: Path, left: str, right: str, principal: str
) -> None:
    (tmp_path / "t.yaml").write_text(CFN_ROLE.format(left=left, right=right, principal=principal))
    result = scan([tmp_path])
    assert result.findings == ()
    (unread,) = result.unread
    assert "Role: trust policy not judged" in unread.reason
    assert result.exit_code() == 3


def test_a_cloudformation_choice_on_a_parameter_is_still_made(tmp_path: Path) -> None:
    template = CFN_ROLE.format(left="!Ref Env", right="prod", principal=f'!If [IsProd, "*", {OWN}]')
    (tmp_path / "t.yaml").write_text(template)
    result = scan([tmp_path])
    assert result.unread == ()
    assert result.exit_code() == 0
