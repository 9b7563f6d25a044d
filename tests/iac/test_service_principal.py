"""``data "aws_service_principal"``: the AWS provider's way to spell a service principal
(``name`` is ``SERVICE.amazonaws.com`` in AWS Commercial, ``….amazonaws.com.cn`` in China;
https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/service_principal).
Linters recommend it over a literal, and provider acceptance tests write trust policies with
it (``Principal = { Service = data.aws_service_principal.ec2.name }``); a role built on it
was left not judged, "read at plan time". It is judged in the aws partition, as
``data.aws_partition`` is; a region of another partition stays unknown."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.scan import scan

ROLE = """
data "aws_service_principal" "this" {{
  service_name = "{service}"
{region}
}}

resource "aws_iam_role" "this" {{
  name = "service"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = {{ Service = data.aws_service_principal.this.name }}
    }}]
  }})
}}
"""


def _scan(tmp_path: Path, service: str, region: str = "") -> tuple[list[str], list[str]]:
    (tmp_path / "main.tf").write_text(ROLE.format(service=service, region=region))
    result = scan([tmp_path])
    return [f.message for f in result.findings], [u.reason for u in result.unread]


def test_a_service_that_acts_for_resources_is_judged_as_its_principal(tmp_path: Path) -> None:
    # SNS sends aws:SourceAccount/aws:SourceArn: without them another account's topic can
    # make SNS use the role (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html)
    messages, unread = _scan(tmp_path, "sns")
    assert unread == []
    assert messages == [
        "aws_iam_role.this: sns.amazonaws.com can assume it for another account's resources"
    ]


@pytest.mark.parametrize("region", ["", 'region = "eu-west-1"', 'region = "us-gov-west-1"'])
def test_a_service_that_runs_your_own_compute_is_judged_clean(tmp_path: Path, region: str) -> None:
    assert _scan(tmp_path, "ec2", region) == ([], [])


@pytest.mark.parametrize(
    ("service", "region", "why"),
    [
        # China and the isolated partitions spell some principals otherwise
        ("ec2", 'region = "cn-north-1"', "its region may be of a partition"),
        ("ec2", 'region = "us-iso-east-1"', "its region may be of a partition"),
        ("ec2", "region = var.region", "its region may be of a partition"),
        ("ec2 }}", "", "its service_name is not known"),  # not a service name
    ],
)
def test_a_principal_the_code_does_not_decide_is_not_judged(
    tmp_path: Path, service: str, region: str, why: str
) -> None:
    messages, unread = _scan(tmp_path, service, region)
    assert messages == []
    (reason,) = unread
    assert why in reason
    assert "data.aws_service_principal.this" in reason
