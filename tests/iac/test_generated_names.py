"""A ``Ref`` or ``Fn::GetAtt … Arn`` of a role whose name CloudFormation generates — the
role SAM generates for a function (``<Function>Role``) or an ``AWS::IAM::Role`` without a
``RoleName`` — is that role of the deploying account, shown with a stand-in name: what is
built from it is judged, not left unknown."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.engine import ScanResult
from keyless.iac.read import read_paths
from keyless.iac.scan import scan
from keyless.iac.values import plain

SAM = "Transform: AWS::Serverless-2016-10-31\n"
FUNCTION = """\
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
{role}"""
PLAIN_ROLE = """\
  FnRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Action: sts:AssumeRole
            Principal: {Service: lambda.amazonaws.com}
"""
TRUSTING = """\
  Target:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: sts:AssumeRole
            Principal:
              AWS: {principal}
{condition}"""
ANY_ACCOUNT = """\
            Condition:
              StringLike:
                aws:PrincipalArn: !Sub "arn:aws:iam::*:role/${FnRole}"
"""


def _scan(tmp_path: Path, template: str) -> ScanResult:
    (tmp_path / "template.yaml").write_text(template)
    return scan([tmp_path])


@pytest.mark.parametrize(
    "head",
    [
        SAM + "Resources:\n" + FUNCTION.format(role=""),
        # a Role that may be AWS::NoValue leaves SAM generating one
        "Conditions:\n  Own: !Equals [a, b]\n"
        + SAM
        + "Resources:\n"
        + FUNCTION.format(
            role="      Role: !If [Own, arn:aws:iam::111122223333:role/r, !Ref AWS::NoValue]\n"
        ),
        # CloudFormation names a role declared without RoleName
        "Resources:\n" + PLAIN_ROLE,
        # SAM generates one for a state machine without a Role too
        SAM
        + "Resources:\n  Fn:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n"
        + "      DefinitionUri: sm.json\n",
    ],
)
def test_a_role_trusting_the_generated_role_is_judged(tmp_path: Path, head: str) -> None:
    template = head + TRUSTING.format(principal="!GetAtt FnRole.Arn", condition="")
    result = _scan(tmp_path, template)
    assert result.unread == ()
    assert result.findings == ()


def test_the_generated_name_is_judged_and_said(tmp_path: Path) -> None:
    template = (
        SAM
        + "Resources:\n"
        + FUNCTION.format(role="")
        + TRUSTING.format(principal='"*"', condition=ANY_ACCOUNT)
    )
    result = _scan(tmp_path, template)
    assert result.unread == ()
    (finding,) = result.findings
    assert finding.check == "trust-anyone"
    assert finding.witness is not None
    shown = str(finding.witness["principal"]).rsplit("/", 1)[1]
    assert shown.startswith("FnRole-")
    assert finding.evidence["stand_ins"] == [
        f"the name of the role the code creates (FnRole) is shown as {shown}"
    ]


def test_a_function_given_its_role_gets_none_from_sam(tmp_path: Path) -> None:
    template = (
        SAM
        + "Resources:\n"
        + FUNCTION.format(role="      Role: arn:aws:iam::111122223333:role/given\n")
        + TRUSTING.format(principal="!GetAtt FnRole.Arn", condition="")
    )
    (unread,) = _scan(tmp_path, template).unread
    assert "FnRole.Arn" in unread.reason
    assert "known only after deploy" in unread.reason


def test_the_role_path_sam_is_given_is_in_the_arn(tmp_path: Path) -> None:
    template = (
        SAM
        + "Resources:\n"
        + FUNCTION.format(role="      RolePath: /lambda/\n")
        + TRUSTING.format(principal="!GetAtt FnRole.Arn", condition="")
    )
    (tmp_path / "template.yaml").write_text(template)
    (target,) = (r for r in read_paths([tmp_path]).resources if r.address == "Target")
    assert target.trust is not None
    (statement,) = plain(target.trust)["Statement"]
    assert statement["Principal"]["AWS"].startswith("arn:aws:iam::000000000000:role/lambda/FnRole-")


def test_a_users_generated_name_is_not_shown_as_its_name(tmp_path: Path) -> None:
    """A key's message names its user: a stand-in would read as the user's real name."""
    template = (
        "Resources:\n  CiUser:\n    Type: AWS::IAM::User\n"
        "  CiKey:\n    Type: AWS::IAM::AccessKey\n    Properties:\n      UserName: !Ref CiUser\n"
    )
    result = _scan(tmp_path, template)
    key = next(f for f in result.findings if f.check == "iac-access-key")
    assert key.message == "CiKey creates an access key"
