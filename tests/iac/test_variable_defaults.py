"""A variable whose ``default`` its ``type`` cannot hold: Terraform refuses the
configuration ("Invalid default value for variable"), so a trust policy built from it is
not judged; a default Terraform converts is used.
https://developer.hashicorp.com/terraform/language/expressions/type-conversion"""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.read import read_paths
from keyless.iac.scan import scan
from keyless.iac.values import Node, unknowns

VARIABLE = 'variable "x" {{\n  type    = {type_}\n  default = {default}\n}}\n'
ROLE = 'resource "aws_iam_role" "r" {\n  assume_role_policy = jsonencode({ v = var.x })\n}\n'


def _value(tmp_path: Path, type_: str, default: str) -> Node:
    (tmp_path / "main.tf").write_text(VARIABLE.format(type_=type_, default=default) + ROLE)
    (role,) = read_paths([tmp_path]).resources
    assert role.trust is not None
    return role.trust


@pytest.mark.parametrize(
    ("type_", "default", "why"),
    [
        # each refused by terraform console: "Invalid default value for variable"
        ("list(string)", '"x"', "default is a string, not a list"),
        ("string", '["a"]', "default is a list, not a string"),
        ("number", '"abc"', "not a number"),
        ("number", '" 5"', "not a number"),
        ("bool", '"yes"', "not a bool"),
        ("object({ a = string })", '{ b = "x" }', "lacks the attribute 'a'"),
        ("map(string)", '{ a = ["x"] }', "default.a is a list"),
        ("tuple([string, number])", '["a", "b"]', "default[1]"),
        ("tuple([string])", '["a", "b"]', "2 elements"),
        ("set(object({ a = list(string) }))", '[{ a = "x" }]', "default[0].a is a string"),
    ],
)
def test_a_default_its_type_cannot_hold_is_unknown(
    tmp_path: Path, type_: str, default: str, why: str
) -> None:
    (unknown,) = unknowns(_value(tmp_path, type_, default))
    assert why in unknown.reason
    assert "Terraform refuses the variable's default" in unknown.reason
    assert f"(type {type_})" in unknown.reason


@pytest.mark.parametrize(
    ("type_", "default"),
    [
        ("number", '"1e3"'),  # a string of a number converts
        ("string", "5"),
        ("bool", '"true"'),
        ("object({ a = string, b = optional(string) })", '{ a = "x", c = "extra" }'),
        ("list(string)", "null"),
        ("any", '"x"'),
        ("map(list(string))", '{ a = ["x"] }'),
    ],
)
def test_a_default_terraform_converts_is_used(tmp_path: Path, type_: str, default: str) -> None:
    assert _value(tmp_path, type_, default).is_known


def test_a_trust_policy_from_a_refused_default_is_not_judged(tmp_path: Path) -> None:
    # the shape of a module whose subjects are a list: given one string, Terraform stops;
    # judged as written, the policy would be pinned to one branch and look clean
    (tmp_path / "main.tf").write_text(
        'variable "subjects" {\n  type    = list(string)\n'
        '  default = "repo:acme/app:ref:refs/heads/main"\n}\n'
        'resource "aws_iam_role" "r" {\n  assume_role_policy = jsonencode({\n'
        '    Version = "2012-10-17"\n    Statement = [{ Effect = "Allow",\n'
        '      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/'
        'token.actions.githubusercontent.com" },\n'
        '      Action = "sts:AssumeRoleWithWebIdentity",\n'
        "      Condition = { StringEquals = {\n"
        '        "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com",\n'
        '        "token.actions.githubusercontent.com:sub" = var.subjects } } }]\n'
        "  })\n}\n"
    )
    result = scan([tmp_path])
    (unread,) = result.unread
    assert "aws_iam_role.r: trust policy not judged" in unread.reason
    assert "Terraform refuses the variable's default (type list(string))" in unread.reason


def test_a_module_input_its_type_cannot_hold_is_not_judged(tmp_path: Path) -> None:
    # terraform console: "Invalid value for input variable"
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "main.tf").write_text(
        'variable "subjects" {\n  type = list(string)\n}\n'
        'resource "aws_iam_role" "r" {\n'
        "  assume_role_policy = jsonencode({ v = var.subjects })\n}\n"
    )
    (tmp_path / "main.tf").write_text(
        'module "m" {\n  source   = "./mod"\n  subjects = "repo:acme/app:*"\n}\n'
    )
    (role,) = read_paths([tmp_path]).resources
    assert role.trust is not None
    (unknown,) = unknowns(role.trust)
    assert unknown.reason == (
        "input is a string, not a list: Terraform refuses the variable's input (type list(string))"
    )
