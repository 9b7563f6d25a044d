"""Terraform's JSON configuration syntax (``*.tf.json``, ``*.tofu.json``: what ``cdktf synth``
and other generators write) read into the same blocks as ``.tf`` files and judged. Before,
such files were only listed as notes: a role open to anyone in a CDKTF stack passed the
guard with exit 0.
https://developer.hashicorp.com/terraform/language/syntax/json
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from keyless.findings import FileLocation, Finding
from keyless.iac.read import read_paths
from keyless.iac.scan import scan
from keyless.iac.values import plain
from tests.iac.conftest import TERRAFORM, terraform_console
from tests.iac.support import ANYONE, json_role, only_trust, write_json


def _line(finding: Finding) -> int:
    assert isinstance(finding.location, FileLocation)
    return finding.location.line


def _line_of(path: Path, text: str) -> int:
    lines = path.read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def test_a_role_open_to_anyone_is_found_on_its_line(tmp_path: Path) -> None:
    path = write_json(tmp_path / "main.tf.json", json_role(json.dumps(ANYONE)))
    result = scan([tmp_path])
    (finding,) = [f for f in result.findings if f.check == "trust-anyone"]
    assert _line(finding) == _line_of(path, "assume_role_policy")
    assert result.exit_code() == 1


def test_a_policy_document_with_statement_arrays_is_read(tmp_path: Path) -> None:
    document = {
        "data": {
            "aws_iam_policy_document": {
                "t": {
                    "statement": [
                        {
                            "actions": ["sts:AssumeRole"],
                            "principals": [{"type": "AWS", "identifiers": ["*"]}],
                        }
                    ]
                }
            }
        },
        **json_role("${data.aws_iam_policy_document.t.json}"),
    }
    path = write_json(tmp_path / "cdk.tf.json", document)
    (finding,) = [f for f in scan([tmp_path]).findings if f.check == "trust-anyone"]
    # the principal's own line, inside the data source
    assert _line(finding) == _line_of(path, '"*"')


def test_nested_blocks_may_be_single_objects(tmp_path: Path) -> None:
    statement = {
        "actions": ["sts:AssumeRole"],
        "principals": {"type": "AWS", "identifiers": ["arn:aws:iam::123456789012:root"]},
        "condition": {"test": "StringEquals", "variable": "sts:ExternalId", "values": ["x"]},
    }
    document = {
        "data": {"aws_iam_policy_document": {"t": {"statement": statement}}},
        **json_role("${data.aws_iam_policy_document.t.json}"),
    }
    write_json(tmp_path / "main.tf.json", document)
    (only,) = plain(only_trust(tmp_path))["Statement"]
    assert only["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    assert only["Condition"] == {"StringEquals": {"sts:ExternalId": "x"}}


def test_a_dynamic_block_in_json_is_expanded(tmp_path: Path) -> None:
    document = {
        "data": {
            "aws_iam_policy_document": {
                "t": {
                    "statement": {
                        "actions": ["sts:AssumeRole"],
                        "dynamic": {
                            "principals": {
                                "for_each": "${var.accounts}",
                                "iterator": "account",
                                "content": {
                                    "type": "AWS",
                                    "identifiers": ["arn:aws:iam::${account.value}:root"],
                                },
                            }
                        },
                    }
                }
            }
        },
        "variable": {"accounts": {"default": ["111122223333"]}},
        **json_role("${data.aws_iam_policy_document.t.json}"),
    }
    write_json(tmp_path / "main.tf.json", document)
    (only,) = plain(only_trust(tmp_path))["Statement"]
    assert only["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}


def test_jsonencode_in_an_interpolation_is_the_document(tmp_path: Path) -> None:
    trust = '${jsonencode({Statement = [{Effect = "Allow", Principal = "*"}]})}'
    write_json(tmp_path / "main.tf.json", json_role(trust))
    assert plain(only_trust(tmp_path)) == {"Statement": [{"Effect": "Allow", "Principal": "*"}]}


def test_a_literal_json_string_is_a_template(tmp_path: Path) -> None:
    trust = json.dumps({"Statement": [{"Principal": {"AWS": "arn:aws:iam::${var.a}:root"}}]})
    document = json_role(trust, variable={"a": {"type": "string", "default": "123456789012"}})
    write_json(tmp_path / "main.tf.json", document)
    principal = plain(only_trust(tmp_path))["Statement"][0]["Principal"]
    assert principal == {"AWS": "arn:aws:iam::123456789012:root"}


def test_a_variable_default_is_taken_literally(tmp_path: Path) -> None:
    # Terraform does not read a default's strings as templates: "${x}" is those characters.
    trust = '${jsonencode({v = var.a, w = "$${x}"})}'
    write_json(tmp_path / "main.tf.json", json_role(trust, variable={"a": {"default": "${x}"}}))
    assert plain(only_trust(tmp_path)) == {"v": "${x}", "w": "${x}"}


def test_comment_properties_are_ignored(tmp_path: Path) -> None:
    document = {
        "//": {"metadata": {"version": "0.20.0", "stackName": "app"}},
        "resource": {
            "aws_iam_role": {
                "r": {"//": "a comment", "assume_role_policy": json.dumps(ANYONE)},
            }
        },
    }
    write_json(tmp_path / "cdk.tf.json", document)
    result = scan([tmp_path])
    assert result.unread == ()
    assert [f.check for f in result.findings] == ["trust-anyone"]


def test_a_module_mixing_tf_and_tf_json_is_read_as_one(tmp_path: Path) -> None:
    (tmp_path / "variables.tf").write_text('variable "open" {\n  default = "*"\n}\n')
    statement = '{Effect = "Allow", Action = "sts:AssumeRole", Principal = var.open}'
    trust = f"${{jsonencode({{Statement = [{statement}]}})}}"
    write_json(tmp_path / "main.tf.json", json_role(trust, locals={"p": "${var.open}"}))
    (tmp_path / "user.tf").write_text('resource "aws_iam_user" "u" {\n  name = local.p\n}\n')
    result = scan([tmp_path])
    assert sorted(f.check for f in result.findings) == ["iac-iam-user", "trust-anyone"]
    assert result.unread == ()


def test_a_local_module_called_from_json_is_read_with_its_inputs(tmp_path: Path) -> None:
    (tmp_path / "role").mkdir()
    (tmp_path / "role" / "main.tf").write_text(
        'variable "principal" {}\nresource "aws_iam_role" "r" {\n'
        '  assume_role_policy = jsonencode({Statement = [{Effect = "Allow", '
        'Action = "sts:AssumeRole", Principal = var.principal}]})\n}\n'
    )
    write_json(tmp_path / "main.tf.json", {"module": {"m": {"source": "./role", "principal": "*"}}})
    result = scan([tmp_path])
    assert [(f.check, f.evidence["address"]) for f in result.findings] == [
        ("trust-anyone", "module.m.aws_iam_role.r")
    ]


def test_several_blocks_with_the_same_labels_as_an_array(tmp_path: Path) -> None:
    document = {"resource": {"aws_iam_user": {"u": [{"name": "a"}]}}, "provider": {"aws": []}}
    write_json(tmp_path / "main.tf.json", document)
    assert [r.address for r in read_paths([tmp_path]).resources] == ["aws_iam_user.u"]


def test_a_tofu_json_file_replaces_the_tf_json_file_of_its_name(tmp_path: Path) -> None:
    write_json(tmp_path / "main.tf.json", json_role(json.dumps(ANYONE)))
    write_json(tmp_path / "main.tofu.json", {"resource": {"aws_iam_user": {"u": {"name": "a"}}}})
    model = read_paths([tmp_path])
    assert [r.address for r in model.resources] == ["aws_iam_user.u"]


def test_an_override_file_in_json_stays_unread(tmp_path: Path) -> None:
    write_json(tmp_path / "main.tf.json", {"resource": {"aws_iam_user": {"u": {"name": "a"}}}})
    write_json(tmp_path / "override.tf.json", json_role(json.dumps(ANYONE)))
    result = scan([tmp_path])
    (unread,) = result.unread
    assert unread.where.endswith("override.tf.json")
    assert unread.reason.startswith("an override file")


def test_a_policy_documents_json_in_a_quoted_interpolation_is_the_document(
    tmp_path: Path,
) -> None:
    # "${x}" is x itself (HCL's template unwrapping), in .tf files as in .tf.json ones.
    (tmp_path / "main.tf").write_text(
        'data "aws_iam_policy_document" "t" {\n  statement {\n    actions = ["sts:AssumeRole"]\n'
        '    principals {\n      type        = "AWS"\n      identifiers = ["*"]\n    }\n  }\n}\n'
        'resource "aws_iam_role" "r" {\n'
        '  assume_role_policy = "${data.aws_iam_policy_document.t.json}"\n}\n'
    )
    assert [f.check for f in scan([tmp_path]).findings] == ["trust-anyone"]


LOCALS = {
    "//": "a comment",
    "variable": {"v": {"default": "${x}", "type": "string"}},
    "locals": {
        "all": {
            "unwrapped": "${[1, 2.0]}",
            "template": "pre-${var.v}-${1 + 1}",
            "escaped": "$${literal} %%{x}",
            '${upper("k")}': 1.0,
            "directive": "%{ if true }y%{ endif }",
            "nested": [True, None, {"a": "${local.b}"}],
            "//": "a key like any other in an expression",
            "backslash": 'a\\nb ${"x\\ty"} \u00e9 $${',
            "text": "$ 100% {",
            "inner": '${ {"k" = [1, "${1+1}"]} }',
            "numbers": [1e3, -0.5],
            'key_${upper("x")}': None,
        },
        "b": '${"b"}',
    },
}


@pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on this machine")
def test_keyless_reads_json_syntax_as_terraform_console_does(tmp_path: Path) -> None:
    write_json(tmp_path / "main.tf.json", LOCALS)
    value = terraform_console(tmp_path, "local.all")
    (tmp_path / "role.tf").write_text(
        'resource "aws_iam_role" "r" {\n  assume_role_policy = jsonencode({ v = local.all })\n}\n'
    )
    assert plain(only_trust(tmp_path)) == {"v": value}


def test_keyless_trust_takes_a_tf_json_file(tmp_path: Path) -> None:
    from keyless.iac.trust import assess_file, is_infrastructure_file

    path = write_json(tmp_path / "cdk.tf.json", json_role(json.dumps(ANYONE)))
    assert is_infrastructure_file(path)
    (role,) = assess_file(path).roles
    assert role.resource.address == "aws_iam_role.r"


def test_what_is_not_known_is_quoted_as_written(tmp_path: Path) -> None:
    principal = "${jsonencode({Statement = [{Principal = {AWS = var.v}}]})}"
    document = json_role(principal, variable={"v": {"type": "list(string)", "default": "x"}})
    write_json(tmp_path / "main.tf.json", document)
    (unread,) = scan([tmp_path]).unread
    assert "var.v at line" in unread.reason
    assert unread.reason.endswith("(type list(string))")


def test_for_each_over_a_json_object(tmp_path: Path) -> None:
    statement = '{Effect = "Allow", Action = "sts:AssumeRole", Principal = {AWS = each.value}}'
    document = json_role(f"${{jsonencode({{Statement = [{statement}]}})}}")
    document["resource"]["aws_iam_role"]["r"]["for_each"] = {"a": "111122223333", "b": "*"}
    write_json(tmp_path / "main.tf.json", document)
    found = {(f.check, f.evidence["address"]) for f in scan([tmp_path]).findings}
    assert ("trust-anyone", 'aws_iam_role.r["b"]') in found
    assert ("trust-anyone", 'aws_iam_role.r["a"]') not in found
    assert ("trust-cross-account-no-external-id", 'aws_iam_role.r["a"]') in found


CONDITIONAL_ARN = "arn:aws:iam::${var.x == 1 ? var.x : upper(var.x)}:root"


CONDITIONAL_POLICY = json.dumps(
    {
        "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": CONDITIONAL_ARN}}
        ]
    }
)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "main.tf",
            'variable "x" {}\nresource "aws_iam_role" "r" {\n  assume_role_policy = <<EOF\n'
            f"{CONDITIONAL_POLICY}\nEOF\n}}\n",
        ),
        ("main.tf.json", json.dumps(json_role(CONDITIONAL_POLICY, variable={"x": {}}))),
    ],
)
def test_what_an_interpolation_of_a_template_cannot_know_is_quoted_as_written(
    tmp_path: Path, name: str, text: str
) -> None:
    # A heredoc's (or JSON string's) interpolation was parsed from "x = …": messages quoted
    # the file's bytes at those offsets ("its condition is not known (able: …").
    (tmp_path / name).write_text(text)
    (unread,) = scan([tmp_path]).unread
    assert "its condition is not known (var.x: the variable has no default" in unread.reason


def test_an_interpolation_beside_a_directive_is_quoted_and_placed_as_written(
    tmp_path: Path,
) -> None:
    arn = "arn:aws:iam::%{ if true }${var.x == 1 ? var.x : upper(var.x)}%{ endif }:root"
    policy = CONDITIONAL_POLICY.replace(CONDITIONAL_ARN, arn)
    (tmp_path / "main.tf").write_text(
        f'variable "x" {{}}\nresource "aws_iam_role" "r" {{\n  assume_role_policy = <<EOF\n'
        f"{policy}\nEOF\n}}\n"
    )
    (unread,) = scan([tmp_path]).unread
    column = policy.index("${") + 3
    assert f"at line 4, column {column}: its condition is not known (var.x:" in unread.reason
