"""Sets of objects, splats and template directives as keyless evaluates them, compared with
what ``terraform console`` gives for the same expressions (skipped without terraform)."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.read import read_paths
from keyless.iac.values import plain
from tests.iac.conftest import TERRAFORM, terraform_console

EXPRESSIONS = [
    'setunion([{t = "StringNotLike", v = ["b"]}], [{t = "StringLike", v = ["a", "c"]}],'
    ' [{t = "StringLike", v = ["a"]}], [{t = "StringNotLike", v = ["b"]}])',
    'setunion([{a = null}], [{a = "~"}], [{a = "x"}])',
    'setunion([{a = "b\\n"}], [{a = "b\\\\"}], [{a = "b\\t"}], [{a = "b\\""}])',
    "toset([{a = 2}, {a = 10}, {a = 2}, {a = -1}])",
    'toset([{a = true, b = ["x"]}, {a = false, b = []}, {a = true, b = []}])',
    "setunion([10, 9], [2])",
    'setunion([{test = "StringLike", variable = "x:sub", values = ["repo:o/r:*"]}],'
    ' [{test = "StringLike", variable = "x:aud", values = ["sts.amazonaws.com"]}])',
    '[{ a = { b = ["x", "y"] } }, { a = { b = ["z"] } }][*].a.b[0]',
    '{ a = "x" }[*].a',
    '[{ a = "x" }, { a = "y" }].*.a',
    'split("|", "StringLike|x:sub")[1]',
    '"a \\n %{~ if true ~} \\n b %{~ endif ~}  c"',
    '"a %{ if true ~} b %{~ else } c %{ endif } d"',
    '"%{ for k, v in { b = "2", a = "1" } }${k}=${v};%{ endfor }"',
    '"%{ for i, s in ["x", "y"] }${i}${s}%{ endfor }"',
    '"%{ if "true" }y%{ endif }"',
    '"a ${~ "b ${~ "c" ~} d" ~} e"',
    '"a ${"x"~} b ${~ { k = 1 }.k ~}  z"',
    '"a\\u001f\\t ${~ "x" ~}\\u00a0\\u3000b $${~ x ~}"',
    '"${jsonencode({ b = "<&>", a = [1, true, null, { d = 2, c = "\u2028" }] })}"',
    '"x${jsonencode(jsonencode({ b = 1, a = ">" }))}"',
    'replace(jsonencode({ b = "<\u2028", a = [1, "\u0001"] }), "x", "y")',
    'format("%s", jsonencode({ b = "&", a = [true, null] }))',
    'jsonencode({ b = 1, a = 2 }) == "{\\"a\\":2,\\"b\\":1}"',
    '"%{ for s in ["a", "b"] }%{ if s == "a" }A%{ else }${s}%{ endif }%{ endfor }"',
    '[for r in ["o/a", "o/b:ref"] :'
    ' "repo:%{if length(regexall(":+", r)) > 0}${r}%{else}${r}:*%{endif}"]',
]


@pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on this machine")
def test_keyless_evaluates_as_terraform_console_does(tmp_path: Path) -> None:
    assert TERRAFORM is not None
    values = terraform_console(tmp_path, f"[{', '.join(EXPRESSIONS)}]")
    for expression, value in zip(EXPRESSIONS, values, strict=True):
        (tmp_path / "main.tf").write_text(
            'resource "aws_iam_role" "r" {\n'
            f"  assume_role_policy = jsonencode({{ v = {expression} }})\n"
            "}\n"
        )
        (role,) = read_paths([tmp_path]).resources
        assert role.trust is not None
        assert plain(role.trust) == {"v": value}, expression


# Heredocs and template files: HCL scans their text one line at a time, which decides
# what a strip marker takes and what `<<-` removes.
LOCALS = """locals {
  a = <<-EOT
    %{~ for r in ["o/a", "o/b"] ~}
    repo:${r}:ref:refs/heads/main
    %{~ endfor ~}
    EOT
  b = <<-EOT
    [
    %{ for i, r in ["o/a", "o/b"] ~}
      ${i > 0 ? "," : ""}"repo:${r}:*"
    %{ endfor ~}
    ]
    EOT
  c = <<EOT
%{ if true ~}
  yes
%{~ else ~}
  no
%{~ endif }
EOT
  d = <<-EOT
      x
    %{ if false }never%{ endif }
        y $${literal} %%{ if }
    EOT
  g = <<-EOT
    {
      "a": "${~ "x" ~}"  ,
      "b": [
        ${~ jsonencode({ y = "<" }) ~}
      ]
    }
    EOT
  h = <<EOT
a ${ "b ${~ "c" ~} d" } e ${~ "f ${"g"~} h" ~} i
EOT
  e = templatefile("t.tpl", { repos = ["o/a", "o/b"] })
  f = templatefile("u.tpl", {})
}
"""
TEMPLATES = {
    "t.tpl": '{"sub": [\n  %{~ for i, r in repos ~}\n  ${i > 0 ? "," : ""}"repo:${r}:*"\n'
    "  %{~ endfor ~}\n]}\n",
    "u.tpl": "a\n  %{~ if true ~}\n  b\n  %{~ endif ~}\nc",
}
NAMES = "abcdefgh"


@pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on this machine")
def test_heredocs_and_template_files_render_as_terraform_console_does(tmp_path: Path) -> None:
    assert TERRAFORM is not None
    for directory in ("terraform", "keyless"):
        (tmp_path / directory).mkdir()
        for name, text in TEMPLATES.items():
            (tmp_path / directory / name).write_text(text)
    (tmp_path / "terraform" / "main.tf").write_text(LOCALS)
    (tmp_path / "keyless" / "main.tf").write_text(
        LOCALS
        + 'resource "aws_iam_role" "r" {\n  assume_role_policy = jsonencode({ '
        + ", ".join(f"{n} = local.{n}" for n in NAMES)
        + " })\n}\n"
    )
    expected = terraform_console(
        tmp_path / "terraform", f"{{ {', '.join(f'{n} = local.{n}' for n in NAMES)} }}"
    )
    (role,) = read_paths([tmp_path / "keyless"]).resources
    assert role.trust is not None
    assert plain(role.trust) == expected
