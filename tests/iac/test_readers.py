"""The readers one behaviour at a time: JSON and YAML with positions, HCL expressions,
policy documents, CloudFormation intrinsics, Terraform instances and modules, plans."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from keyless.iac.cloudformation import read_template
from keyless.iac.intrinsics import Template
from keyless.iac.jsonpos import JsonSyntaxError, parse_json
from keyless.iac.plan import read_plan
from keyless.iac.read import read_paths
from keyless.iac.values import Node, Position, Unknown, plain, pointer_positions, unknowns
from keyless.iac.yamlpos import YamlSyntaxError, parse_yaml

# ----- JSON ----------------------------------------------------------------------------------


def test_json_values_keep_their_line_and_column() -> None:
    node = parse_json('{\n  "a": [1,\n    {"b": "x"}]\n}')
    assert pointer_positions(node)["/a/1/b"] == Position(3, 11)


def test_json_escapes_are_decoded_as_the_standard_library_does() -> None:
    assert plain(parse_json('{"k": "caf\\u00e9 \\"q\\""}')) == json.loads(
        '{"k": "caf\\u00e9 \\"q\\""}'
    )


def test_json_duplicate_keys_are_refused_at_the_second_key() -> None:
    with pytest.raises(JsonSyntaxError, match="duplicate key 'a'") as error:
        parse_json('{"a": 1,\n "a": 2}')
    assert error.value.position == Position(2, 2)


def test_json_nesting_beyond_the_limit_is_an_error_not_a_crash() -> None:
    with pytest.raises(JsonSyntaxError, match="nested deeper"):
        parse_json("[" * 100_000)


# ----- YAML ----------------------------------------------------------------------------------


def _yaml(text: str) -> Any:
    return plain(parse_yaml(text))


def test_short_form_ref_is_the_long_form() -> None:
    assert _yaml("a: !Ref Bucket") == {"a": {"Ref": "Bucket"}}


def test_short_form_getatt_with_a_dot_is_a_pair() -> None:
    assert _yaml("a: !GetAtt Role.Arn") == {"a": {"Fn::GetAtt": ["Role", "Arn"]}}


def test_short_form_sub_with_variables_is_the_long_form() -> None:
    assert _yaml("a: !Sub ['${X}', {X: 1}]") == {"a": {"Fn::Sub": ["${X}", {"X": 1}]}}


def test_an_unquoted_policy_version_stays_the_string_written() -> None:
    assert _yaml("Version: 2012-10-17") == {"Version": "2012-10-17"}


def test_yaml_scalars_keep_their_positions() -> None:
    node = parse_yaml("Resources:\n  Role:\n    Type: AWS::IAM::Role\n")
    assert pointer_positions(node)["/Resources/Role/Type"] == Position(3, 11)


def test_an_alias_bomb_is_refused() -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [{', '.join(['*a' + str(i - 1)] * 10)}]" for i in range(1, 8)]
    with pytest.raises(YamlSyntaxError, match="too many values"):
        parse_yaml("\n".join(lines))


def test_malformed_yaml_names_the_position() -> None:
    with pytest.raises(YamlSyntaxError) as error:
        parse_yaml("a: [1, 2\nb: 3\n")
    assert error.value.position.line == 2


# ----- Terraform -----------------------------------------------------------------------------


def _roles(tmp_path: Path, text: str) -> dict[str, Node | None]:
    (tmp_path / "main.tf").write_text(text)
    return {r.address: r.trust for r in read_paths([tmp_path]).resources}


def _trust(expression: str) -> str:
    return f'resource "aws_iam_role" "r" {{\n  assume_role_policy = {expression}\n}}\n'


def test_count_expands_into_indexed_addresses(tmp_path: Path) -> None:
    text = 'resource "aws_iam_user" "u" {\n  count = 2\n  name = "u${count.index}"\n}\n'
    (tmp_path / "main.tf").write_text(text)
    model = read_paths([tmp_path])
    assert [(r.address, r.name) for r in model.resources] == [
        ("aws_iam_user.u[0]", "u0"),
        ("aws_iam_user.u[1]", "u1"),
    ]


def test_for_each_over_a_map_expands_into_keyed_addresses(tmp_path: Path) -> None:
    text = (
        'resource "aws_iam_user" "u" {\n  for_each = { a = "x", b = "y" }\n  name = each.value\n}\n'
    )
    (tmp_path / "main.tf").write_text(text)
    assert [r.address for r in read_paths([tmp_path]).resources] == [
        'aws_iam_user.u["a"]',
        'aws_iam_user.u["b"]',
    ]


def test_an_unknown_function_is_reported_with_its_name(tmp_path: Path) -> None:
    trust = _roles(tmp_path, _trust('filebase64("trust.json")'))["aws_iam_role.r"]
    assert trust is not None
    (unknown,) = unknowns(trust)
    assert (unknown.expression, unknown.reason) == (
        'filebase64("trust.json")',
        "the function filebase64() is not evaluated",
    )


def test_a_data_source_other_than_policy_documents_is_unknown(tmp_path: Path) -> None:
    text = 'data "aws_ssm_parameter" "p" {\n  name = "x"\n}\n' + _trust(
        "data.aws_ssm_parameter.p.value"
    )
    trust = _roles(tmp_path, text)["aws_iam_role.r"]
    assert trust is not None
    assert not trust.is_known


def test_a_local_referring_to_itself_is_unknown_not_a_hang(tmp_path: Path) -> None:
    text = "locals {\n  a = local.b\n  b = local.a\n}\n" + _trust("local.a")
    trust = _roles(tmp_path, text)["aws_iam_role.r"]
    assert trust is not None
    assert [u.reason for u in unknowns(trust)] == ["the local refers to itself"]


def test_template_directives_on_unknown_values_are_unknown(tmp_path: Path) -> None:
    trust = _roles(tmp_path, _trust('"%{ if var.x }x%{ endif }"'))["aws_iam_role.r"]
    assert trust is not None
    assert "no variable 'x'" in next(unknowns(trust)).reason


def test_format_join_and_regex_replace_are_evaluated(tmp_path: Path) -> None:
    expression = (
        'jsonencode({ a = format("%s-%d", "x", 2), b = join(",", ["p", "q"]),'
        ' c = replace("repo:o/r", "/^repo:/", "") })'
    )
    trust = _roles(tmp_path, _trust(expression))["aws_iam_role.r"]
    assert trust is not None
    assert plain(trust) == {"a": "x-2", "b": "p,q", "c": "o/r"}


def test_an_indented_heredoc_keeps_exact_columns(tmp_path: Path) -> None:
    text = _trust('<<-EOT\n    {\n      "Version": "2012-10-17"\n    }\n  EOT')
    trust = _roles(tmp_path, text)["aws_iam_role.r"]
    assert trust is not None
    assert pointer_positions(trust)["/Version"] == Position(4, 18)


def test_policy_document_renders_wildcard_principal_and_merges_conditions(tmp_path: Path) -> None:
    text = """
data "aws_iam_policy_document" "d" {
  statement {
    not_actions = ["iam:*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalOrgID"
      values   = ["o-1"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalOrgID"
      values   = ["o-2"]
    }
  }
}
""" + _trust("data.aws_iam_policy_document.d.json")
    trust = _roles(tmp_path, text)["aws_iam_role.r"]
    assert trust is not None
    (statement,) = plain(trust)["Statement"]
    assert statement == {
        "Effect": "Allow",
        "NotAction": "iam:*",
        "Principal": "*",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": ["o-1", "o-2"]}},
    }


def test_policy_document_overrides_replace_statements_by_sid(tmp_path: Path) -> None:
    text = """
data "aws_iam_policy_document" "base" {
  statement {
    sid     = "A"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}
data "aws_iam_policy_document" "d" {
  source_policy_documents = [data.aws_iam_policy_document.base.json]
  statement {
    sid     = "A"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}
""" + _trust("data.aws_iam_policy_document.d.json")
    trust = _roles(tmp_path, text)["aws_iam_role.r"]
    assert trust is not None
    assert [s["Principal"] for s in plain(trust)["Statement"]] == [{"Service": "ec2.amazonaws.com"}]


def test_a_local_module_is_read_with_the_inputs_of_its_call(tmp_path: Path) -> None:
    child = tmp_path / "modules" / "user"
    child.mkdir(parents=True)
    (child / "main.tf").write_text(
        'variable "name" {}\nresource "aws_iam_user" "this" {\n  name = var.name\n}\n'
    )
    (tmp_path / "main.tf").write_text(
        'module "ops" {\n  source = "./modules/user"\n  name = "ops"\n}\n'
    )
    model = read_paths([tmp_path])
    assert [(r.address, r.name) for r in model.resources] == [
        ("module.ops.aws_iam_user.this", "ops")
    ]


def test_a_module_calling_itself_is_noted_not_followed_forever(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('module "me" {\n  source = "./"\n}\n')
    model = read_paths([tmp_path / "main.tf"])
    assert any("loop back to ./" in note for note in model.notes)


@pytest.mark.parametrize("calls", [{"a": "./"}, {"a": "../b", "b": "../a"}])
def test_directories_only_a_loop_of_calls_reaches_are_read(
    tmp_path: Path, calls: dict[str, str]
) -> None:
    # Each was read only through its callers' calls, none read on its own: the user in
    # a/ went unreported, the scan clean (exit 0).
    for name, source in calls.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.tf").write_text(f'module "m" {{\n  source = "{source}"\n}}\n')
    with (tmp_path / "a" / "main.tf").open("a") as file:
        file.write('resource "aws_iam_user" "u" {\n  name = "u"\n}\n')
    addresses = {r.address for r in read_paths([tmp_path]).resources}
    assert "aws_iam_user.u" in addresses


# ----- CloudFormation ------------------------------------------------------------------------


def _evaluate(template: dict[str, Any], value: Any) -> Any:
    root = parse_json(json.dumps(template))
    return Template(root).evaluate(parse_json(json.dumps(value)))


def test_sub_keeps_escaped_literals() -> None:
    node = _evaluate({}, {"Fn::Sub": "${!Literal}-${AWS::AccountId}"})
    assert (node.value, node.notes) == (
        "${Literal}-000000000000",
        ("the deploying account is shown as 000000000000",),
    )


def test_sub_with_an_unknown_pseudo_parameter_is_unknown() -> None:
    node = _evaluate({}, {"Fn::Sub": "arn:aws:s3:${AWS::Region}:x"})
    assert isinstance(node.value, Unknown)
    assert node.value.reason == "${AWS::Region} is not known (known only at deploy)"


def test_no_value_removes_the_property() -> None:
    node = _evaluate({}, {"a": 1, "b": {"Ref": "AWS::NoValue"}})
    assert plain(node) == {"a": 1}


def test_find_in_map_and_select_are_evaluated() -> None:
    template = {"Mappings": {"M": {"k": {"v": ["a", "b"]}}}}
    node = _evaluate(template, {"Fn::Select": [1, {"Fn::FindInMap": ["M", "k", "v"]}]})
    assert node.value == "b"


def test_getatt_arn_of_a_named_role_is_its_arn() -> None:
    template = {
        "Resources": {
            "R": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "ci", "Path": "/ci/"}}
        }
    }
    node = _evaluate(template, {"Fn::GetAtt": ["R", "Arn"]})
    assert node.value == "arn:aws:iam::000000000000:role/ci/ci"


def test_a_parameter_without_default_is_unknown() -> None:
    template = {"Parameters": {"P": {"Type": "String"}}}
    node = _evaluate(template, {"Ref": "P"})
    assert isinstance(node.value, Unknown)
    assert node.value.reason == "the parameter has no default: pass --parameter P=VALUE"


def test_a_user_login_profile_is_its_own_resource() -> None:
    template = {
        "Resources": {
            "U": {"Type": "AWS::IAM::User", "Properties": {"LoginProfile": {"Password": "x"}}}
        }
    }
    found = read_template(Path("t.json"), parse_json(json.dumps(template)))
    assert [(r.kind.value, r.address) for r in found] == [
        ("iam-user", "U"),
        ("login-profile", "U.LoginProfile"),
    ]


# ----- plans and states ----------------------------------------------------------------------


def test_a_state_document_is_read_like_a_plan() -> None:
    state = {
        "format_version": "1.0",
        "values": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_iam_user.a",
                        "mode": "managed",
                        "type": "aws_iam_user",
                        "values": {"name": "a"},
                    }
                ]
            }
        },
    }
    found = read_plan(Path("s.json"), parse_json(json.dumps(state)))
    assert [(r.address, r.name) for r in found] == [("aws_iam_user.a", "a")]


def test_terraform_json_syntax_is_read_not_noted(tmp_path: Path) -> None:
    (tmp_path / "main.tf.json").write_text('{"resource": {"aws_iam_user": {"u": {}}}}')
    model = read_paths([tmp_path])
    assert [r.address for r in model.resources] == ["aws_iam_user.u"]
    assert model.notes == ()


def test_a_named_file_reports_only_its_own_resources(tmp_path: Path) -> None:
    (tmp_path / "a.tf").write_text('resource "aws_iam_user" "a" {\n  name = "a"\n}\n')
    (tmp_path / "b.tf").write_text('resource "aws_iam_user" "b" {\n  name = "b"\n}\n')
    model = read_paths([tmp_path / "a.tf"])
    assert [r.address for r in model.resources] == ["aws_iam_user.a"]


def test_a_directory_walked_beside_a_named_file_is_reported_whole(tmp_path: Path) -> None:
    (tmp_path / "a.tf").write_text('resource "aws_iam_user" "a" {\n  name = "a"\n}\n')
    (tmp_path / "b.tf").write_text('resource "aws_iam_user" "b" {\n  name = "b"\n}\n')
    model = read_paths([tmp_path / "a.tf", tmp_path])
    assert [r.address for r in model.resources] == ["aws_iam_user.a", "aws_iam_user.b"]


# ----- CloudFormation conditions and parameter types ----------------------------------------

_CONDITIONS: dict[str, Any] = {
    "Parameters": {
        "Stage": {"Type": "String", "Default": "dev"},
        "N": {"Type": "Number", "Default": 3},
        "F": {"Type": "Number", "Default": 1.5},
    },
    "Conditions": {
        "IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
        "IsDev": {"Fn::Not": [{"Condition": "IsProd"}]},
        "Home": {"Fn::Equals": [{"Ref": "AWS::Region"}, "eu-west-1"]},
        "ProdAtHome": {"Fn::And": [{"Condition": "IsProd"}, {"Condition": "Home"}]},
        "ProdOrHome": {"Fn::Or": [{"Condition": "IsProd"}, {"Condition": "Home"}]},
        "Three": {"Fn::Equals": ["3", {"Ref": "N"}]},
        "Loop": {"Fn::Not": [{"Condition": "Loop"}]},
        # a number with a fraction: Python's text of it ("1.5", "100.0") is not
        # CloudFormation's text of what was written (1.50, 1e2)
        "Fraction": {"Fn::Equals": [{"Ref": "F"}, "1.5"]},
        "Exponent": {"Fn::Or": [{"Fn::Equals": [["x", 1e2], ["x", "100.0"]]}]},
    },
}


@pytest.mark.parametrize(
    ("condition", "chosen"),
    [("IsProd", "no"), ("IsDev", "yes"), ("ProdAtHome", "no"), ("Three", "yes")],
)
def test_if_takes_the_branch_its_condition_decides(condition: str, chosen: str) -> None:
    node = _evaluate(_CONDITIONS, {"Fn::If": [condition, "yes", "no"]})
    assert node.value == chosen


@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        ("ProdOrHome", "condition ProdOrHome depends on Ref AWS::Region (known only at deploy)"),
        ("Loop", "the condition refers to itself"),
        ("Missing", "no such condition in Conditions"),
        ("Fraction", "Fn::Equals of the number 1.5, whose text is not known exactly"),
        ("Exponent", "Fn::Equals of the number 100.0, whose text is not known exactly"),
    ],
)
def test_if_with_an_undecided_condition_is_unknown(condition: str, reason: str) -> None:
    node = _evaluate(_CONDITIONS, {"Fn::If": [condition, "yes", "no"]})
    assert isinstance(node.value, Unknown)
    assert node.value.reason == reason


def test_if_choosing_no_value_removes_the_property() -> None:
    node = _evaluate(_CONDITIONS, {"a": {"Fn::If": ["IsProd", 1, {"Ref": "AWS::NoValue"}]}})
    assert plain(node) == {}


@pytest.mark.parametrize(
    ("condition", "given", "created"),
    [
        ("IsProd", {}, False),
        ("IsProd", {"Stage": "prod"}, True),
        ("IsDev", {}, True),
        ("ProdOrHome", {}, True),  # undecided: judged
    ],
)
def test_a_resource_whose_condition_is_false_is_not_created(
    tmp_path: Path, condition: str, given: dict[str, str], created: bool
) -> None:
    template = {
        **_CONDITIONS,
        "Resources": {"Legacy": {"Type": "AWS::IAM::User", "Condition": condition}},
    }
    (tmp_path / "t.json").write_text(json.dumps(template))
    model = read_paths([tmp_path], parameters=given)
    assert [r.address for r in model.resources] == (["Legacy"] if created else [])
    said = " ".join(model.notes)
    assert ("Legacy is not created: its condition IsProd is false" in said) is not created


def test_an_ssm_parameter_type_is_unknown_not_its_default() -> None:
    template = {
        "Parameters": {"Org": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/ci/org"}}
    }
    node = _evaluate(template, {"Fn::Sub": "repo:${Org}/*"})
    assert isinstance(node.value, Unknown)
    assert node.value.reason == (
        "${Org} is not known (its value is read from SSM parameter /ci/org at deploy: "
        "pass --parameter Org=VALUE)"
    )


# ----- Terraform dynamic blocks and numbers --------------------------------------------------

_DYNAMIC = """
data "aws_iam_policy_document" "d" {{
  statement {{
    actions = ["sts:AssumeRole"]
    principals {{
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }}
    dynamic "condition" {{
      for_each = {for_each}
      {iterator}
      content {{
        test     = "StringEquals"
        variable = {name}.key
        values   = {name}.value
      }}
    }}
  }}
}}
"""


def _dynamic_trust(tmp_path: Path, for_each: str, iterator: str = "") -> Node:
    name = iterator or "condition"
    text = _DYNAMIC.format(
        for_each=for_each, iterator=f"iterator = {iterator}" if iterator else "", name=name
    ) + _trust("data.aws_iam_policy_document.d.json")
    trust = _roles(tmp_path, text)["aws_iam_role.r"]
    assert trust is not None
    return trust


@pytest.mark.parametrize("iterator", ["", "c"])
def test_a_dynamic_condition_is_expanded_per_element(tmp_path: Path, iterator: str) -> None:
    trust = _dynamic_trust(
        tmp_path, '{ "sts:ExternalId" = ["x"], "aws:SourceAccount" = ["1"] }', iterator
    )
    (statement,) = plain(trust)["Statement"]
    assert statement["Condition"] == {
        "StringEquals": {"sts:ExternalId": "x", "aws:SourceAccount": "1"}
    }


def test_a_dynamic_condition_over_nothing_adds_no_condition(tmp_path: Path) -> None:
    trust = _dynamic_trust(tmp_path, "{}")
    (statement,) = plain(trust)["Statement"]
    assert "Condition" not in statement


def test_a_dynamic_block_whose_for_each_is_unknown_leaves_the_policy_unknown(
    tmp_path: Path,
) -> None:
    (tmp_path / "variables.tf").write_text('variable "conditions" {}\n')
    trust = _dynamic_trust(tmp_path, "var.conditions")
    (unknown,) = unknowns(trust)
    assert unknown.expression == "var.conditions"
    assert unknown.reason.startswith('the for_each of dynamic "condition" is not known')


@pytest.mark.parametrize(
    ("expression", "value"),
    [("3 > 2", True), ("2 >= 3", False), ("1 < 1", False), ("1 <= 1", True), ("7 % 4", 3)],
)
def test_number_comparisons_and_remainders_are_evaluated(
    tmp_path: Path, expression: str, value: object
) -> None:
    trust = _roles(tmp_path, _trust(f"jsonencode({{ v = {expression} }})"))["aws_iam_role.r"]
    assert trust is not None
    assert plain(trust) == {"v": value}


def test_a_null_principal_from_an_unset_variable_is_unknown_not_a_broken_policy(
    tmp_path: Path,
) -> None:
    text = """
variable "trusted_role_arn" {
  type    = string
  default = null
}
data "aws_iam_policy_document" "d" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = [var.trusted_role_arn]
    }
  }
}
""" + _trust("data.aws_iam_policy_document.d.json")
    trust = _roles(tmp_path, text)["aws_iam_role.r"]
    assert trust is not None
    (unknown,) = unknowns(trust)
    assert unknown.reason == "a value is null (a variable without a value?)"


def test_for_object_grouping_collects_the_values_of_each_key(tmp_path: Path) -> None:
    text = """
locals {
  repos = [{ org = "a", name = "x" }, { org = "b", name = "y" }, { org = "a", name = "z" }]
}
""" + _trust(
        "jsonencode({ all = { for r in local.repos : r.org => r.name... },"
        ' some = { for r in local.repos : r.org => r.name... if r.name != "z" } })'
    )
    trust = _roles(tmp_path, text)["aws_iam_role.r"]
    assert trust is not None
    assert plain(trust) == {
        "all": {"a": ["x", "z"], "b": ["y"]},
        "some": {"a": ["x"], "b": ["y"]},
    }


def test_an_output_showing_an_access_keys_secret_is_its_own_resource() -> None:
    template = {
        "Resources": {
            "Key": {"Type": "AWS::IAM::AccessKey", "Properties": {"UserName": "ci"}},
            "Vault": {
                "Type": "AWS::SecretsManager::Secret",
                "Properties": {"SecretString": {"Fn::GetAtt": ["Key", "SecretAccessKey"]}},
            },
        },
        "Outputs": {
            "KeyId": {"Value": {"Ref": "Key"}},
            "Secret": {"Value": {"Fn::GetAtt": ["Key", "SecretAccessKey"]}},
            "Pair": {"Value": {"Fn::Sub": "${Key}:${Key.SecretAccessKey}"}},
            "VaultArn": {"Value": {"Ref": "Vault"}},
        },
    }
    found = read_template(Path("t.json"), parse_json(json.dumps(template)))
    assert [(r.kind.value, r.address, r.name) for r in found] == [
        ("access-key", "Key", "ci"),
        ("secret-output", "Outputs.Secret", "Key"),
        ("secret-output", "Outputs.Pair", "Key"),
    ]
