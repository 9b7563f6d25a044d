"""A trust policy with an ``Allow`` statement no stand-in can complete (a principal from a
parameter without a default, an organization ID read from Parameter Store) is judged without it:
a policy allows the union of its ``Allow`` statements less its ``Deny`` ones
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html),
so what the other statements admit holds whatever it says. Only the findings that hold for
any value are reported, and the role is still named as not judged (exit 3). Before, the
whole role was only not judged: a GitHub statement admitting pull requests beside it went
unreported. A ``Deny``, or a statement whose ``Effect`` is not known, is never left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.findings import FileLocation
from keyless.iac.scan import scan
from keyless.iac.trust import assess_file

PROVIDER = "arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com"
GITHUB = f"""\
          - Effect: Allow
            Action: sts:AssumeRoleWithWebIdentity
            Principal:
              Federated: !Sub {PROVIDER}
            Condition:
              StringEquals:
                token.actions.githubusercontent.com:aud: sts.amazonaws.com
              StringLike:
                token.actions.githubusercontent.com:sub: repo:acme/app:*
"""
ROOT = """\
          - Effect: {effect}
            Action: sts:AssumeRole
            Principal:
              AWS: !Ref AccountRoot
"""


def template(*statements: str) -> str:
    return (
        "Parameters:\n  AccountRoot:\n    Type: String\n  Effect:\n    Type: String\n"
        "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n"
        "      AssumeRolePolicyDocument:\n        Statement:\n" + "".join(statements)
    )


def test_what_the_other_statements_admit_is_found_and_the_role_not_judged(
    tmp_path: Path,
) -> None:
    path = tmp_path / "role.yaml"
    path.write_text(template(ROOT.format(effect="Allow"), GITHUB))
    result = scan([tmp_path])
    assert sorted(f.message for f in result.findings) == [
        "Role: a pull request can assume it",
        "Role: an unprotected branch can assume it",
    ]
    # placed at the GitHub statement's sub, the second statement as the code writes it
    line = (
        path.read_text()
        .splitlines()
        .index("                token.actions.githubusercontent.com:sub: repo:acme/app:*")
    )
    for finding in result.findings:
        assert isinstance(finding.location, FileLocation)
        assert finding.location.line == line + 1
        assert finding.location.route.startswith("Role#/Statement/1/Condition/")
        notes = finding.evidence["stand_ins"]
        assert isinstance(notes, list)
        assert any("judged without statement(s) 0" in str(n) for n in notes)
    (unread,) = result.unread
    assert unread.reason.startswith("Role: trust policy not judged: Ref AccountRoot")
    assert result.exit_code() == 3


@pytest.mark.parametrize("effect", ["Deny", "!Ref Effect"])
def test_a_deny_or_an_unknown_effect_is_never_left_out(tmp_path: Path, effect: str) -> None:
    (tmp_path / "role.yaml").write_text(template(ROOT.format(effect=effect), GITHUB))
    result = scan([tmp_path])
    assert not result.findings
    (unread,) = result.unread
    assert "Role: trust policy not judged" in unread.reason
    assert result.exit_code() == 3


def test_keyless_trust_on_the_file_agrees(tmp_path: Path) -> None:
    path = tmp_path / "role.yaml"
    path.write_text(template(GITHUB, ROOT.format(effect="Allow")))
    judged = assess_file(path)
    (role,) = judged.roles
    assert sorted(f.message for f in role.assessment.findings) == [
        "Role: a pull request can assume it",
        "Role: an unprotected branch can assume it",
    ]
    assert any("judged without statement(s) 1" in note for note in role.notes)
    (unread,) = judged.unread
    assert "Ref AccountRoot" in unread.reason


def test_an_organization_read_at_plan_time_leaves_its_statement_out(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        """\
data "aws_ssm_parameter" "org" {
  name = "/org/id"
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:acme/app:*"]
    }
  }
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalOrgID"
      values   = [data.aws_ssm_parameter.org.value]
    }
  }
}

resource "aws_iam_role" "gh" {
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
"""
    )
    result = scan([tmp_path])
    assert sorted(f.check for f in result.findings) == ["trust-oidc-untrusted-trigger"] * 2
    (unread,) = result.unread
    assert "data.aws_ssm_parameter.org" in unread.reason
