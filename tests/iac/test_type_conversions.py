"""A variable's primitive value converted to its declared type, as Terraform does: ``5``
given to a ``string`` is ``"5"``, ``"5"`` given to a ``number`` is ``5``, ``"true"`` given to
a ``bool`` is ``true``; a ``list(any)`` of mixed primitives holds strings.
https://developer.hashicorp.com/terraform/language/expressions/type-constraints#conversion-of-primitive-types
Compared with ``terraform console`` (skipped without terraform); what keyless cannot write
exactly is unknown, never a guess."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.read import read_paths
from keyless.iac.values import Node, plain, unknowns
from tests.iac.conftest import TERRAFORM, terraform_console

# (type, default, the value terraform console gives for it)
CONVERTED = [
    ("string", "5", "5"),
    ("string", "true", "true"),
    ("string", "false", "false"),
    ("string", "1e20", "100000000000000000000"),
    ("string", "12345678901234567890123", "12345678901234567890123"),
    ("string", "-7", "-7"),
    ("number", '"5"', 5),
    ("number", '"+7"', 7),
    ("number", '"1e3"', 1000),
    ("number", '"5."', 5),
    ("number", '"007"', 7),
    ("bool", '"true"', True),
    ("bool", '"false"', False),
    ("list(string)", '[1, true, "x"]', ["1", "true", "x"]),
    ("map(string)", "{ a = 1, b = false }", {"a": "1", "b": "false"}),
    ("map(number)", '{ a = "2" }', {"a": 2}),
    ("object({ a = string, b = bool })", '{ a = 5, b = "false" }', {"a": "5", "b": False}),
    ("tuple([string, number])", '[1, "2"]', ["1", 2]),
    ("list(any)", '[1, "x", true]', ["1", "x", "true"]),
    ("map(any)", '{ a = 1, b = "x" }', {"a": "1", "b": "x"}),
    ("list(any)", "[1, 2]", [1, 2]),
    ("any", "5", 5),
    ("string", "null", None),
]

# What keyless leaves unknown rather than write inexactly (terraform console's value in
# the comment).
UNKNOWN = [
    ("string", "1.5", "fraction"),  # "1.5": cty writes its 512-bit value
    ("string", "-0", "fraction"),  # "-0"
    ("bool", '"1"', "Terraform versions differ"),  # true in 1.11, refused by others
    ("list(any)", "[1, [2]]", "mixed types"),  # refused: no common type
]


def _role(tmp_path: Path, variables: list[tuple[str, str]], value: str) -> Node:
    text = "".join(
        f'variable "v{i}" {{\n  type    = {type_}\n  default = {default}\n}}\n'
        for i, (type_, default) in enumerate(variables)
    )
    text += f'resource "aws_iam_role" "r" {{\n  assume_role_policy = jsonencode({value})\n}}\n'
    (tmp_path / "main.tf").write_text(text)
    (role,) = read_paths([tmp_path]).resources
    assert role.trust is not None
    return role.trust


@pytest.mark.parametrize(("type_", "default", "expected"), CONVERTED)
def test_a_primitive_default_is_converted_to_its_type(
    tmp_path: Path, type_: str, default: str, expected: object
) -> None:
    trust = _role(tmp_path, [(type_, default)], "{ v = var.v0 }")
    assert plain(trust) == {"v": expected}


@pytest.mark.parametrize(("type_", "default", "why"), UNKNOWN)
def test_what_cannot_be_written_exactly_is_unknown(
    tmp_path: Path, type_: str, default: str, why: str | None
) -> None:
    trust = _role(tmp_path, [(type_, default)], "{ v = jsonencode(var.v0) }")
    found = list(unknowns(trust))
    assert found
    if why is not None:
        assert any(why in unknown.reason for unknown in found), found


def test_a_subject_built_from_a_number_variable_is_its_text(tmp_path: Path) -> None:
    # The shape that matters for trust: a string-typed input given a number, interpolated.
    trust = _role(tmp_path, [("string", "42")], '{ v = "repo:acme/app-${var.v0}:*" }')
    assert plain(trust) == {"v": "repo:acme/app-42:*"}


@pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on this machine")
def test_keyless_converts_as_terraform_console_does(tmp_path: Path) -> None:
    assert TERRAFORM is not None
    variables = [(type_, default) for type_, default, _ in CONVERTED]
    names = ", ".join(f"var.v{i}" for i in range(len(variables)))
    (tmp_path / "terraform").mkdir()
    (tmp_path / "terraform" / "main.tf").write_text(
        "".join(
            f'variable "v{i}" {{\n  type    = {type_}\n  default = {default}\n}}\n'
            for i, (type_, default) in enumerate(variables)
        )
    )
    expected = terraform_console(tmp_path / "terraform", f"[{names}]")
    assert expected == [value for _, _, value in CONVERTED]
    (tmp_path / "keyless").mkdir()
    trust = _role(tmp_path / "keyless", variables, f"{{ v = [{names}] }}")
    assert plain(trust) == {"v": expected}
