"""Terraform's built-in functions as keyless evaluates them, per
https://developer.hashicorp.com/terraform/language/functions: a known result where
Terraform's is known from the code, unknown where it is not (never a guess), and
try()/can() telling a failing expression from one keyless only does not evaluate."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.read import read_paths
from keyless.iac.scan import scan
from keyless.iac.values import Node, plain, unknowns

ROLE = (
    'resource "aws_iam_role" "r" {{\n'
    "  assume_role_policy = jsonencode({{ v = {expression} }})\n"
    "}}\n"
)


def _value(tmp_path: Path, expression: str, declarations: str = "") -> Node:
    """The value of ``expression`` inside a role's trust policy."""
    text = declarations + ROLE.format(expression=expression)
    (tmp_path / "main.tf").write_text(text)
    (role,) = read_paths([tmp_path]).resources
    assert role.trust is not None
    return role.trust


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ('setunion(["b", "a"], ["c", "a"])', ["a", "b", "c"]),
        ('setunion(["x"])', ["x"]),
        # a set of objects in cty's order: by the text it hashes them to
        # (cty/set_internals.go setRules.Less), attributes by name, strings quoted
        (
            'setunion([{t = "StringNotLike", v = ["b"]}], [{t = "StringLike", v = ["a", "c"]}],'
            ' [{t = "StringLike", v = ["a"]}], [{t = "StringNotLike", v = ["b"]}])',
            [
                {"t": "StringLike", "v": ["a", "c"]},  # '<"StringLike";["a";"c";];>'
                {"t": "StringLike", "v": ["a"]},  # '<"StringLike";["a";];>': '"' < ']'
                {"t": "StringNotLike", "v": ["b"]},
            ],
        ),
        # a null attribute hashes to '~', after any quoted string
        ('setunion([{a = null}], [{a = "~"}], [{a = "x"}])', [{"a": "x"}, {"a": "~"}, {"a": None}]),
        # Go's %q escapes the newline: '"b\\' sorts before '"b\n'
        ('setunion([{a = "b\\n"}], [{a = "b\\\\"}])', [{"a": "b\\"}, {"a": "b\n"}]),
        ("setunion([10, 9], [2])", [2, 9, 10]),  # numbers by value
        # a step into a value that is no name, and splats
        ('split("|", "StringLike|x:sub")[1]', "x:sub"),
        ('[{ a = { b = ["x", "y"] } }, { a = { b = ["z"] } }][*].a.b[0]', ["x", "z"]),
        ('{ a = "x" }[*].a', ["x"]),  # a value that is no list is a list of itself
        ("null[*].a", []),
        ('[{ a = "x" }, { a = "y" }].*.a', ["x", "y"]),
        ("toset([{a = 2}, {a = 10}, {a = 2}])", [{"a": 10}, {"a": 2}]),  # '<10;>' < '<2;>'
        ('toset(["b", "a", "b"])', ["a", "b"]),
        ('contains(["a", "b"], "b")', True),
        ('contains(["a", "b"], "c")', False),
        ("contains([1, 2], 2)", True),
        ('substr("hello world", 1, 4)', "ello"),
        ('substr("hello", -3, -1)', "llo"),
        ('substr("hello", -3, 2)', "ll"),
        ('substr("hello", 2, 100)', "llo"),
        ('substr("hello", 9, 2)', ""),
        ('substr("hello", 1, 0)', ""),
        ("keys({ b = 1, a = 2 })", ["a", "b"]),
        ("values({ b = 1, a = 2 })", [2, 1]),
        ('coalescelist([], ["a"], ["b"])', ["a"]),
        ("one([])", None),
        ('one(["a"])', "a"),
        ('sort(["b", "a", "B"])', ["B", "a", "b"]),
        ('startswith("repo:o/r:ref", "repo:o/")', True),
        ('startswith("repo:o/r", "repo:x/")', False),
        ('endswith("repo:o/r:ref:refs/heads/main", "/main")', True),
        ('endswith("a", "")', True),
        ('jsondecode("{\\"a\\": [1, \\"x\\"]}")', {"a": [1, "x"]}),
        ('jsondecode(jsonencode({ a = "b" }))', {"a": "b"}),
        ('coalesce(null, "", "a")', "a"),
        ('lookup({ a = "x" }, "b", "d")', "d"),
        ('element(["a", "b"], 3)', "b"),
        ('compact(["a", "", "b"])', ["a", "b"]),
        ('length(["a", "b"])', 2),
        ('tolist(toset(["b", "a", "b"]))', ["a", "b"]),
        # regex and regexall in RE2's semantics
        ('regex("[0-9]+", "role-123-x")', "123"),
        ('regex("^repo:([^/]+)/(.*)$", "repo:o/r")', ["o", "r"]),
        ('regex("(?P<org>[a-z]+)/(?P<repo>[a-z]+)", "o/r")', {"org": "o", "repo": "r"}),
        ('regex("(a)|(b)", "b")', [None, "b"]),
        ('regexall("[a-z]+", "ab 12 cd")', ["ab", "cd"]),
        ('regexall("x", "abc")', []),
        ('regexall("a*", "baaa")', ["", "aaa"]),  # Go: no empty match right after one
        ('regexall("a??", "ab")', ["", "", ""]),  # Go moves on after an empty match
        ('replace("abxd", "/x*/", "-")', "-a-b-d-"),
        ('regex("\\\\d+", "٣3")', "3"),  # RE2's \d is ASCII
        ("alltrue([true, true])", True),
        ("alltrue([])", True),
        ("alltrue([true, false])", False),
        ("anytrue([false, true])", True),
        ("anytrue([])", False),
        ("range(3)", [0, 1, 2]),
        ("range(1, 4)", [1, 2, 3]),
        ("range(4, 1)", [4, 3, 2]),
        ("range(0, 10, 4)", [0, 4, 8]),
        ("range(-3)", [0, -1, -2]),
        ("range(0)", []),
        ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}),
        ('slice(["a", "b", "c", "d"], 1, 3)', ["b", "c"]),
        ('slice(["a"], 1, 1)', []),
        ('reverse(["a", "b", "c"])', ["c", "b", "a"]),
        ('index(["a", "b", "c"], "b")', 1),
        ('setintersection(["b", "a", "c"], ["c", "b"], ["b", "c", "d"])', ["b", "c"]),
        ('setsubtract(["c", "a", "b"], ["b"])', ["a", "c"]),
        ('trim("?!hello?!", "!?")', "hello"),
        ('trimprefix("repo:o/r", "repo:")', "o/r"),
        ('trimsuffix("o/r:ref", ":ref")', "o/r"),
        ('trimspace("\\u00a0 x\\n")', "x"),
        ('trimspace("\\u001cx")', "\x1cx"),  # not a space to Go
        ('title("hello wORLD-x_y")', "Hello WORLD-X_y"),
        ('tonumber("42")', 42),
        # a decimal string of a whole number, and a number literal that is one, are that
        # number exactly (terraform console: 1500, 7, 10, "5", "true", "100000000000000000000")
        ('tonumber("1.5e3")', 1500),
        ('tonumber("+7")', 7),
        ("length(jsonencode({ a = 1e3 }))", 10),
        ("tostring(5)", "5"),
        ("tostring(true)", "true"),
        ("tostring(1e20)", "100000000000000000000"),
        ("tonumber(7)", 7),
        ('tobool("true")', True),
        ("tobool(false)", False),
        # jsonencode's text, where a function takes it as a string, is Terraform's:
        # compact, keys sorted, < > & escaped as Go writes them
        ('replace(jsonencode({ b = "<", a = 1 }), "x", "y")', '{"a":1,"b":"\\u003c"}'),
        ('format("%s", jsonencode({ b = "&", a = [true] }))', '{"a":[true],"b":"\\u0026"}'),
        ('jsonencode({ b = 1, a = 2 }) == "{\\"a\\":2,\\"b\\":1}"', True),
        # format() converts as tostring() and tonumber() do (a bool is "true", not "True")
        ('format("%s", true)', "true"),
        ('format("%s-%d", false, 7)', "false-7"),
        ('format("%d", "12")', "12"),
        ('format("arn:aws:iam::%s:root", 123456789012)', "arn:aws:iam::123456789012:root"),
    ],
)
def test_a_function_on_known_arguments_is_evaluated(
    tmp_path: Path, expression: str, value: object
) -> None:
    assert plain(_value(tmp_path, expression)) == {"v": value}


@pytest.mark.parametrize(
    "expression",
    [
        'setunion(["a"], [1])',  # Terraform converts 1 to "1": not evaluated
        'setunion([{a = "x"}], [{b = "x"}])',  # objects of other attributes
        'setunion([{a = "x"}], [{a = 1}])',  # converted to one type first
        'setunion([{a = "é"}], [{a = "e"}])',  # Go's %q of non-ASCII: not reproduced
        "setunion([{a = 1.5}])",
        "setunion([{a = 12345678901}])",  # big.Float.String() goes exponential
        'contains(["1"], 1)',
        'substr("héllo", 0, 2)',  # grapheme clusters
        "sort([2, 1])",
        'setunion(["a"], var.unset)',
        'startswith(var.unset, "a")',
        "keys(var.unset)",
        'regex(var.unset, "a")',
        'regexall("a", var.unset)',
        "alltrue([true, var.unset])",
        "range(var.unset)",
        'zipmap(["a"], var.unset)',
        # what Python's engine reads otherwise than RE2
        'regex("(a)\\\\1", "aa")',  # a backreference: an error in RE2
        'regex("a(?=b)", "ab")',  # a lookahead
        'regex("(?U)a+", "aaa")',  # ungreedy in RE2
        'regex("a{,2}", "a{,2}")',  # a literal in RE2
        'regex("[[:digit:]]+", "12")',
        'regex("a$", "a\\n")',  # Python's $ matches before the final newline
        'regex("(?i)k", "\\u212a")',  # RE2 folds the Kelvin sign
        'regexall("(a+)+$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!")',  # could backtrack
        "range(0, 2000000)",  # past the size limits
        "range(0, 5, -1)",
        "range(0, 5, 0)",
        "range(0.5)",
        'title("élan vital")',
        "tostring(1.5)",  # a fraction's text: cty writes digits keyless does not hold
        "tostring(-0)",  # "-0"
        "tostring(0 * -1)",  # "-0": cty's zero product keeps the sign
        'tobool("1")',
        'setintersection(["a"], [1])',
        'index(["1"], 1)',
        # jsonencode's text with a fraction: keyless does not reproduce Go's digits
        'replace(jsonencode({ a = 0.5 }), "x", "y")',
        'jsonencode({ a = 0.5 }) == "{\\"a\\":0.5}"',
        # a policy document's text is laid out by the AWS provider
        'replace(data.aws_iam_policy_document.d.json, "x", "y")',
        # what format() cannot write as Terraform does: a fraction's text, and values
        # Terraform refuses to format (a list, null, a fraction as %d)
        'format("%s", 1.5)',
        'format("%s", ["a"])',
        'format("%s", null)',
        'format("%d", 1.5)',
        'format("%d", "x")',
    ],
)
def test_a_function_keyless_does_not_evaluate_here_is_unknown(
    tmp_path: Path, expression: str
) -> None:
    declarations = 'variable "unset" {}\n' + _POLICY_DOCUMENT
    assert not _value(tmp_path, expression, declarations).is_known


_POLICY_DOCUMENT = (
    'data "aws_iam_policy_document" "d" {\n  statement {\n    actions = ["s3:*"]\n'
    '    resources = ["*"]\n  }\n}\n'
)


def test_a_trust_policy_holding_json_text_keyless_cannot_write_is_not_judged(
    tmp_path: Path,
) -> None:
    # a condition value that is jsonencode's text of a fraction: its exact text is Go's
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_role" "r" {\n  assume_role_policy = jsonencode({\n'
        '    Version = "2012-10-17"\n    Statement = [{ Effect = "Allow",\n'
        '      Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole",\n'
        '      Condition = { StringEquals = { "aws:PrincipalTag/x" = jsonencode(0.5) } } }]\n'
        "  })\n}\n"
    )
    result = scan([tmp_path])
    (unread,) = result.unread
    assert "not judged" in unread.reason
    assert "not known exactly" in unread.reason


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        # an index or key the value lacks is an error in Terraform: try() moves on
        (
            'try(local.settings.subjects, ["repo:o/r:ref:refs/heads/main"])',
            ["repo:o/r:ref:refs/heads/main"],
        ),
        ('try(local.settings.audience, "x")', "sts.amazonaws.com"),
        ('try(local.names[3], "none")', "none"),
        ('try(aws_iam_user.none[0].arn, "absent")', "absent"),
        ('try(lookup(local.settings, "nope"), "d")', "d"),
        ('try(one(["a", "b"]), "many")', "many"),
        ('try(jsondecode("not json"), "raw")', "raw"),
        ('try(coalescelist([], []), ["fallback"])', ["fallback"]),
        ('try(regex("x", "abc"), "none")', "none"),
        ('try(regex("(?P<a>x)(y)", "xy"), "mixed")', "mixed"),
        ('try(zipmap(["a", "b"], [1]), {})', {}),
        ('try(slice(["a"], 0, 2), [])', []),
        ('try(index(["a"], "b"), -1)', -1),
        ('try(tonumber("abc"), 0)', 0),
        ('try(tobool("yes"), false)', False),
        ('can(regex("^arn:", "arn:aws:iam::1:role/r"))', True),
        ('can(regex("^arn:", "role/r"))', False),
        ("can(local.settings.subjects)", False),
        ("can(local.settings.audience)", True),
        ('try(local.settings.audience, local.settings.missing, "x")', "sts.amazonaws.com"),
    ],
)
def test_try_takes_the_first_argument_terraform_evaluates_without_error(
    tmp_path: Path, expression: str, value: object
) -> None:
    declarations = """
locals {
  settings = { audience = "sts.amazonaws.com" }
  names    = ["a"]
}
resource "aws_iam_user" "none" {
  count = 0
  name  = "u"
}
"""
    text = declarations + ROLE.format(expression=expression)
    (tmp_path / "main.tf").write_text(text)
    roles = [r for r in read_paths([tmp_path]).resources if r.address == "aws_iam_role.r"]
    (role,) = roles
    assert role.trust is not None
    assert plain(role.trust) == {"v": value}


@pytest.mark.parametrize(
    "expression",
    [
        # keyless does not know whether these fail, so neither what try() returns
        'try(var.unset.subjects, ["fallback"])',
        'try(upper(unknownfn("x")), "fallback")',
        'try(data.aws_ssm_parameter.p.value, "fallback")',
        '[for s in ["x"] : try(var.unset[s], "fallback")]',
        "can(var.unset.subjects)",
        # a later argument known does not decide: the earlier one may succeed
        'try(local.partial.subjects, "fallback")',
    ],
)
def test_try_of_an_unknown_argument_is_unknown(tmp_path: Path, expression: str) -> None:
    declarations = """
variable "unset" {}
data "aws_ssm_parameter" "p" {
  name = "x"
}
locals {
  partial = { subjects = ["a", var.unset] }
}
"""
    trust = _value(tmp_path, expression, declarations)
    assert not trust.is_known


def test_try_of_an_unset_variable_keeps_its_stand_in(tmp_path: Path) -> None:
    trust = _value(tmp_path, 'try(var.unset, "x")', 'variable "unset" {}\n')
    (unknown,) = unknowns(trust)
    assert unknown.stand_in is not None


def test_try_with_every_argument_failing_is_unknown_not_a_guess(tmp_path: Path) -> None:
    trust = _value(tmp_path, "try(local.l[1], local.l[2])", "locals {\n  l = []\n}\n")
    (unknown,) = unknowns(trust)
    assert "none of its arguments" in unknown.reason


def test_an_attribute_an_optional_typed_variable_lacks_takes_its_default(
    tmp_path: Path,
) -> None:
    # Terraform fills optional attributes with their default: try() returns that, not
    # the fallback (terraform console: ["default"]); without a default, null
    declarations = """
variable "settings" {
  type    = object({ subjects = optional(list(string), ["default"]) })
  default = {}
}
"""
    trust = _value(tmp_path, 'try(var.settings.subjects, ["fallback"])', declarations)
    assert plain(trust) == {"v": ["default"]}
    plain_null = declarations.replace(', ["default"]', "")
    trust = _value(tmp_path, 'try(var.settings.subjects, ["fallback"])', plain_null)
    assert plain(trust) == {"v": None}


def test_an_attribute_an_untyped_variable_lacks_makes_try_move_on(tmp_path: Path) -> None:
    declarations = 'variable "settings" {\n  default = {}\n}\n'
    trust = _value(tmp_path, 'try(var.settings.subjects, ["fallback"])', declarations)
    assert plain(trust) == {"v": ["fallback"]}


def test_a_data_source_attribute_keyless_does_not_know_is_not_an_error(tmp_path: Path) -> None:
    declarations = 'data "aws_caller_identity" "c" {}\n'
    trust = _value(tmp_path, 'try(data.aws_caller_identity.c.arn, "x")', declarations)
    assert not trust.is_known


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        # terraform console: [], [], [], ["a", "subjects"]
        ('try(merge(var.settings, { a = "b" }).subjects, ["fallback"])', []),
        ('try(lookup(var.settings, "subjects"), ["fallback"])', []),
        ('lookup(var.settings, "subjects", ["fallback"])', []),
        ("keys(var.settings)", ["a", "subjects"]),
    ],
)
def test_functions_of_an_optional_typed_variable_see_its_defaulted_attributes(
    tmp_path: Path, expression: str, value: object
) -> None:
    declarations = """
variable "settings" {
  type    = object({ subjects = optional(list(string), []), a = optional(string, "x") })
  default = {}
}
"""
    assert plain(_value(tmp_path, expression, declarations)) == {"v": value}


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ('try(merge(var.settings, { a = "b" }).subjects, ["fallback"])', None),
        ('lookup(var.settings, "subjects", ["fallback"])', None),
        ("keys(var.settings)", ["a", "subjects"]),
    ],
)
def test_functions_of_an_optional_typed_variable_see_its_null_attributes(
    tmp_path: Path, expression: str, value: object
) -> None:
    """optional(T) without a default is filled with null: the object has the attribute."""
    declarations = """
variable "settings" {
  type    = object({ subjects = optional(list(string)), a = optional(string) })
  default = {}
}
"""
    assert plain(_value(tmp_path, expression, declarations)) == {"v": value}


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        # no such file inside the scanned directory: Terraform fails, try() moves on
        ('try(file("missing.json"), "{}")', "{}"),
        ('try(file("${path.module}/policies/missing.json"), "{}")', "{}"),
        ('can(file("missing.json"))', False),
        ('try(templatefile("missing.tpl", {}), "x")', "x"),
        ('try(file("latin1.txt"), "not utf-8")', "not utf-8"),
        ('try(file("present.json"), "{}")', '{"a": 1}'),
    ],
)
def test_a_missing_file_inside_the_scanned_directory_fails_as_in_terraform(
    tmp_path: Path, expression: str, value: object
) -> None:
    (tmp_path / "present.json").write_text('{"a": 1}')
    (tmp_path / "latin1.txt").write_bytes(b"caf\xe9")
    assert plain(_value(tmp_path, expression)) == {"v": value}


@pytest.mark.parametrize(
    "expression",
    [
        # keyless does not read these, so it does not know whether Terraform would fail
        'try(file("../outside/missing.json"), "{}")',
        'try(file("linked/missing.json"), "{}")',
        'can(file("/nonexistent/missing.json"))',
    ],
)
def test_a_file_outside_the_scanned_directory_or_behind_a_link_stays_unknown(
    tmp_path: Path, expression: str
) -> None:
    scanned = tmp_path / "scanned"
    scanned.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (scanned / "linked").symlink_to(tmp_path / "elsewhere")
    assert not _value(scanned, expression).is_known


def test_a_range_terraform_refuses_says_so(tmp_path: Path) -> None:
    """Terraform fails on range() of more than 1,024 values; the reason said "too large to
    evaluate (more than 4,194,304 values…)", a limit of keyless's that was not the one hit."""
    value = _value(tmp_path, "range(2000)")
    assert not value.is_known
    (reason,) = {u.reason for u in unknowns(value)}
    assert reason == "range() fails: more than 1,024 values would be generated"
