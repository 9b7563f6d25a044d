"""A data source keyless does not evaluate: its arguments are known only where the
provider keeps them as written; an Optional+Computed one is read back at plan time."""

from __future__ import annotations

from pathlib import Path

from keyless.iac.scan import scan

ROLE = """
data "{kind}" "this" {{
  {argument} = "{value}"
}}

resource "aws_iam_role" "deploy" {{
  name = "deploy"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Principal = {{ AWS = "arn:aws:iam::111122223333:root" }}
      Action    = "sts:AssumeRole"
      Condition = {{
        StringLike = {{ "aws:PrincipalTag/zone" = data.{kind}.this.{argument} }}
      }}
    }}]
  }})
}}
"""


def test_an_optional_computed_argument_is_not_taken_as_written(tmp_path: Path) -> None:
    """aws_route53_zone's name is Optional+Computed: the provider reads back the zone's
    own name (lower case, no final dot), not necessarily what is written: the role is not
    judged with the value written (it was, ``*`` admitting any tag and reported)."""
    text = ROLE.format(kind="aws_route53_zone", argument="name", value="*")
    (tmp_path / "main.tf").write_text(text)
    result = scan([tmp_path])
    assert result.findings == ()
    (unread,) = result.unread
    assert "data.aws_route53_zone.this.name" in unread.reason
    assert "read back at plan time" in unread.reason


def test_an_argument_the_provider_keeps_is_taken_as_written(tmp_path: Path) -> None:
    text = ROLE.format(kind="tls_certificate", argument="url", value="*")
    (tmp_path / "main.tf").write_text(text)
    result = scan([tmp_path])
    assert result.unread == ()
    assert result.findings != ()
