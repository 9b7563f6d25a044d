"""A CloudFormation stack Terraform deploys (``aws_cloudformation_stack``,
``aws_cloudformation_stack_set``) with its template written in ``template_body`` is read
as a template: its IAM users, keys and roles are judged under the stack's address, with
the stack's ``parameters``; a template in S3 (``template_url``) is a note, and a body
keyless cannot read is reported unread, never clean.
https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/cloudformation_stack"""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.scan import scan

YAML_BODY = """
resource "aws_cloudformation_stack" "users" {
  name       = "users"
  parameters = { Trusted = "*" }
  template_body = <<-EOT
    Parameters:
      Trusted:
        Type: String
        Default: "111122223333"
    Resources:
      CiUser:
        Type: AWS::IAM::User
      CiKey:
        Type: AWS::IAM::AccessKey
        Properties:
          UserName: !Ref CiUser
      Role:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Statement:
              - Effect: Allow
                Action: sts:AssumeRole
                Principal:
                  AWS: !Ref Trusted
  EOT
}
"""


def test_the_iam_resources_of_an_inline_template_are_judged(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(YAML_BODY)
    result = scan([tmp_path])
    assert result.unread == ()
    found = sorted((f.check, f.location.route) for f in result.findings if f.location)
    assert [check for check, _ in found] == ["iac-access-key", "iac-iam-user", "trust-anyone"]
    assert all(route.startswith("aws_cloudformation_stack.users.") for _, route in found)
    assert {f.location.line for f in result.findings if f.location} == {2}


def test_a_template_written_with_jsonencode_is_read(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_cloudformation_stack_set" "keys" {\n'
        '  name = "keys"\n'
        "  template_body = jsonencode({\n"
        '    Resources = { U = { Type = "AWS::IAM::User" } }\n'
        "  })\n"
        "}\n"
    )
    result = scan([tmp_path])
    assert [f.check for f in result.findings] == ["iac-iam-user"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("var.body", "the variable has no default"),
        ('"Resources: ["', "malformed YAML"),
    ],
)
def test_a_body_keyless_cannot_read_is_unread(tmp_path: Path, body: str, says: str) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "body" {\n  type = string\n}\n'
        f'resource "aws_cloudformation_stack" "s" {{\n  name = "s"\n  template_body = {body}\n}}\n'
    )
    result = scan([tmp_path])
    assert result.findings == ()
    (unread,) = result.unread
    assert unread.reason.startswith("aws_cloudformation_stack.s.template_body: ")
    assert says in unread.reason


def test_a_template_in_s3_is_a_note(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_cloudformation_stack" "s" {\n  name = "s"\n'
        '  template_url = "https://bucket.s3.amazonaws.com/users.yaml"\n}\n'
    )
    result = scan([tmp_path])
    assert result.unread == ()
    assert any("aws_cloudformation_stack.s: its template_url" in note for note in result.notes)


def test_a_resource_whose_type_is_not_known_is_unread(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "kind" {\n  type = string\n}\n'
        'resource "aws_cloudformation_stack" "s" {\n  name = "s"\n'
        "  template_body = jsonencode({ Resources = { U = { Type = var.kind } } })\n}\n"
    )
    result = scan([tmp_path])
    (unread,) = result.unread
    assert "the Type of U is not known" in unread.reason


def test_a_module_over_an_unknown_count_deploying_a_stack_is_unread(tmp_path: Path) -> None:
    (tmp_path / "stack").mkdir()
    (tmp_path / "stack" / "main.tf").write_text(YAML_BODY)
    (tmp_path / "main.tf").write_text(
        'variable "n" {\n  type = number\n}\n'
        'module "m" {\n  source = "./stack"\n  count  = var.n\n}\n'
    )
    result = scan([tmp_path / "main.tf"])
    assert result.notes == ()
    assert len(result.unread) == 1


def test_what_the_template_leaves_out_is_noted_at_the_stack(tmp_path: Path) -> None:
    """A resource the stack's parameters turn off and a nested stack are told, placed at
    the stack's block and named by the stack, as for a template scanned alone."""
    (tmp_path / "main.tf").write_text(
        'resource "aws_cloudformation_stack" "s" {\n'
        '  name       = "s"\n'
        '  parameters = { WithKey = "no" }\n'
        "  template_body = <<-EOT\n"
        "    Parameters:\n"
        "      WithKey:\n"
        "        Type: String\n"
        "    Conditions:\n"
        "      KeyWanted: !Equals [!Ref WithKey, 'yes']\n"
        "    Resources:\n"
        "      CiKey:\n"
        "        Type: AWS::IAM::AccessKey\n"
        "        Condition: KeyWanted\n"
        "        Properties:\n"
        "          UserName: ci\n"
        "      Inner:\n"
        "        Type: AWS::CloudFormation::Stack\n"
        "        Properties:\n"
        "          TemplateURL: https://example.com/inner.yaml\n"
        "  EOT\n"
        "}\n"
    )
    result = scan([tmp_path])
    assert result.findings == ()
    assert result.unread == ()
    where = f"{tmp_path / 'main.tf'}:1:1"
    assert sorted(result.notes) == [
        f"{where}: CiKey is not created: its condition KeyWanted is false with the "
        "parameters' values (the stack's parameters) "
        "(in aws_cloudformation_stack.s.template_body)",
        f"{where}: Inner (AWS::CloudFormation::Stack): nested stack not read here; its "
        "template is judged only when scanned (in aws_cloudformation_stack.s.template_body)",
    ]
