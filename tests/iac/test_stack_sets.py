"""An AWS::CloudFormation::StackSet's inline TemplateBody is read as a template of its
own: its roles are judged, named and placed as inside the StackSet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from keyless.findings import FileLocation
from keyless.iac.scan import scan

GITHUB = "token.actions.githubusercontent.com"
ROLE = {
    "Type": "AWS::IAM::Role",
    "Properties": {
        "RoleName": "deploy",
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {
                        "Federated": {
                            "Fn::Sub": f"arn:aws:iam::${{AWS::AccountId}}:oidc-provider/{GITHUB}"
                        }
                    },
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"},
                        "StringLike": {f"{GITHUB}:sub": {"Ref": "Subject"}},
                    },
                }
            ],
        },
    },
}
INNER = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Parameters": {"Subject": {"Type": "String", "Default": "repo:acme/app:ref:refs/heads/main"}},
    "Resources": {"DeployRole": ROLE},
}

YAML_OUTER = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  OrgRoles:
    Type: AWS::CloudFormation::StackSet
    Properties:
      StackSetName: org-roles
      PermissionModel: SERVICE_MANAGED
{parameters}
      TemplateBody: |
{body}
"""


def _yaml_outer(tmp_path: Path, inner: str, parameters: str = "") -> Path:
    body = "\n".join("        " + line for line in inner.splitlines())
    path = tmp_path / "stackset.yaml"
    path.write_text(YAML_OUTER.format(body=body, parameters=parameters))
    return path


def _checks(path: Path) -> list[tuple[str, str, int]]:
    result = scan([path])
    return sorted(
        (f.check, str(f.evidence["address"]), f.location.line)
        for f in result.findings
        if isinstance(f.location, FileLocation)
    )


def test_a_stack_sets_yaml_body_is_judged_inside_the_stack_set(tmp_path: Path) -> None:
    inner = json.dumps(INNER, indent=2).replace(
        '"Default": "repo:acme/app:ref:refs/heads/main"', '"Default": "repo:acme/*"'
    )
    path = _yaml_outer(tmp_path, inner)
    found = _checks(path)
    assert found
    assert {address for _, address, _ in found} == {"DeployRole (in StackSet OrgRoles)"}
    assert "trust-oidc-broad-subject" in {check for check, _, _ in found}
    # placed at the StackSet's TemplateBody, not at the body's own lines
    assert {line for _, _, line in found} == {11}


def test_a_stack_sets_parameters_reach_its_body(tmp_path: Path) -> None:
    inner = json.dumps(INNER, indent=2)
    parameters = "      Parameters:\n        - ParameterKey: Subject\n          ParameterValue: '*'"
    assert _checks(_yaml_outer(tmp_path, inner)) == []  # the default is tight
    assert "trust-oidc-any-tenant" in {
        c for c, _, _ in _checks(_yaml_outer(tmp_path, inner, parameters))
    }


def test_a_yaml_body_inside_a_json_template_is_read(tmp_path: Path) -> None:
    inner_yaml = (
        "Resources:\n  Keys:\n    Type: AWS::IAM::AccessKey\n    Properties:\n      UserName: ci\n"
    )
    outer = {
        "Resources": {
            "Sets": {
                "Type": "AWS::CloudFormation::StackSet",
                "Properties": {"StackSetName": "s", "TemplateBody": inner_yaml},
            }
        }
    }
    path = tmp_path / "template.json"
    path.write_text(json.dumps(outer, indent=2))
    assert _checks(path) == [("iac-access-key", "Keys (in StackSet Sets)", 3)]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("Resources: [unclosed", "malformed YAML"),
        ("just: text", "not a CloudFormation template"),
        (
            "Resources:\n  X:\n    Type: AWS::S3::Bucket\n# " + "x" * 52_000,
            "larger than the 51,200",
        ),
    ],
)
def test_an_unreadable_body_is_reported_unread_not_clean(
    tmp_path: Path, body: str, reason: str
) -> None:
    path = _yaml_outer(tmp_path, body)
    result = scan([path])
    (unread,) = result.unread
    assert unread.reason.startswith("OrgRoles.TemplateBody: ")
    assert reason in unread.reason


def test_a_body_built_from_an_unknown_value_is_reported_unread(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        "Parameters:\n  Body:\n    Type: String\nResources:\n  S:\n"
        "    Type: AWS::CloudFormation::StackSet\n    Properties:\n      TemplateBody: !Ref Body\n"
    )
    (unread,) = scan([path]).unread
    assert "not known from the template alone" in unread.reason


def test_a_template_url_is_not_read_and_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        "Resources:\n  S:\n    Type: AWS::CloudFormation::StackSet\n    Properties:\n"
        "      TemplateURL: https://s3.amazonaws.com/b/t.yaml\n"
    )
    result = scan([path])
    assert result.unread == () or list(result.unread) == []
    assert list(result.findings) == []


def test_a_false_condition_inside_a_body_is_noted_at_the_stack_set(tmp_path: Path) -> None:
    inner = (
        "Parameters:\n  Make:\n    Type: String\n    Default: 'no'\n"
        "Conditions:\n  Wanted: !Equals [!Ref Make, 'yes']\n"
        "Resources:\n  Keys:\n    Type: AWS::IAM::AccessKey\n    Condition: Wanted\n"
        "    Properties:\n      UserName: ci\n"
    )
    path = _yaml_outer(tmp_path, inner)
    result = scan([path])
    assert list(result.findings) == []
    (note,) = [n for n in result.notes if "Keys is not created" in n]
    assert note.startswith(f"{path}:5:")  # the StackSet's line, not the body's
    assert note.endswith("(in StackSet OrgRoles)")


def test_a_false_condition_inside_a_body_names_the_stack_sets_parameters(
    tmp_path: Path,
) -> None:
    """The body's parameters are the StackSet's (else their defaults): --parameter sets
    the outer template's and does not reach them, so the note does not offer it (it said
    "--parameter judges another deployment")."""
    inner = (
        "Parameters:\n  Make:\n    Type: String\n    Default: 'no'\n"
        "Conditions:\n  Wanted: !Equals [!Ref Make, 'yes']\n"
        "Resources:\n  Keys:\n    Type: AWS::IAM::AccessKey\n    Condition: Wanted\n"
        "    Properties:\n      UserName: ci\n"
    )
    path = _yaml_outer(tmp_path, inner)
    result = scan([path], parameters={"Make": "yes"})
    assert result.findings == ()
    (note,) = [n for n in result.notes if "Keys is not created" in n]
    assert "--parameter" not in note
    assert "(the StackSet's Parameters give them, else their defaults)" in note


def test_a_stack_set_whose_condition_is_false_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        "Conditions:\n  Never: !Equals [a, b]\nResources:\n  S:\n"
        "    Type: AWS::CloudFormation::StackSet\n    Condition: Never\n    Properties:\n"
        "      TemplateBody: 'Resources: [broken'\n"
    )
    result = scan([path])
    assert list(result.unread) == []
    assert any("S is not created" in n for n in result.notes)


def _nested(inner_body: str) -> dict[str, object]:
    """A JSON template whose StackSet Outer's body declares StackSet Inner (body given)."""
    middle = {
        "Resources": {
            "Inner": {
                "Type": "AWS::CloudFormation::StackSet",
                "Properties": {"StackSetName": "inner", "TemplateBody": inner_body},
            }
        }
    }
    return {
        "Resources": {
            "Outer": {
                "Type": "AWS::CloudFormation::StackSet",
                "Properties": {"StackSetName": "outer", "TemplateBody": json.dumps(middle)},
            }
        }
    }


def test_a_stack_set_inside_a_stack_set_names_both_once(tmp_path: Path) -> None:
    body = (
        "Resources:\n  Keys:\n    Type: AWS::IAM::AccessKey\n    Properties:\n      UserName: ci\n"
    )
    path = tmp_path / "template.json"
    path.write_text(json.dumps(_nested(body), indent=2))
    # placed at the outer StackSet, the only lines the file has
    assert _checks(path) == [("iac-access-key", "Keys (in StackSet Outer/Inner)", 3)]


def test_notes_and_unread_bodies_inside_nested_stack_sets_name_both_once(tmp_path: Path) -> None:
    body = (
        "Conditions:\n  Never: !Equals [a, b]\nResources:\n  Keys:\n"
        "    Type: AWS::IAM::AccessKey\n    Condition: Never\n    Properties:\n      UserName: ci\n"
    )
    path = tmp_path / "template.json"
    path.write_text(json.dumps(_nested(body), indent=2))
    (note,) = [n for n in scan([path]).notes if "Keys is not created" in n]
    assert note.startswith(f"{path}:3:")  # the outer StackSet's line
    assert note.endswith("their defaults) (in StackSet Outer/Inner)")
    path.write_text(json.dumps(_nested("Resources: [unclosed"), indent=2))
    (unread,) = scan([path]).unread
    assert unread.reason.startswith("Inner.TemplateBody: malformed YAML")
    assert unread.reason.endswith(" (in StackSet Outer)")
    assert unread.reason.count("in StackSet") == 1
