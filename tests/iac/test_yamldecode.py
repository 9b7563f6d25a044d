"""``yamldecode``, with which roles are often read from a YAML file
(``yamldecode(file("roles.yaml"))``): what Terraform's YAML library and YAML 1.2 agree on
is evaluated (compared with ``terraform console``, skipped without terraform); a plain
scalar they may read apart (``yes``, ``012``, a date) is unknown, never a guess."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from keyless.iac.builtins.decoding import FUNCTIONS, flow_depth
from keyless.iac.scan import scan
from keyless.iac.values import Node, Position, plain, unknowns
from tests.iac.conftest import TERRAFORM, terraform_console
from tests.iac.support import role_trust

AT = Position(1, 1)
DOCUMENT = """\
roles:
  deploy:
    subjects: ["repo:acme/app:ref:refs/heads/main", 'repo:acme/app:environment:prod']
    audience: sts.amazonaws.com
    max: 3600
    enabled: true
    note: ~
    text: |
      two
      lines
  preview:
    subjects:
      - repo:acme/app:*
    enabled: false
"""
DECODED = {
    "roles": {
        "deploy": {
            "subjects": ["repo:acme/app:ref:refs/heads/main", "repo:acme/app:environment:prod"],
            "audience": "sts.amazonaws.com",
            "max": 3600,
            "enabled": True,
            "note": None,
            "text": "two\nlines\n",
        },
        "preview": {"subjects": ["repo:acme/app:*"], "enabled": False},
    }
}


def _value(tmp_path: Path, document: str, expression: str = "local.d") -> Node:
    (tmp_path / "roles.yaml").write_text(document)
    locals_ = 'locals {\n  d = yamldecode(file("${path.module}/roles.yaml"))\n}\n'
    return role_trust(tmp_path, f"{{ v = {expression} }}", locals_)


def test_a_yaml_document_is_decoded(tmp_path: Path) -> None:
    assert plain(_value(tmp_path, DOCUMENT)) == {"v": DECODED}


@pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on this machine")
def test_keyless_decodes_as_terraform_console_does(tmp_path: Path) -> None:
    (tmp_path / "terraform").mkdir()
    (tmp_path / "terraform" / "roles.yaml").write_text(DOCUMENT)
    expected = terraform_console(
        tmp_path / "terraform", 'yamldecode(file("${path.module}/roles.yaml"))'
    )
    assert expected == DECODED


@pytest.mark.parametrize(
    # terraform console: true, true, 12, 12345678901, "2001-12-14T00:00:00Z", 10, 1.5
    "scalar",
    ["yes", "on", "012", "012345678901", "2001-12-14", "0o12", "1.50", "-foo"],
)
def test_a_scalar_the_readings_may_differ_on_is_unknown(tmp_path: Path, scalar: str) -> None:
    trust = _value(tmp_path, f"a: {scalar}\nb: kept\n")
    (unknown,) = unknowns(trust)
    assert "yamldecode may read otherwise than YAML 1.2" in unknown.reason
    assert plain(_value(tmp_path, f"a: {scalar}\nb: kept\n", "local.d.b")) == {"v": "kept"}


def test_a_key_the_readings_may_differ_on_leaves_its_mapping_unknown(tmp_path: Path) -> None:
    # terraform console reads the key n as "false"
    trust = _value(tmp_path, "n: 1\nb: 2\n")
    assert not trust.is_known


def test_roles_read_from_a_yaml_file_are_judged(tmp_path: Path) -> None:
    (tmp_path / "roles.yaml").write_text(DOCUMENT)
    (tmp_path / "main.tf").write_text(
        """
locals {
  roles = yamldecode(file("${path.module}/roles.yaml")).roles
  gh    = "token.actions.githubusercontent.com"
}
resource "aws_iam_role" "gh" {
  for_each = { for name, role in local.roles : name => role if role.enabled }
  name     = each.key
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/${local.gh}" }
      Condition = {
        StringEquals = { "${local.gh}:aud" = "sts.amazonaws.com" }
        StringLike   = { "${local.gh}:sub" = each.value.subjects }
      }
    }]
  })
}
"""
    )
    result = scan([tmp_path])
    assert result.unread == ()
    assert result.findings == ()
    (tmp_path / "roles.yaml").write_text(DOCUMENT.replace("enabled: false", "enabled: true"))
    flagged = {str(f.evidence["address"]) for f in scan([tmp_path]).findings}
    assert flagged == {'aws_iam_role.gh["preview"]'}


def test_flow_collections_nested_past_the_limit_are_refused_before_parsing() -> None:
    # ruamel's scanner spent seconds on 3,000 nested `[` before a RecursionError.
    with pytest.raises(TypeError, match="nested too deeply"):
        FUNCTIONS["yamldecode"]([Node("[" * 3000 + "]" * 3000, AT)], AT)


def test_a_document_at_the_depth_limit_is_decoded() -> None:
    decoded = FUNCTIONS["yamldecode"]([Node("[" * 255 + "x" + "]" * 255, AT)], AT)
    assert plain(decoded) == json.loads("[" * 255 + '"x"' + "]" * 255)


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ('a: [1, "[[[", [2]]  # [[[\n', 2),
        ("a: '[[''[' \nb: {c: [d]}\n", 2),
        ("a: x#[[[\n", 3),  # a `#` not after a blank is no comment
        ('a: "[', 0),  # an unterminated quote ends the scan
    ],
)
def test_the_depth_scan_skips_quoted_scalars_and_comments(text: str, depth: int) -> None:
    assert flow_depth(text) == depth
