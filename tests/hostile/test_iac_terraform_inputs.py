"""Hostile Terraform for ``keyless iac``. Before:

- an override file in JSON syntax (``main_override.tf.json``) was only noted as "JSON
  syntax is not read", while the role it rewrites in ``main.tf`` was judged as written
  (``*`` deployed, an account root reported; exit 1, nothing unread). Terraform merges
  it like ``main_override.tf``, which is reported unread.
- ``setproduct`` unified its arguments' elements before it looked at the product's size:
  a product of two lists of 65,536 nested pairs spent a minute unifying them before it
  was refused as too large; a list of mixed element types was refused as that, not as
  the product too large to build.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from keyless.iac.builtins.decoding import FUNCTIONS
from keyless.iac.scan import scan
from keyless.iac.values import Node, Position, plain

AT = Position(1, 1)

ROLE = """\
resource "aws_iam_role" "r" {
  name = "r"
  assume_role_policy = jsonencode({Statement = [{Effect = "Allow",
    Action = "sts:AssumeRole", Principal = {AWS = %s}}]})
}
"""
ANYONE = json.dumps(
    {
        "resource": {
            "aws_iam_role": {
                "r": {
                    "assume_role_policy": json.dumps(
                        {
                            "Statement": [
                                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": "*"}
                            ]
                        }
                    )
                }
            }
        }
    }
)


@pytest.mark.parametrize(
    "name",
    ["main_override.tf.json", "override.tf.json", "x_override.tofu.json", "override.tofu.json"],
)
def test_an_override_file_in_json_syntax_is_unread(tmp_path: Path, name: str) -> None:
    (tmp_path / "main.tf").write_text(ROLE % '"arn:aws:iam::123456789012:root"')
    (tmp_path / name).write_text(ANYONE)
    result = scan([tmp_path])
    (unread,) = result.unread
    assert unread.where == str(tmp_path / name)
    assert unread.reason.startswith("an override file: Terraform merges its blocks")
    assert result.exit_code() == 3
    assert not any(name in note for note in result.notes)


def test_json_syntax_is_read_and_its_override_file_unread(tmp_path: Path) -> None:
    (tmp_path / "main.tf.json").write_text(ANYONE)
    (tmp_path / "override.tf.json").write_text(ANYONE)
    result = scan([tmp_path])
    (unread,) = result.unread
    assert unread.where == str(tmp_path / "override.tf.json")
    assert [f.check for f in result.findings] == ["trust-anyone"]
    assert result.notes == ()


def test_a_product_too_large_is_refused_before_its_elements_are_unified(tmp_path: Path) -> None:
    # Unifying the first list (an object among numbers, which Terraform refuses) came first.
    numbers = ", ".join(str(number) for number in range(1000))
    locals_ = f"locals {{\n  a = [{{a = 1}}, {numbers}]\n  b = [{numbers}]\n}}\n"
    (tmp_path / "main.tf").write_text(locals_ + ROLE % "setproduct(local.a, local.b, local.b)[0]")
    (unread,) = scan([tmp_path]).unread
    assert "setproduct(local.a, local.b, local.b)" in unread.reason
    assert "too large to evaluate" in unread.reason


def _decoded(tmp_path: Path, yaml: str, use: str) -> Any:
    text = f"locals {{\n  y = yamldecode(<<EOT\n{yaml}EOT\n  )\n}}\n" + ROLE % use
    (tmp_path / "main.tf").write_text(text)
    return scan([tmp_path])


# Ten anchors of nine aliases each: 9¹⁰ strings once written out.
FIRST = '["arn:aws:iam::123456789012:root", "x", "x", "x", "x", "x", "x", "x", "x"]'
BOMB = f"a: &a {FIRST}\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{before}'] * 9)}]\n"
    for before, name in zip("abcdefghi", "bcdefghij", strict=True)
)


def test_an_alias_bomb_in_yamldecode_is_too_large(tmp_path: Path) -> None:
    (unread,) = _decoded(tmp_path, BOMB, "local.y.j[0][0][0][0][0][0][0][0][0][0]").unread
    assert "too large to evaluate" in unread.reason


def test_an_alias_is_decoded_once_and_shared() -> None:
    # Built once per alias, the bomb above took 4 million steps (half a minute) to refuse.
    decoded = FUNCTIONS["yamldecode"]([Node("a: &a [x]\nb: *a\n", AT)], AT)
    assert plain(decoded) == {"a": ["x"], "b": ["x"]}
    assert decoded.value["a"] is decoded.value["b"]


def test_aliases_that_nest_past_the_depth_limit_are_refused(tmp_path: Path) -> None:
    # Each anchor nests the one before 100 levels deeper: 300 levels once written out.
    deep = "a: &a " + "[" * 100 + '"arn:aws:iam::123456789012:root"' + "]" * 100 + "\n"
    deep += "b: &b " + "[" * 100 + "*a" + "]" * 100 + "\n"
    deep += "c: " + "[" * 100 + "*b" + "]" * 100 + "\n"
    (unread,) = _decoded(tmp_path, deep, "local.y.c").unread
    assert "yamldecode" in unread.reason


# Terraform refuses a module that declares a name twice ("Duplicate resource
# configuration", "Duplicate local value definition"...): keyless kept the last one, so a
# role trusting an account root, declared again in another file, vanished (exit 0).
@pytest.mark.parametrize(
    ("files", "said"),
    [
        pytest.param(
            {
                "a.tf": ROLE % '"arn:aws:iam::123456789012:root"',
                "b.tf": ROLE % '"arn:aws:iam::123456789012:role/x"',
            },
            "b.tf:1:1: aws_iam_role.r: declared twice in the module",
            id="resource-in-two-files",
        ),
        pytest.param(
            {"main.tf": ROLE % '"arn:aws:iam::123456789012:root"' + ROLE % '"*"'},
            "main.tf:6:1: aws_iam_role.r: declared twice in the module",
            id="resource-in-one-file",
        ),
        pytest.param(
            {
                "a.tf": 'locals {\n  p = "arn:aws:iam::123456789012:role/x"\n}\n'
                + ROLE % "local.p",
                "b.tf": 'locals {\n  p = "*"\n}\n',
            },
            "aws_iam_role.r: trust policy not judged: local.p",
            id="local",
        ),
        pytest.param(
            {
                "a.tf": 'variable "p" {\n  default = "arn:aws:iam::123456789012:role/x"\n}\n'
                + ROLE % "var.p",
                "b.tf": 'variable "p" {\n  default = "*"\n}\n',
            },
            "aws_iam_role.r: trust policy not judged: var.p",
            id="variable",
        ),
    ],
)
def test_a_name_declared_twice_in_a_module_is_not_judged(
    tmp_path: Path, files: dict[str, str], said: str
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    result = scan([tmp_path])
    assert not list(result.findings)
    (unread,) = result.unread
    assert said in f"{unread.where}: {unread.reason}"
    assert "declared twice in the module" in unread.reason
    assert result.exit_code() == 3


def test_a_module_called_twice_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "main.tf").write_text(ROLE % '"*"')
    call = 'module "m" {\n  source = "./mod"\n}\n'
    (tmp_path / "main.tf").write_text(call + call)
    result = scan([tmp_path])
    (unread,) = result.unread
    assert unread.reason == (
        "module.m: declared twice in the module: Terraform refuses it (a duplicate resource, "
        "data source, module call, variable or local value), so neither declaration is judged"
    )
