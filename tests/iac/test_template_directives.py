"""Template directives (``%{ if }``, ``%{ for }``, strip markers ``~``) rendered on known
values as Terraform renders them, in quoted strings, heredocs and template files:
https://developer.hashicorp.com/terraform/language/expressions/strings#directives"""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.hcldirectives import MAX_ITERATIONS
from keyless.iac.read import read_paths
from keyless.iac.scan import scan
from keyless.iac.values import Node, plain, unknowns

ROLE = (
    'resource "aws_iam_role" "r" {{\n'
    "  assume_role_policy = jsonencode({{ v = {expression} }})\n"
    "}}\n"
)


def _value(tmp_path: Path, expression: str) -> Node:
    (tmp_path / "main.tf").write_text(ROLE.format(expression=expression))
    (role,) = read_paths([tmp_path]).resources
    assert role.trust is not None
    return role.trust


@pytest.mark.parametrize(
    ("expression", "text"),
    [
        ('"a%{ if true }b%{ else }c%{ endif }d"', "abd"),
        ('"a%{ if false }b%{ else }c%{ endif }d"', "acd"),
        ('"%{ if false }b%{ endif }"', ""),
        ('"%{ if "true" }y%{ endif }"', "y"),  # a string converts to bool
        ('"%{ for s in ["a", "b"] }${s},%{ endfor }"', "a,b,"),
        ('"%{ for i, s in ["x", "y"] }${i}${s}%{ endfor }"', "0x1y"),
        # a map's keys in lexical order
        ('"%{ for k, v in { b = "2", a = "1" } }${k}=${v};%{ endfor }"', "a=1;b=2;"),
        ('"%{ for s in ["a", "b"] }%{ if s == "a" }A%{ else }${s}%{ endif }%{ endfor }"', "Ab"),
        # strip markers take the whitespace of the literal beside them, newlines too
        ('"a \\n %{~ if true ~} \\n b %{~ endif ~}  c"', "abc"),
        ('"a %{ if true ~} b %{~ else } c %{ endif } d"', "a b d"),
        # the module's shape: a repository with a ref kept, one without widened
        (
            '[for r in ["o/a", "o/b:ref:refs/heads/main"] :'
            ' "repo:%{if length(regexall(":+", r)) > 0}${r}%{else}${r}:*%{endif}"]',
            ["repo:o/a:*", "repo:o/b:ref:refs/heads/main"],
        ),
        ('"%%{ if true }x"', "%{ if true }x"),  # an escaped directive is text
        # an interpolation's strip markers, in a quoted string (python-hcl2 refuses them)
        ('"a ${~ "x" ~} b"', "axb"),
        ('"a ${"x"~} b"', "a xb"),
        ('"a ${~"x"} b"', "ax b"),
        ('"a ${~ "b ${~ "c" ~} d" ~} e"', "abcde"),
        ('"a $${~ x ~} b"', "a ${~ x ~} b"),
        # Go's white space: U+3000 is taken, U+001F (Python's str.isspace) is kept
        ('"a\u3000${~"x"}"', "ax"),
        ('"a\u001f${~"x"}"', "a\u001fx"),
        # jsonencode's text as Terraform writes it: compact, keys sorted, < > & escaped
        (
            '"${jsonencode({ b = "<&>", a = [1, null] })}"',
            '{"a":[1,null],"b":"\\u003c\\u0026\\u003e"}',
        ),
    ],
)
def test_a_directive_on_known_values_is_rendered(
    tmp_path: Path, expression: str, text: object
) -> None:
    assert plain(_value(tmp_path, expression)) == {"v": text}


def test_a_heredoc_with_directives_is_rendered_line_by_line(tmp_path: Path) -> None:
    # HCL scans a heredoc's text one line at a time: a strip marker takes the whitespace of
    # the line beside it only, and `<<-` then finds no indentation to remove (the stripped
    # line before the first directive has none), as terraform console gives it.
    heredoc = (
        "<<-EOT\n"
        '    %{~ for r in ["o/a", "o/b"] ~}\n'
        "    repo:${r}:ref:refs/heads/main\n"
        "    %{~ endfor ~}\n"
        "    EOT\n"
    )
    assert plain(_value(tmp_path, heredoc)) == {
        "v": "    repo:o/a:ref:refs/heads/main\n    repo:o/b:ref:refs/heads/main\n"
    }


def test_a_flush_heredoc_loses_the_indentation_of_the_lines_that_start_with_text(
    tmp_path: Path,
) -> None:
    heredoc = (
        "<<-EOT\n"
        "    [\n"
        '    %{ for i, r in ["o/a", "o/b"] ~}\n'
        '      ${i > 0 ? "," : ""}"repo:${r}:*"\n'
        "    %{ endfor ~}\n"
        "    ]\n"
        "    EOT\n"
    )
    assert plain(_value(tmp_path, heredoc)) == {
        "v": '[\n      "repo:o/a:*"\n      ,"repo:o/b:*"\n    ]\n'
    }


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ('"%{ if var.unset }x%{ endif }"', "no variable 'unset'"),
        ('"%{ for s in var.unset }x%{ endfor }"', "no variable 'unset'"),
        ('"%{ if 1 }x%{ endif }"', "not a bool"),
        ('"%{ for s in "ab" }x%{ endfor }"', "not a list or map"),
        ('"%{ if true }x"', "without its %{ endif }"),
        ('"x%{ endfor }"', "without its opening directive"),
        (
            '"%{ for a in range(1024) }%{ for b in range(1024) }x%{ endfor }%{ endfor }"',
            "iterations",
        ),
    ],
)
def test_a_directive_keyless_cannot_render_is_unknown(
    tmp_path: Path, expression: str, reason: str
) -> None:
    (unknown, *_) = unknowns(_value(tmp_path, expression))
    assert reason in unknown.reason


def test_the_iteration_bound_is_terraform_sized() -> None:
    assert 1024 * 1024 > MAX_ITERATIONS >= 1024


def test_a_template_file_with_a_for_directive_is_judged(tmp_path: Path) -> None:
    (tmp_path / "trust.json.tpl").write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",\n'
        ' "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/'
        'token.actions.githubusercontent.com"},\n'
        ' "Action": "sts:AssumeRoleWithWebIdentity",\n'
        ' "Condition": {"StringEquals":\n'
        '  {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},\n'
        '  "StringLike": {"token.actions.githubusercontent.com:sub": [\n'
        "  %{~ for i, r in repos ~}\n"
        '    ${i > 0 ? "," : ""}"repo:${r}:*"\n'
        "  %{~ endfor ~}\n"
        "  ]}}}]}\n"
    )
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_role" "r" {\n'
        '  assume_role_policy = templatefile("trust.json.tpl", { repos = ["o/a", "o/b"] })\n'
        "}\n"
    )
    result = scan([tmp_path])
    assert result.unread == ()
    subjects = sorted(f.witness["claims"]["sub"] for f in result.findings if f.witness)
    assert "repo:o/a:pull_request" in subjects


def test_a_policy_documents_text_in_a_template_stays_unknown(tmp_path: Path) -> None:
    # the AWS provider lays its JSON out itself: keyless does not guess the text
    (tmp_path / "main.tf").write_text(
        'data "aws_iam_policy_document" "d" {\n  statement {\n    actions = ["s3:*"]\n'
        '    resources = ["*"]\n  }\n}\n'
        + ROLE.format(expression='"doc: ${data.aws_iam_policy_document.d.json}"')
    )
    (role,) = read_paths([tmp_path]).resources
    assert role.trust is not None
    assert not role.trust.is_known
