"""A CloudFormation user's console password and a stack output exposing a secret access
key exist only when the template, with its parameters' values, creates them: a
``LoginProfile`` that ``Fn::If`` replaces by ``AWS::NoValue`` (or that is ``AWS::NoValue``)
is not set, and an output whose ``Condition`` is false is not created. An undecided
condition still reports them.
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/pseudo-parameter-reference.html#cfn-pseudo-param-novalue
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/outputs-section-structure.html"""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.read import read_paths

TEMPLATE = """
Parameters:
  Console:
    Type: String
    AllowedValues: ["yes", "no"]
    Default: "no"
  Password:
    Type: String
    NoEcho: true
Conditions:
  WithConsole: !Equals [!Ref Console, "yes"]
  SomeRegion: !Equals [!Ref "AWS::Region", eu-west-1]
Resources:
  User:
    Type: AWS::IAM::User
    Properties:
      LoginProfile: LOGIN
  Key:
    Type: AWS::IAM::AccessKey
    Properties:
      UserName: !Ref User
Outputs:
  Secret:
    Condition: CONDITION
    Value: !GetAtt Key.SecretAccessKey
"""
PROFILE = "{Password: !Ref Password}"


def _kinds(tmp_path: Path, login: str, condition: str, given: dict[str, str]) -> list[str]:
    text = TEMPLATE.replace("LOGIN", login).replace("CONDITION", condition)
    (tmp_path / "template.yaml").write_text(text)
    model = read_paths([tmp_path], parameters=given)
    return sorted(r.address for r in model.resources)


@pytest.mark.parametrize(
    ("login", "given", "set_"),
    [
        (f"!If [WithConsole, {PROFILE}, !Ref AWS::NoValue]", {}, False),
        (f"!If [WithConsole, {PROFILE}, !Ref AWS::NoValue]", {"Console": "yes"}, True),
        (f"!If [SomeRegion, {PROFILE}, !Ref AWS::NoValue]", {}, True),  # undecided
        ("!Ref AWS::NoValue", {}, False),
        (PROFILE, {}, True),
    ],
)
def test_a_login_profile_the_template_leaves_out_is_not_reported(
    tmp_path: Path, login: str, given: dict[str, str], set_: bool
) -> None:
    found = _kinds(tmp_path, login, "SomeRegion", given)
    assert ("User.LoginProfile" in found) is set_
    assert "User" in found


@pytest.mark.parametrize(
    ("condition", "given", "exposed"),
    [
        ("WithConsole", {}, False),
        ("WithConsole", {"Console": "yes"}, True),
        ("SomeRegion", {}, True),  # undecided
    ],
)
def test_a_secret_output_whose_condition_is_false_is_not_reported(
    tmp_path: Path, condition: str, given: dict[str, str], exposed: bool
) -> None:
    found = _kinds(tmp_path, PROFILE, condition, given)
    assert ("Outputs.Secret" in found) is exposed


def test_an_output_not_created_is_named_in_a_note(tmp_path: Path) -> None:
    _kinds(tmp_path, PROFILE, "WithConsole", {})
    model = read_paths([tmp_path])
    assert any(
        "Outputs.Secret is not created: its condition WithConsole is false" in note
        for note in model.notes
    )


@pytest.mark.parametrize(
    "value",
    [
        "Fn::GetAtt: Key.SecretAccessKey",  # the long form with the short form's text
        "Fn::GetAtt: [Key, SecretAccessKey]",
        "!GetAtt Key.SecretAccessKey",
    ],
)
def test_a_secret_output_is_found_in_every_form_of_getatt(tmp_path: Path, value: str) -> None:
    """cfn-lint (E1010) accepts ``Fn::GetAtt: Key.SecretAccessKey`` as it reads the short
    form's ``!GetAtt Key.SecretAccessKey``: the secret is exposed alike."""
    text = TEMPLATE.replace("LOGIN", PROFILE).replace(
        "    Condition: CONDITION\n    Value: !GetAtt Key.SecretAccessKey\n",
        f"    Value:\n      {value}\n",
    )
    (tmp_path / "template.yaml").write_text(text)
    found = [r.address for r in read_paths([tmp_path]).resources]
    assert "Outputs.Secret" in found
