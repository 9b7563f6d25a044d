"""A variable's value as its `type` makes it: an object type's `optional(...)` attributes
that a value lacks are filled as Terraform fills them (null, or the default), read by the
type constraint grammar, not by the word "optional" in the type's text."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.read import read_paths
from keyless.iac.values import Node, plain

ROLE = """
resource "aws_iam_role" "r" {{
  name               = "r"
  assume_role_policy = jsonencode({{ v = {expression} }})
}}
"""


def _value(tmp_path: Path, expression: str, variable: str) -> Node:
    (tmp_path / "main.tf").write_text(variable + ROLE.format(expression=expression))
    (role,) = read_paths([tmp_path]).resources
    assert role.trust is not None
    return role.trust


@pytest.mark.parametrize(
    ("type_", "default", "expression"),
    [
        # an attribute named optional_tags is no optional attribute
        ("object({ optional_tags = map(string) })", "{ optional_tags = {} }", "var.s.subjects"),
        ("object({ name = string }) # optional", '{ name = "n" }', "var.s.subjects"),
        ('object({ "optional" = string })', '{ optional = "n" }', "var.s.subjects"),
        # the optional attribute is in another object than the one read
        (
            "object({ a = object({ x = optional(string) }), b = object({ y = string }) })",
            '{ a = {}, b = { y = "y" } }',
            "var.s.b.subjects",
        ),
        # the value has the optional attribute: nothing to fill
        ("object({ subjects = optional(list(string)) })", '{ subjects = ["x"] }', "var.s.other"),
        ("list(object({ optional_x = string }))", '[{ optional_x = "x" }]', "var.s[0].subjects"),
        ("map(object({ k = string }))", '{ a = { k = "v" } }', "var.s.a.subjects"),
        # an attribute the type does not declare is discarded by the conversion
        ("object({ name = string })", '{ name = "n", subjects = "x" }', "var.s.subjects"),
        ("list(object({ k = string }))", '[{ k = "v", subjects = "x" }]', "var.s[0].subjects"),
        (
            "object({ a = object({ k = optional(string) }) })",
            '{ a = { subjects = "x" } }',
            "var.s.a.subjects",
        ),
    ],
)
def test_an_attribute_no_optional_type_fills_makes_try_move_on(
    tmp_path: Path, type_: str, default: str, expression: str
) -> None:
    variable = f'variable "s" {{\n  type    = {type_}\n  default = {default}\n}}\n'
    trust = _value(tmp_path, f'try({expression}, "fallback")', variable)
    assert plain(trust) == {"v": "fallback"}


@pytest.mark.parametrize(
    ("type_", "default", "expression"),
    [
        ('object({ subjects = optional(string, "x") })', "{}", "var.s.subjects"),
        ('list(object({ subjects = optional(string, "x") }))', "[{}]", "var.s[0].subjects"),
        ('map(object({ subjects = optional(string, "x") }))', "{ a = {} }", "var.s.a.subjects"),
    ],
)
def test_an_optional_attribute_the_value_lacks_takes_its_default(
    tmp_path: Path, type_: str, default: str, expression: str
) -> None:
    variable = f'variable "s" {{\n  type    = {type_}\n  default = {default}\n}}\n'
    trust = _value(tmp_path, f'try({expression}, "fallback")', variable)
    assert plain(trust) == {"v": "x"}


def test_a_type_keyless_does_not_follow_leaves_optional_attributes_unknown(
    tmp_path: Path,
) -> None:
    variable = (
        'variable "s" {\n  type    = object({ (local.k) = optional(string) })\n  default = {}\n}\n'
    )
    trust = _value(tmp_path, 'try(var.s.subjects, "fallback")', variable)
    assert not trust.is_known


@pytest.mark.parametrize(
    ("type_", "default", "expression"),
    [
        ("object({ subjects = optional(list(string)) })", "{}", "var.s.subjects"),
        ("list(object({ subjects = optional(string) }))", "[{}]", "var.s[0].subjects"),
        ("set(object({ subjects = optional(string) }))", "[{}]", "one(var.s).subjects"),
        ("map(object({ subjects = optional(string) }))", "{ a = {} }", "var.s.a.subjects"),
        (
            "tuple([string, object({ subjects = optional(string) })])",
            '["a", {}]',
            "var.s[1].subjects",
        ),
        (
            "object({ a = object({ b = object({ subjects = optional(string) }) }) })",
            "{ a = { b = {} } }",
            "var.s.a.b.subjects",
        ),
    ],
)
def test_an_optional_attribute_without_a_default_the_value_lacks_is_null(
    tmp_path: Path, type_: str, default: str, expression: str
) -> None:
    """The conversion fills it with null (hashicorp/hcl#549): try() returns that null."""
    variable = f'variable "s" {{\n  type    = {type_}\n  default = {default}\n}}\n'
    trust = _value(tmp_path, f'try({expression}, "fallback")', variable)
    assert plain(trust) == {"v": None}


@pytest.mark.parametrize(
    ("type_", "value"),
    [
        # HCL's Defaults.Apply overwrites an attribute that is null with its default
        ('object({ subjects = optional(string, "repo:acme/app:*") })', "repo:acme/app:*"),
        # without a default, a null attribute stays null
        ("object({ subjects = optional(string) })", "fallback"),
    ],
)
def test_a_null_attribute_takes_its_default(tmp_path: Path, type_: str, value: str) -> None:
    variable = f'variable "s" {{\n  type    = {type_}\n  default = {{ subjects = null }}\n}}\n'
    trust = _value(tmp_path, 'coalesce(var.s.subjects, "fallback")', variable)
    assert plain(trust) == {"v": value}


def test_iterating_an_object_meets_only_the_attributes_its_type_declares(
    tmp_path: Path,
) -> None:
    variable = (
        'variable "s" {\n  type    = object({ app = string })\n'
        '  default = { app = "repo:acme/app:ref:refs/heads/main", extra = "repo:acme/*" }\n}\n'
    )
    trust = _value(tmp_path, "[for k, v in var.s : v]", variable)
    assert plain(trust) == {"v": ["repo:acme/app:ref:refs/heads/main"]}
