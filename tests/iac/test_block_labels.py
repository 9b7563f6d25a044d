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
from tests.iac.support import ANYONE, write_json


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


def test_blocks_terraform_may_add_keep_their_labels(tmp_path: Path) -> None:
    # a block type Terraform's schema does not name is not judged by its labels here
    (tmp_path / "main.tf").write_text('action "aws_x" "y" "z" {}\n' + _role("aws_iam_role", "r"))
    assert scan([tmp_path]).unread == ()


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
