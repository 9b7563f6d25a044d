"""What a template leaves to a transform keyless does not run (a macro, AWS::Include, an
AWS::LanguageExtensions loop) is reported as not read, never as clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.scan import scan

ROLE = """\
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: sts:AssumeRole
            Principal:
              Service: lambda.amazonaws.com
"""


def _unread(tmp_path: Path, template: str) -> list[str]:
    path = tmp_path / "template.yaml"
    path.write_text(template)
    return [u.reason for u in scan([path]).unread]


@pytest.mark.parametrize(
    ("transform", "says"),
    [
        ("Transform: [OrgRoles]", "Transform OrgRoles at line 1: a macro rewrites the template"),
        (
            "Transform:\n  - AWS::Serverless-2016-10-31\n  - Name: AWS::Include\n"
            "    Parameters:\n      Location: s3://bucket/roles.yaml",
            "Transform AWS::Include at line 3: the snippet it inserts (kept in S3) is not read",
        ),
        ("Transform: {Ref: Macro}", "Transform at line 1: not a name keyless knows"),
    ],
)
def test_a_transform_that_may_write_resources_is_reported(
    tmp_path: Path, transform: str, says: str
) -> None:
    (reason,) = _unread(tmp_path, f"{transform}\nResources:\n  Fn:\n{ROLE}")
    assert reason.startswith(says)


@pytest.mark.parametrize(
    "transform",
    [
        "AWS::Serverless-2016-10-31",
        "AWS::LanguageExtensions",
        "[AWS::LanguageExtensions, AWS::Serverless-2016-10-31]",
    ],
)
def test_aws_transforms_keyless_reads_around_are_not_reported(
    tmp_path: Path, transform: str
) -> None:
    assert _unread(tmp_path, f"Transform: {transform}\nResources:\n  Fn:\n{ROLE}") == []


OPEN = """\
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: sts:AssumeRole
            Principal:
              AWS: !Ref Who
"""


def _loop(collection: str, body: str = OPEN) -> str:
    fragment = "".join("      " + line + "\n" for line in body.splitlines())
    return (
        "Transform: AWS::LanguageExtensions\n"
        "Parameters:\n  Accounts:\n    Type: CommaDelimitedList\n"
        "    Default: '111122223333, 444455556666'\n  Later:\n    Type: CommaDelimitedList\n"
        f"Resources:\n  Fn::ForEach::Roles:\n    - Who\n    - {collection}\n"
        "    - Role${Who}:\n" + fragment
    )


def test_a_loop_of_roles_is_written_out_and_judged(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(_loop("!Ref Accounts"))
    result = scan([path])
    assert result.unread == ()
    assert {
        f.message for f in result.findings if f.check == "trust-cross-account-no-external-id"
    } == {
        f"Role{account}: account {account} can assume it without an external ID"
        for account in ("111122223333", "444455556666")
    }


NESTED = """\
Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Roles:
    - Who
    - [a, b]
    - Fn::ForEach::Inner:
        - X
        - [c]
        - Role${Who}${X}:
            Type: AWS::IAM::Role
"""


@pytest.mark.parametrize(
    "template",
    [_loop("!Ref Later"), NESTED],  # a parameter without a value; a loop inside a loop
)
def test_a_loop_keyless_cannot_write_out_is_reported(tmp_path: Path, template: str) -> None:
    (reason,) = _unread(tmp_path, template)
    assert reason.startswith("Resources.Fn::ForEach::Roles at line ")
    assert "loop creates are not read" in reason


def test_a_loop_of_buckets_is_not_reported(tmp_path: Path) -> None:
    buckets = (
        "Transform: AWS::LanguageExtensions\nResources:\n  Fn::ForEach::Buckets:\n"
        "    - Name\n    - !Ref Names\n    - ${Name}Bucket:\n        Type: AWS::S3::Bucket\n"
    )
    assert _unread(tmp_path, buckets) == []


def test_resources_inserted_by_fn_transform_are_reported(tmp_path: Path) -> None:
    template = (
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Fn::Transform:\n"
        "    Name: AWS::Include\n    Parameters:\n      Location: s3://bucket/roles.yaml\n"
    )
    (reason,) = _unread(tmp_path, template)
    assert reason.startswith("Resources.Fn::Transform at line 3")


def test_a_nested_stack_is_named_in_a_note(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Roles:\n"
        "    Type: AWS::Serverless::Application\n    Properties:\n      Location: ./roles.yaml\n"
    )
    result = scan([path])
    assert result.notes == (
        f"{path}:3:3: Roles (AWS::Serverless::Application): nested stack not read here; "
        "its template is judged only when scanned",
    )


def test_a_cdk_nested_stack_names_its_template(tmp_path: Path) -> None:
    path = tmp_path / "App.template.json"
    path.write_text(
        '{"Resources": {"Nested": {"Type": "AWS::CloudFormation::Stack", '
        '"Properties": {"TemplateURL": "https://s3/x"}, "Metadata": '
        '{"aws:cdk:path": "App/Nested.NestedStack/Nested.NestedStackResource", '
        '"aws:asset:path": "AppNested1234.nested.template.json"}}}}'
    )
    (note,) = scan([path]).notes
    assert "its template, AppNested1234.nested.template.json, is judged only when" in note


INCLUDE = """\
Fn::Transform:
  Name: AWS::Include
  Parameters:
    Location: s3://bucket/snippet.yaml
"""


def _indented(text: str, spaces: int) -> str:
    return "".join(" " * spaces + line for line in text.splitlines(keepends=True))


@pytest.mark.parametrize(
    ("name", "declaration"),
    [
        ("CiUser", _indented(INCLUDE, 4)),
        ("Role", "    Type: AWS::IAM::Role\n" + _indented(INCLUDE, 4)),
        ("Role", "    Type: AWS::IAM::Role\n    Properties:\n" + _indented(INCLUDE, 6)),
        ("Key", "    Type: AWS::IAM::AccessKey\n    Properties:\n" + _indented(INCLUDE, 6)),
    ],
)
def test_a_resource_written_by_fn_transform_is_reported(
    tmp_path: Path, name: str, declaration: str
) -> None:
    """AWS::Include may stand anywhere but in Parameters: for a resource's whole
    declaration (its Type too) or its Properties, which keyless does not read."""
    template = f"Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n  {name}:\n{declaration}"
    (reason,) = _unread(tmp_path, template)
    assert reason.startswith(f"Resources.{name} at line 4: ")
    assert "Fn::Transform" in reason


def test_a_bucket_whose_properties_fn_transform_writes_is_not_reported(tmp_path: Path) -> None:
    bucket = "    Type: AWS::S3::Bucket\n    Properties:\n" + _indented(INCLUDE, 6)
    assert _unread(tmp_path, f"Resources:\n  Bucket:\n{bucket}") == []
