"""Module outputs (``module.NAME.OUTPUT``) as Terraform evaluates them: a local module's
output in that module, its variables bound from the call's arguments, a ``count`` call a
list of instances and a ``for_each`` call a map of them; a remote module's, a loop's or
an undeclared output's unknown and reported, never guessed."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from keyless.findings import FileLocation
from keyless.iac.read import read_paths
from keyless.iac.scan import scan
from keyless.iac.values import Node, Unknown, plain, unknowns

from .conftest import TERRAFORM, terraform_console
from .support import write_json

# The shape of a trust-policy module (a directory beside the roles that use it), as
# real repositories write it: a policy document over the module's variables, its JSON
# the output.
GITHUB_TRUST = """
variable "github_repo" {
  type = string
}

variable "refs" {
  type    = list(string)
  default = ["ref:refs/heads/main"]
}

data "aws_iam_policy_document" "this" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = [for ref in var.refs : "repo:${var.github_repo}:${ref}"]
    }
  }
}

output "json" {
  value = data.aws_iam_policy_document.this.json
}
"""


def _module(directory: Path, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "main.tf").write_text(text)
    return directory


def _subjects(trust: Node) -> list[str]:
    (statement,) = plain(trust)["Statement"]
    values = statement["Condition"]["StringLike"]["token.actions.githubusercontent.com:sub"]
    return [values] if isinstance(values, str) else list(values)


def _trusts(directory: Path) -> dict[str, Node]:
    found = {}
    for resource in read_paths([directory]).resources:
        assert resource.trust is not None
        found[resource.address] = resource.trust
    return found


def _reason(trust: Node) -> str:
    return next(unknowns(trust)).reason


def test_a_role_trusting_a_local_modules_output_is_judged(tmp_path: Path) -> None:
    _module(tmp_path / "github-oidc-trust", GITHUB_TRUST)
    _module(
        tmp_path / "ci-role",
        'variable "github_repo" {\n  default = "acme/app"\n}\n'
        'module "github_oidc_trust" {\n  source      = "../github-oidc-trust"\n'
        '  github_repo = var.github_repo\n  refs = ["*"]\n}\n'
        'resource "aws_iam_role" "this" {\n'
        "  assume_role_policy = module.github_oidc_trust.json\n}\n",
    )
    result = scan([tmp_path])
    assert not result.unread
    assert {f.check for f in result.findings} == {"trust-oidc-untrusted-trigger"}
    # Placed where the role uses the output, the file its finding is about.
    for finding in result.findings:
        location = finding.location
        assert isinstance(location, FileLocation)
        assert (location.path.parts[-2:], location.line, location.column) == (
            ("ci-role", "main.tf"),
            10,
            24,
        )
    (role,) = read_paths([tmp_path]).resources
    assert role.trust is not None
    assert _subjects(role.trust) == ["repo:acme/app:*"]


def test_an_unset_variable_passed_to_the_module_is_stood_in_for(tmp_path: Path) -> None:
    _module(tmp_path / "trust", GITHUB_TRUST)
    (tmp_path / "main.tf").write_text(
        'variable "repo" {}\nmodule "trust" {\n  source = "./trust"\n'
        '  github_repo = var.repo\n  refs = ["*"]\n}\n'
        'resource "aws_iam_role" "r" {\n  assume_role_policy = module.trust.json\n}\n'
    )
    result = scan([tmp_path])
    assert {f.check for f in result.findings} == {"trust-oidc-untrusted-trigger"}
    assert all("stand-ins" in str(f.evidence) for f in result.findings)


# A vendored assumable-role module in the style of terraform-aws-modules/iam's (5.x): a
# role made under count, its trust from one of two documents under count, its outputs
# read through try() and the 0.12-era element(concat(....*.arn, [""]), 0).
ASSUMABLE_ROLE = """
variable "create_role" {
  type    = bool
  default = false
}
variable "role_name" {
  type    = string
  default = null
}
variable "trusted_role_arns" {
  type    = list(string)
  default = []
}
variable "role_requires_mfa" {
  type    = bool
  default = true
}
data "aws_iam_policy_document" "assume_role" {
  count = var.role_requires_mfa ? 0 : 1
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = var.trusted_role_arns
    }
  }
}
data "aws_iam_policy_document" "assume_role_with_mfa" {
  count = var.role_requires_mfa ? 1 : 0
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = var.trusted_role_arns
    }
    condition {
      test     = "Bool"
      variable = "aws:MultiFactorAuthPresent"
      values   = ["true"]
    }
  }
}
locals {
  trust = try(
    data.aws_iam_policy_document.assume_role_with_mfa[0].json,
    data.aws_iam_policy_document.assume_role[0].json,
  )
}
resource "aws_iam_role" "this" {
  count              = var.create_role ? 1 : 0
  name               = var.role_name
  assume_role_policy = local.trust
}
output "iam_role_arn" {
  value = try(aws_iam_role.this[0].arn, "")
}
output "this_iam_role_arn" {
  value = element(concat(aws_iam_role.this.*.arn, [""]), 0)
}
output "trust_json" {
  value = local.trust
}
"""


def test_an_assumable_role_modules_outputs_are_judged(tmp_path: Path) -> None:
    _module(tmp_path / "modules" / "assumable-role", ASSUMABLE_ROLE)
    (tmp_path / "main.tf").write_text(
        'module "ci" {\n  source = "./modules/assumable-role"\n  create_role = true\n'
        '  role_name = "ci"\n  role_requires_mfa = false\n'
        '  trusted_role_arns = ["arn:aws:iam::111122223333:root"]\n}\n'
        'module "ops" {\n  source = "./modules/assumable-role"\n  create_role = true\n'
        '  role_name = "ops"\n'
        "  trusted_role_arns = [module.ci.iam_role_arn, module.ci.this_iam_role_arn]\n}\n"
        'resource "aws_iam_role" "copy" {\n  assume_role_policy = module.ci.trust_json\n}\n'
    )
    trusts = {address: plain(trust) for address, trust in _trusts(tmp_path).items()}
    (ops,) = trusts["module.ops.aws_iam_role.this[0]"]["Statement"]
    # The role module.ci makes, in the deploying account keyless stands in for.
    assert ops["Principal"] == {"AWS": ["arn:aws:iam::000000000000:role/ci"] * 2}
    assert trusts["aws_iam_role.copy"] == trusts["module.ci.aws_iam_role.this[0]"]
    flagged = {str(f.evidence["address"]) for f in scan([tmp_path]).findings}
    assert "aws_iam_role.copy" in flagged


def test_count_and_for_each_calls_are_indexed_as_terraform_does(tmp_path: Path) -> None:
    _module(tmp_path / "trust", GITHUB_TRUST)
    (tmp_path / "main.tf").write_text(
        'module "counted" {\n  source = "./trust"\n  count = 2\n'
        '  github_repo = "acme/app-${count.index}"\n}\n'
        'module "each" {\n  source = "./trust"\n'
        '  for_each = { ci = "acme/ci", web = "acme/web" }\n  github_repo = each.value\n}\n'
        'resource "aws_iam_role" "counted" {\n  count = 2\n'
        "  assume_role_policy = module.counted[count.index].json\n}\n"
        'resource "aws_iam_role" "each" {\n  for_each = module.each\n'
        "  assume_role_policy = each.value.json\n}\n"
        'resource "aws_iam_role" "web" {\n  assume_role_policy = module.each["web"].json\n}\n'
    )
    trusts = _trusts(tmp_path)
    assert {address: _subjects(trust)[0] for address, trust in trusts.items()} == {
        "aws_iam_role.counted[0]": "repo:acme/app-0:ref:refs/heads/main",
        "aws_iam_role.counted[1]": "repo:acme/app-1:ref:refs/heads/main",
        'aws_iam_role.each["ci"]': "repo:acme/ci:ref:refs/heads/main",
        'aws_iam_role.each["web"]': "repo:acme/web:ref:refs/heads/main",
        "aws_iam_role.web": "repo:acme/web:ref:refs/heads/main",
    }


def test_outputs_are_read_in_terraforms_json_syntax_too(tmp_path: Path) -> None:
    trust = (
        '${jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",'
        " Principal = { AWS = var.who } }] })}"
    )
    (tmp_path / "trust").mkdir()
    write_json(
        tmp_path / "trust" / "main.tf.json",
        {"variable": {"who": {"type": "string"}}, "output": {"json": {"value": trust}}},
    )
    write_json(
        tmp_path / "main.tf.json",
        {
            "module": {"trust": {"source": "./trust", "who": "*"}},
            "resource": {"aws_iam_role": {"r": {"assume_role_policy": "${module.trust.json}"}}},
        },
    )
    (trust_node,) = _trusts(tmp_path).values()
    (statement,) = plain(trust_node)["Statement"]
    assert statement["Principal"] == {"AWS": "*"}


@pytest.mark.parametrize(
    "source",
    [
        "terraform-aws-modules/iam/aws//modules/iam-policy",
        "git::https://example.com/trust.git?ref=v1",
        "github.com/acme/trust",
    ],
)
def test_a_remote_modules_output_is_not_judged_and_says_so(tmp_path: Path, source: str) -> None:
    (tmp_path / "main.tf").write_text(
        f'module "trust" {{\n  source = "{source}"\n}}\n'
        'resource "aws_iam_role" "r" {\n  assume_role_policy = module.trust.json\n}\n'
    )
    result = scan([tmp_path])
    assert not result.findings
    (unread,) = result.unread
    assert f"calls a remote module ({source}), whose outputs are not read" in unread.reason


def test_an_output_the_module_does_not_declare_is_not_judged(tmp_path: Path) -> None:
    _module(tmp_path / "trust", GITHUB_TRUST)
    (tmp_path / "main.tf").write_text(
        'module "trust" {\n  source = "./trust"\n  github_repo = "acme/app"\n}\n'
        'resource "aws_iam_role" "r" {\n  assume_role_policy = module.trust.policy\n}\n'
    )
    (trust,) = _trusts(tmp_path).values()
    assert _reason(trust) == (
        "'policy': the module declares no such output: Terraform refuses the reference"
    )


def test_an_output_in_a_file_not_read_is_unknown_not_missing(tmp_path: Path) -> None:
    child = _module(tmp_path / "trust", GITHUB_TRUST.replace("output", "#"))
    (child / "outputs.tf").write_text('output "json" {\n  value = (\n}\n')  # malformed
    (tmp_path / "main.tf").write_text(
        'module "trust" {\n  source = "./trust"\n  github_repo = "acme/app"\n}\n'
        'resource "aws_iam_role" "r" {\n  assume_role_policy = try(module.trust.json, "{}")\n}\n'
    )
    model = read_paths([tmp_path])
    assert any(u.where.endswith("outputs.tf") for u in model.unread)
    (role,) = model.resources
    assert role.trust is not None
    # Not taken for an error try() moves past: the output may be in the unread file.
    assert "not among the outputs of the module's files keyless could read" in _reason(role.trust)


def test_a_key_on_a_value_keyless_stands_in_for_is_not_chosen(tmp_path: Path) -> None:
    _module(tmp_path / "trust", GITHUB_TRUST)
    (tmp_path / "main.tf").write_text(
        'variable "which" {}\nmodule "each" {\n  source = "./trust"\n'
        '  for_each = { ci = "acme/ci", web = "acme/web" }\n  github_repo = each.value\n}\n'
        'resource "aws_iam_role" "r" {\n  assume_role_policy = module.each[var.which].json\n}\n'
    )
    (trust,) = _trusts(tmp_path).values()
    # Unknown for the key, not for the module: neither instance is taken for it.
    assert next(unknowns(trust)).expression == "var.which"


def test_an_unknown_count_leaves_the_output_unknown(tmp_path: Path) -> None:
    _module(tmp_path / "trust", GITHUB_TRUST)
    (tmp_path / "main.tf").write_text(
        'variable "n" {}\nmodule "trust" {\n  source = "./trust"\n  count = var.n\n'
        '  github_repo = "acme/app"\n}\n'
        'resource "aws_iam_role" "r" {\n  assume_role_policy = module.trust[0].json\n}\n'
    )
    (trust,) = _trusts(tmp_path).values()
    assert _reason(trust) == "the variable has no default: give it in a .tfvars file or pass a plan"


def test_a_module_whose_output_calls_itself_ends(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'module "me" {\n  source = "./"\n}\noutput "json" {\n  value = module.me.json\n}\n'
        'resource "aws_iam_role" "r" {\n  assume_role_policy = module.me.json\n}\n'
    )
    roles = {r.address: r.trust for r in read_paths([tmp_path / "main.tf"]).resources}
    trust = roles["aws_iam_role.r"]
    assert trust is not None
    assert _reason(trust).endswith("module calls loop back to ./; not read")


def test_outputs_and_inputs_that_come_back_to_themselves_end(tmp_path: Path) -> None:
    _module(tmp_path / "pass", 'variable "x" {}\noutput "y" {\n  value = var.x\n}\n')
    (tmp_path / "main.tf").write_text(
        'module "a" {\n  source = "./pass"\n  x = module.b.y\n}\n'
        'module "b" {\n  source = "./pass"\n  x = module.a.y\n}\n'
        'module "c" {\n  source = "./pass"\n  count = length(module.c)\n  x = "{}"\n}\n'
        'resource "aws_iam_role" "r" {\n  assume_role_policy = module.a.y\n}\n'
        'resource "aws_iam_role" "s" {\n  assume_role_policy = module.c[0].y\n}\n'
    )
    trusts = _trusts(tmp_path)
    assert _reason(trusts["aws_iam_role.r"]) == "the output 'y' refers to itself"
    assert _reason(trusts["aws_iam_role.s"]) == (
        "the module call's count or for_each refers to its own outputs"
    )


def test_a_chain_of_modules_deeper_than_the_bound_ends_unknown(tmp_path: Path) -> None:
    for level in range(20):
        _module(
            tmp_path / f"m{level}",
            f'module "next" {{\n  source = "../m{level + 1}"\n}}\n'
            'output "json" {\n  value = module.next.json\n}\n',
        )
    _module(tmp_path / "m20", 'output "json" {\n  value = "{}"\n}\n')
    (tmp_path / "main.tf").write_text(
        'module "next" {\n  source = "./m0"\n}\n'
        'resource "aws_iam_role" "r" {\n  assume_role_policy = module.next.json\n}\n'
    )
    model = read_paths([tmp_path])
    (role,) = model.resources
    assert role.trust is not None
    assert _reason(role.trust).endswith("module calls nest more than 16 deep; not read")
    # What the modules past the bound create is not read: reported, not a note.
    (unread,) = model.unread
    assert unread.where.endswith("m15/main.tf:1:1")
    assert not model.notes


def test_chained_outputs_past_pythons_stack_end_unknown_not_a_traceback(tmp_path: Path) -> None:
    # Each module well within the bounds (60 locals, 12 modules), their chain not.
    chained = "".join(f"  l{i} = local.l{i - 1}\n" for i in range(1, 60))
    for level in range(12):
        call = f'module "next" {{\n  source = "../m{level + 1}"\n}}\n' if level < 11 else ""
        first = "module.next.json" if level < 11 else '"{}"'
        _module(
            tmp_path / f"m{level}",
            f"{call}locals {{\n  l0 = {first}\n{chained}}}\n"
            'output "json" {\n  value = local.l59\n}\n',
        )
    (tmp_path / "main.tf").write_text(
        'module "next" {\n  source = "./m0"\n}\n'
        'resource "aws_iam_role" "r" {\n  assume_role_policy = module.next.json\n}\n'
    )
    (trust,) = _trusts(tmp_path).values()
    assert _reason(trust) == "nested too deeply to evaluate"


# terraform console as the oracle: what a module call evaluates to, whole or stepped into.
CHILD = """
variable "x" {
  type = string
}
variable "y" {
  type    = list(string)
  default = ["d"]
}
locals {
  l = [for s in var.y : "${var.x}-${s}"]
}
output "list" {
  value = local.l
}
output "obj" {
  value = { x = var.x, n = length(local.l) }
}
"""
NESTED = """
variable "v" {
  type = list(string)
}
module "inner" {
  source = "../child"
  x      = var.v[0]
  y      = ["e", "f"]
}
output "deep" {
  value = module.inner.list
}
"""
ROOT = """
module "one" {
  source = "./child"
  x      = "a"
}
module "t" {
  source = "./child"
  count  = 2
  x      = "t${count.index}"
}
module "u" {
  source   = "./child"
  for_each = toset(["p", "q"])
  x        = each.key
}
module "n" {
  source = "./nested"
  v      = module.one.list
}
"""
EXPRESSION = (
    '[module.one.list, module.one, module.t, module.t[1].obj.x, module.u, module.u["q"].list,'
    " module.n.deep, module.n, [for m in module.t : m.obj.n], values(module.u)[*].obj.x]"
)


@pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on this machine")
def test_module_values_are_what_terraform_console_gives(tmp_path: Path) -> None:
    assert TERRAFORM is not None
    _module(tmp_path / "child", CHILD)
    _module(tmp_path / "nested", NESTED)
    (tmp_path / "main.tf").write_text(ROOT)
    subprocess.run(
        [TERRAFORM, "init", "-input=false", "-backend=false"],
        capture_output=True,
        cwd=tmp_path,
        env={**os.environ, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"},
        timeout=120,
        check=True,
    )
    expected = terraform_console(tmp_path, EXPRESSION)
    (tmp_path / "main.tf").write_text(
        ROOT + 'resource "aws_iam_role" "r" {\n'
        f"  assume_role_policy = jsonencode({{ v = {EXPRESSION} }})\n}}\n"
    )
    (role,) = read_paths([tmp_path]).resources
    assert role.trust is not None
    assert plain(role.trust) == {"v": expected}
    assert not isinstance(role.trust.value, Unknown)
