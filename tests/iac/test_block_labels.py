"""A block label Terraform refuses (``resource "aws_iam_role" "a.b"``: identifiers are
letters, digits, ``_`` and ``-``, not starting with a digit or a dash) makes the file unread,
with the reason and where, in ``.tf`` and ``.tf.json`` alike. Before, the role was read
and judged as ``aws_iam_role.a.b``, a role ``terraform validate`` refuses.
https://developer.hashicorp.com/terraform/language/syntax/configuration#identifiers
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from keyless.iac.read import read_paths
from keyless.iac.scan import scan
from keyless.iac.tflabels import is_identifier
from tests.iac.support import ANYONE, json_role, write_json


def _role(kind: str, name: str) -> str:
    trust = json.dumps(json.dumps(ANYONE))
    return f'resource "{kind}" "{name}" {{\n  assume_role_policy = {trust}\n}}\n'


@pytest.mark.parametrize(
    ("kind", "name", "what", "column"),
    [
        ("aws_iam_role", "a.b", "resource name", 25),
        ("aws_iam_role", "1role", "resource name", 25),
        ("aws_iam_role", "-role", "resource name", 25),
        ("aws_iam_role", "", "resource name", 25),
        ("aws_iam_role", "a b", "resource name", 25),
        ("aws.iam_role", "r", "resource type name", 10),
    ],
)
def test_a_resource_label_terraform_refuses_makes_the_file_unread(
    tmp_path: Path, kind: str, name: str, what: str, column: int
) -> None:
    (tmp_path / "main.tf").write_text("\n" + _role(kind, name))
    result = scan([tmp_path])
    (unread,) = result.unread
    assert f"{name if what == 'resource name' else kind!r} is not a valid {what}" in (unread.reason)
    assert f"at line 2, column {column}" in unread.reason
    assert "malformed HCL" not in unread.reason  # it is well-formed: Terraform refuses it
    assert result.findings == ()
    assert result.exit_code() == 3


@pytest.mark.parametrize(
    ("block", "what"),
    [
        ('variable "my.var" {}', "variable name"),
        ('output "o/p" { value = 1 }', "output name"),
        ('module "m:1" { source = "./m" }', "module name"),
        ('provider "aws.east" {}', "provider name"),
        ('data "aws_iam_policy_document" "d$" {}', "data source name"),
        ('check "c!" {}', "check block name"),
    ],
)
def test_other_labels_terraform_checks_are_refused_too(
    tmp_path: Path, block: str, what: str
) -> None:
    (tmp_path / "main.tf").write_text(block + "\n" + _role("aws_iam_role", "r"))
    (unread,) = scan([tmp_path]).unread
    assert f"is not a valid {what}" in unread.reason
    assert "at line 1, column " in unread.reason


@pytest.mark.parametrize("name", ["role", "_role", "my-role_2", "rôle", "роль", "\\u0061b"])
def test_labels_terraform_accepts_are_read(tmp_path: Path, name: str) -> None:
    (tmp_path / "main.tf").write_text(_role("aws_iam_role", name))
    result = scan([tmp_path])
    assert result.unread == ()
    assert [f.check for f in result.findings] == ["trust-anyone"]


def test_labels_terraform_does_not_check_are_left_alone(tmp_path: Path) -> None:
    # a provisioner's and a backend's labels are no identifiers (Terraform checks neither)
    (tmp_path / "main.tf").write_text(
        'terraform {\n  backend "s3.x" {}\n}\n'
        'resource "aws_iam_role" "r" {\n'
        f"  assume_role_policy = {json.dumps(json.dumps(ANYONE))}\n"
        '  provisioner "local-exec" { command = "true" }\n}\n'
    )
    assert scan([tmp_path]).unread == ()


@pytest.mark.parametrize(
    ("header", "expected", "column"),
    [
        ('resource "aws_iam_role" "r" "extra"', "takes 2 labels (type, name), not 3", 29),
        ('resource "aws_iam_role"', "takes 2 labels (type, name), not 1", 25),
        ("resource", "takes 2 labels (type, name), not 0", 10),
        ('resource "aws_iam_role" "r" "a" "b" "c"', "takes 2 labels (type, name), not 5", 29),
    ],
)
def test_a_resource_with_the_wrong_number_of_labels_makes_the_file_unread(
    tmp_path: Path, header: str, expected: str, column: int
) -> None:
    # HCL refuses a block whose labels its schema does not expect ("Extraneous label for
    # resource", "Missing name for resource": hcl's hclsyntax Body.Content, with
    # Terraform's configFileSchema). The role was skipped, and the file passed clean.
    trust = json.dumps(json.dumps(ANYONE))
    (tmp_path / "main.tf").write_text(f"{header} {{\n  assume_role_policy = {trust}\n}}\n")
    result = scan([tmp_path])
    (unread,) = result.unread
    assert expected in unread.reason
    assert f"at line 1, column {column}" in unread.reason
    assert result.findings == ()
    assert result.exit_code() == 3


@pytest.mark.parametrize(
    "block",
    [
        'variable "a" "b" {}',
        'output "o" "p" { value = 1 }',
        'module "m" "n" { source = "./m" }',
        'provider "aws" "east" {}',
        'data "aws_iam_policy_document" {}',
        'locals "l" { a = 1 }',
        'terraform "t" {}',
        'moved "m" {\n  from = a.b\n  to = a.c\n}',
    ],
)
def test_other_blocks_with_the_wrong_number_of_labels_are_refused_too(
    tmp_path: Path, block: str
) -> None:
    (tmp_path / "main.tf").write_text(block + "\n" + _role("aws_iam_role", "r"))
    result = scan([tmp_path])
    (unread,) = result.unread
    assert "Terraform refuses the" in unread.reason
    assert result.exit_code() == 3


@pytest.mark.parametrize(
    "block",
    [
        'import {\n  to = aws_iam_role.r\n  id = "r"\n}',
        "moved {\n  from = aws_iam_role.a\n  to = aws_iam_role.r\n}",
        "removed {\n  from = aws_iam_role.old\n}",
        'check "c" {\n  assert {\n    condition = true\n    error_message = "x"\n  }\n}',
        'ephemeral "aws_secretsmanager_secret_version" "s" {\n  secret_id = "x"\n}',
        'action "aws_lambda_invoke" "a" {\n  config {\n    function_name = "f"\n  }\n}',
        'language {\n  compatible_with {\n    opentofu = ">= 1.8"\n  }\n}',
    ],
)
def test_newer_top_level_block_types_are_read(tmp_path: Path, block: str) -> None:
    # Terraform 1.5-1.14's import, removed, check, ephemeral and action blocks, and
    # OpenTofu's language block: the roles beside them are judged.
    (tmp_path / "main.tf").write_text(block + "\n" + _role("aws_iam_role", "r"))
    result = scan([tmp_path])
    assert result.unread == ()
    assert [f.check for f in result.findings] == ["trust-anyone"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            'resourc "aws_iam_role" "r"',
            "'resourc' is not a block type Terraform reads at the top "
            "of a file (did you mean 'resource'?): Terraform refuses the file",
        ),
        ("output_values", "'output_values' is not a block type Terraform reads"),
        ("required_providers", "a required_providers block must be nested inside a terraform"),
        ('action "aws_lambda_invoke" "a" "b"', "an action block takes 2 labels"),
    ],
)
def test_a_top_level_block_terraform_does_not_know_makes_the_file_unread(
    tmp_path: Path, header: str, expected: str
) -> None:
    # terraform validate: "Unsupported block type: Blocks of type "resourc" are not
    # expected here. Did you mean "resource"?". The file was read as if the block were
    # not there: the role beside it judged, a role in it silently missing.
    (tmp_path / "main.tf").write_text(_role("aws_iam_role", "r") + f"\n  {header} {{\n}}\n")
    result = scan([tmp_path])
    (unread,) = result.unread
    assert expected in unread.reason
    assert "at line 5, column 3" in unread.reason
    assert "malformed HCL" not in unread.reason
    assert result.findings == ()
    assert result.exit_code() == 3


def test_a_json_top_level_property_terraform_does_not_know_makes_the_file_unread(
    tmp_path: Path,
) -> None:
    # terraform validate: "Extraneous JSON object property: No argument or block type is
    # named "resourc"." A "//" comment property stays allowed.
    document = {"//": "generated", "resourc": {"aws_iam_role": {"r": {}}}}
    write_json(tmp_path / "main.tf.json", {**document, **json_role(ANYONE)})
    result = scan([tmp_path])
    (unread,) = result.unread
    assert "'resourc' is not a block type Terraform reads" in unread.reason
    assert "(at /resourc, line 3, column 14)" in unread.reason
    assert result.exit_code() == 3


def test_a_label_with_a_line_break_escape_is_quoted_on_one_line(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(_role("aws_iam_role", "a\\nb"))
    (unread,) = scan([tmp_path]).unread
    assert "'a\\nb' is not a valid resource name" in unread.reason


def test_a_json_label_terraform_refuses_makes_the_file_unread(tmp_path: Path) -> None:
    document = {"resource": {"aws_iam_role": {"a.b": {"assume_role_policy": "{}"}}}}
    write_json(tmp_path / "main.tf.json", document)
    result = scan([tmp_path])
    (unread,) = result.unread
    assert "'a.b' is not a valid resource name" in unread.reason
    assert "(at /resource/aws_iam_role/a.b, line 4, column 14)" in unread.reason
    assert result.exit_code() == 3


def test_a_json_type_label_and_variable_name_are_checked(tmp_path: Path) -> None:
    write_json(tmp_path / "a.tf.json", {"resource": {"aws iam role": {"r": {}}}})
    write_json(tmp_path / "b.tf.json", {"variable": {"9lives": {}}})
    reasons = {Path(u.where).name: u.reason for u in read_paths([tmp_path]).unread}
    assert "'aws iam role' is not a valid resource type name" in reasons["a.tf.json"]
    assert "'9lives' is not a valid variable name" in reasons["b.tf.json"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a", True),
        ("_", True),
        ("a-", True),
        ("a1-b_c", True),
        ("é", True),
        ("-a", False),
        ("1a", False),
        ("a.b", False),
        ("a b", False),
        ("", False),
        ("a\u200bb", False),
    ],
)
def test_an_identifier_is_hcls(text: str, expected: bool) -> None:
    assert is_identifier(text) is expected
