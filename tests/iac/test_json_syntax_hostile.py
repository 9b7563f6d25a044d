"""Hostile Terraform JSON configuration (``*.tf.json``): what Terraform refuses (a key
twice, a body that is not an object) is unread by JSON pointer; what is too deep, too large
or too long a number is unread or unknown, never a traceback and never clean."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from keyless.errors import InputError
from keyless.findings import FileLocation
from keyless.iac.scan import scan
from keyless.iac.trust import assess_file
from keyless.iac.values import unknowns
from tests.iac.support import ANYONE, json_role, only_trust, write_json


def test_a_key_twice_makes_the_file_unread_by_pointer(tmp_path: Path) -> None:
    text = '{"resource": {"aws_iam_role": {"r": {"name": "a", "name": "b"}}}}'
    (tmp_path / "main.tf.json").write_text(text)
    result = scan([tmp_path])
    (unread,) = result.unread
    assert "duplicate key" in unread.reason
    assert "/resource/aws_iam_role/r/name" in unread.reason
    assert result.exit_code() == 3


@pytest.mark.parametrize(
    ("document", "pointer"),
    [
        ([], "at /,"),
        ({"resource": "x"}, "/resource"),
        ({"resource": {"aws_iam_role": {"r": "x"}}}, "/resource/aws_iam_role/r"),
        ({"resource": {"aws_iam_role": {"r": [1]}}}, "/resource/aws_iam_role/r/0"),
        ({"variable": {}}, "/variable"),
        ({"data": {"aws_iam_policy_document": {"d": {"statement": 5}}}}, "/d/statement"),
        ({"variable": {"v": {"type": 5}}}, "/variable/v/type"),
        ({"resource": {"aws_iam_role": {"r": [{"name": "a"}, {"name": "b"}]}}}, None),
    ],
)
def test_what_terraform_refuses_is_unread_with_the_reason(
    tmp_path: Path, document: Any, pointer: str | None
) -> None:
    write_json(tmp_path / "main.tf.json", document)
    result = scan([tmp_path])
    if pointer is None:  # two blocks of the same address: Terraform refuses the module
        assert result.exit_code() == 3
        return
    (unread,) = result.unread
    assert pointer in unread.reason
    assert result.exit_code() == 3


def test_json_nested_too_deeply_is_unread_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "main.tf.json").write_text('{"locals": {"a": ' + "[" * 5000 + "]" * 5000 + "}}")
    (unread,) = scan([tmp_path]).unread
    assert "nested deeper than" in unread.reason


def test_a_deep_value_is_unknown_not_a_traceback(tmp_path: Path) -> None:
    deep = "[" * 400 + '"*"' + "]" * 400
    text = '{"resource": {"aws_iam_role": {"r": {"assume_role_policy": ' + deep + "}}}}"
    (tmp_path / "main.tf.json").write_text(text)
    result = scan([tmp_path])
    (unread,) = result.unread
    assert "not judged" in unread.reason
    assert result.exit_code() == 3


def test_an_integer_of_thousands_of_digits_is_unknown_not_a_traceback(tmp_path: Path) -> None:
    # Python's int() refuses more than 4,300 digits: the JSON reader raised a ValueError,
    # for .tf.json files, CloudFormation templates and trust policies in strings alike.
    huge = "1" * 5000
    policy = '{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": "*",'
    policy += ' "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": ' + huge + "}}}]}"
    (tmp_path / "main.tf.json").write_text(
        '{"locals": {"n": ' + huge + "}, " + json.dumps(json_role(policy))[1:]
    )
    (tmp_path / "template.json").write_text(
        '{"Resources": {"U": {"Type": "AWS::IAM::User", "Properties": {"Path": ' + huge + "}}}}"
    )
    result = scan([tmp_path])
    (unread,) = result.unread
    assert "a number of more than 1000 digits" in unread.reason
    assert [f.check for f in result.findings] == ["iac-iam-user"]


def test_a_file_of_millions_of_values_is_unread_not_held(tmp_path: Path) -> None:
    # Each value is kept with its position: 64 MiB of `[0,0,…]` took gigabytes.
    (tmp_path / "main.tf.json").write_text('{"locals": {"a": [' + "0," * 2_000_000 + "0]}}")
    (unread,) = scan([tmp_path]).unread
    assert "too many values" in unread.reason


@pytest.mark.parametrize("levels", [150, 500])
def test_a_deep_variable_default_is_read_or_unknown_never_a_traceback(
    tmp_path: Path, levels: int
) -> None:
    # A default is taken literally, past the evaluator's depth bound: 500 levels exhausted
    # Python's stack (RecursionError) where it was copied.
    deep = "[" * levels + '"*"' + "]" * levels
    trust = '${jsonencode({Statement = [{Effect = "Allow", Principal = var.v}]})}'
    text = '{"variable": {"v": {"default": ' + deep + "}}, " + json.dumps(json_role(trust))[1:]
    (tmp_path / "main.tf.json").write_text(text)
    trust_node = only_trust(tmp_path)
    if levels > 200:
        assert "nested too deeply to evaluate" in next(unknowns(trust_node)).reason
    else:
        assert trust_node.is_known


def test_a_deep_value_of_a_tfvars_json_file_is_unknown_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "terraform.tfvars.json").write_text('{"v": ' + "[" * 500 + '"*"' + "]" * 500 + "}")
    (tmp_path / "main.tf").write_text(
        'variable "v" {}\nresource "aws_iam_role" "r" {\n'
        '  assume_role_policy = jsonencode({Statement = [{Effect = "Allow", '
        "Principal = var.v}]})\n}\n"
    )
    (unread,) = scan([tmp_path]).unread
    assert "var.v at line 3" in unread.reason
    assert unread.reason.endswith("nested too deeply to evaluate")


@pytest.mark.parametrize("name", ["main.tf", "main.tf.json"])
def test_a_trust_policy_text_nested_500_deep_is_not_judged_not_a_traceback(
    tmp_path: Path, name: str
) -> None:
    deep = "[" * 500 + '"*"' + "]" * 500
    policy = '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": ' + deep + "}}]}"
    if name == "main.tf":
        text = f'resource "aws_iam_role" "r" {{\n  assume_role_policy = <<EOF\n{policy}\nEOF\n}}\n'
    else:
        text = json.dumps(json_role(policy))
    (tmp_path / name).write_text(text)
    (unread,) = scan([tmp_path]).unread
    assert unread.reason.endswith("the trust policy is nested too deeply to evaluate")


@pytest.mark.parametrize(
    ("name", "opened"),
    [("main.tf.json", "${"), ("main.tf.json", "%{"), ("main.tf", "${"), ("main.tf", "%{")],
)
def test_an_interpolation_never_closed_is_not_read_as_text(
    tmp_path: Path, name: str, opened: str
) -> None:
    # Terraform refuses the template ("Unclosed template interpolation sequence"); read as
    # text, the account below was a literal that no principal has: the role looked closed.
    condition = '"Condition": {"StringEquals": {"aws:PrincipalAccount": "' + opened + 'var.a"}}'
    policy = '{"Statement": [{"Effect": "Allow", "Principal": "*", ' + condition + "}]}"
    if name == "main.tf":
        text = f'resource "aws_iam_role" "r" {{\n  assume_role_policy = <<EOF\n{policy}\nEOF\n}}\n'
    else:
        text = json.dumps(json_role(policy))
    (tmp_path / name).write_text(text)
    result = scan([tmp_path])
    (unread,) = result.unread
    assert unread.reason.endswith(
        "never closed: Terraform refuses the template (an unclosed interpolation)"
    )
    assert result.exit_code() == 3


@pytest.mark.parametrize("name", ["main.tf.json", "main.tofu.json", "terraform.tfvars.json"])
def test_a_json_file_starting_with_a_byte_order_mark_is_unread(tmp_path: Path, name: str) -> None:
    # Terraform skips a BOM only in native syntax (hashicorp/terraform#19715); HCL's JSON
    # scanner refuses it ("Invalid start of value" at 1:1, hashicorp/hcl json/scanner.go).
    # It was dropped and the role judged as if Terraform would deploy it.
    (tmp_path / "main.tf").write_text('variable "v" {\n  default = "x"\n}\n')
    document = json_role(json.dumps(ANYONE)) if ".tfvars." not in name else {"v": "y"}
    (tmp_path / name).write_bytes(b"\xef\xbb\xbf" + json.dumps(document).encode())
    result = scan([tmp_path])
    (unread,) = result.unread
    assert unread.where == str(tmp_path / name)
    assert "byte order mark (U+FEFF)" in unread.reason
    assert "Invalid start of value" in unread.reason
    assert result.exit_code() == 3


def test_keyless_trust_on_a_json_file_with_a_byte_order_mark_names_the_mark(
    tmp_path: Path,
) -> None:
    path = tmp_path / "main.tf.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(json_role(json.dumps(ANYONE))).encode())
    with pytest.raises(InputError, match="byte order mark"):
        assess_file(path)


@pytest.mark.parametrize(
    ("name", "template"),
    [
        ("t.json", '{"Resources": {"U": {"Type": "AWS::IAM::User"}}}\n'),
        ("t.yaml", "Resources:\n  U:\n    Type: AWS::IAM::User\n"),
    ],
)
def test_a_cloudformation_template_after_a_byte_order_mark_is_read(
    tmp_path: Path, name: str, template: str
) -> None:
    # Unlike Terraform's JSON syntax: the CloudFormation console takes a template that
    # starts with the mark (aws/aws-cdk#29792), and cfn-lint reads it (JSON and YAML), so
    # it is judged, at the positions the text without the mark has.
    marked, plain = tmp_path / "marked", tmp_path / "plain"
    marked.mkdir()
    plain.mkdir()
    (marked / name).write_bytes(b"\xef\xbb\xbf" + template.encode())
    (plain / name).write_text(template)
    found = scan([marked])
    (finding,) = found.findings
    assert finding.check == "iac-iam-user"
    assert not found.unread
    (expected,) = scan([plain]).findings
    assert isinstance(finding.location, FileLocation)
    assert isinstance(expected.location, FileLocation)
    assert (finding.location.line, finding.location.column) == (
        expected.location.line,
        expected.location.column,
    )


def test_a_byte_order_mark_before_native_syntax_is_read(tmp_path: Path) -> None:
    # Terraform reads a .tf file past the mark (hashicorp/terraform#19715).
    text = 'resource "aws_iam_role" "r" {\n  assume_role_policy = jsonencode(%s)\n}\n'
    role = text % json.dumps(ANYONE)
    (tmp_path / "main.tf").write_bytes(b"\xef\xbb\xbf" + role.encode())
    result = scan([tmp_path])
    assert not result.unread
    assert result.exit_code() == 1


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("main.tf.json", json.dumps(json_role(ANYONE))),
        ("main.tf.json", json.dumps(json_role([ANYONE]))),
        (
            "main.tf",
            'resource "aws_iam_role" "r" {\n  assume_role_policy = {\n    Statement = [{\n'
            '      Effect = "Allow", Action = "sts:AssumeRole", Principal = "*" }]\n  }\n}\n',
        ),
    ],
)
def test_a_trust_policy_given_as_an_object_is_not_judged(
    tmp_path: Path, name: str, text: str
) -> None:
    # The provider types assume_role_policy a string: Terraform refuses an object or a list
    # ("Inappropriate value for attribute "assume_role_policy": string required"). It was
    # judged as the policy it holds (a finding, exit 1).
    (tmp_path / name).write_text(text)
    result = scan([tmp_path])
    assert not result.findings
    (unread,) = result.unread
    assert "Terraform refuses it: assume_role_policy is a string" in unread.reason
    assert result.exit_code() == 3


def test_a_trust_policy_given_as_json_text_in_json_syntax_is_judged(tmp_path: Path) -> None:
    (tmp_path / "main.tf.json").write_text(json.dumps(json_role(json.dumps(ANYONE))))
    result = scan([tmp_path])
    assert not result.unread
    assert result.exit_code() == 1
