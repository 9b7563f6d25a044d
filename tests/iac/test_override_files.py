"""Terraform override files (``override.tf``, ``*_override.tf``) are merged by Terraform
into the blocks they name, argument by argument; keyless does not merge them, so such a
file is reported unread (exit 3), never read as a block of its own: an ``a_override.tf``
replacing a pinned trust policy with a loose one was judged as the pinned one.
https://developer.hashicorp.com/terraform/language/files/override"""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.scan import scan

ROLE = """
resource "aws_iam_role" "r" {{
  {name}
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = {{ Federated = "arn:aws:iam::111122223333:oidc-provider/${{local.gh}}" }}
      Condition = {{ StringLike = {{ "${{local.gh}}:sub" = "{subject}" }} }}
    }}]
  }})
}}
"""


@pytest.mark.parametrize("name", ["a_override.tf", "override.tf", "z_override.tofu"])
def test_an_override_file_is_reported_unread(tmp_path: Path, name: str) -> None:
    pinned = ROLE.format(name='name = "gh"', subject="repo:acme/app:ref:refs/heads/main")
    locals_ = 'locals {\n  gh = "token.actions.githubusercontent.com"\n}\n'
    (tmp_path / "main.tf").write_text(pinned + locals_)
    (tmp_path / name).write_text(ROLE.format(name="", subject="repo:acme/*"))
    result = scan([tmp_path])
    (unread,) = result.unread
    assert unread.where == str(tmp_path / name)
    assert unread.reason.startswith("an override file: Terraform merges its blocks")
    assert [f.path for f in result.files] == [tmp_path / "main.tf"]


def test_a_file_named_like_an_override_but_not_one_is_read(tmp_path: Path) -> None:
    (tmp_path / "overrides.tf").write_text('locals {\n  x = "y"\n}\n')
    assert scan([tmp_path]).unread == ()


def test_a_key_written_in_an_override_file_is_found(tmp_path: Path) -> None:
    (tmp_path / "override.tf").write_text(
        'provider "aws" {\n  access_key = "AKIAQ3EGUNO4XJ5LWZPE"\n}\n'
    )
    result = scan([tmp_path])
    (finding,) = result.findings
    assert finding.check == "iac-hardcoded-aws-key"
    assert result.unread
