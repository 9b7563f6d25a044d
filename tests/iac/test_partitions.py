"""A Terraform configuration whose AWS provider's region names a partition (China,
GovCloud) is judged in that partition, as is a role trusting an EKS cluster's issuer of
one; elsewhere ``aws`` is assumed, and the findings built on it say so."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.engine import ScanResult
from keyless.iac.partitions import region_partition
from keyless.iac.read import read_paths
from keyless.iac.scan import scan
from keyless.iac.values import plain

ROLE = """
data "aws_partition" "current" {{}}
data "aws_caller_identity" "current" {{}}
resource "aws_iam_role" "gha" {{
  name = "gha"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {{
        Effect    = "Allow"
        Action    = "sts:AssumeRoleWithWebIdentity"
        Principal = {{ Federated = join(":", [
          "arn", data.aws_partition.current.partition, "iam", "",
          data.aws_caller_identity.current.account_id,
          "oidc-provider/token.actions.githubusercontent.com",
        ]) }}
        Condition = {{ StringLike = {{
          "token.actions.githubusercontent.com:sub" = "repo:acme/app:*"
        }} }}
      }},
      {{
        Effect    = "Allow"
        Action    = "sts:AssumeRole"
        Principal = {{ AWS = "{other}" }}
      }},
    ]
  }})
}}
"""
OTHER = "arn:aws:iam::210987654321:root"
ASSUMED = "the partition is taken to be aws (the code does not say which)"


def _provider(*regions: str) -> str:
    """``provider "aws"`` blocks, the first the default and the others aliases."""
    blocks = []
    for i, region in enumerate(regions):
        alias = f'  alias  = "a{i}"\n' if i else ""
        blocks.append(f'provider "aws" {{\n  region = "{region}"\n{alias}}}\n')
    return "".join(blocks)


def _scan(tmp_path: Path, head: str, other: str = OTHER) -> ScanResult:
    (tmp_path / "main.tf").write_text(head + ROLE.format(other=other))
    return scan([tmp_path])


def _checks(result: ScanResult) -> set[str]:
    return {f.check for f in result.findings}


@pytest.mark.parametrize(
    ("region", "partition"), [("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov")]
)
def test_the_providers_region_decides_the_partition(
    tmp_path: Path, region: str, partition: str
) -> None:
    result = _scan(tmp_path, _provider(region))
    # sts:AssumeRole never crosses partitions: the aws account cannot assume it
    assert "trust-cross-account-no-external-id" not in _checks(result)
    assert "trust-oidc-untrusted-trigger" in _checks(result)
    said = f"judged in the {partition} partition (the AWS provider's region {region})"
    assert all(said in f.evidence["stand_ins"] for f in result.findings)
    (role,) = read_paths([tmp_path]).resources
    assert role.partition == partition
    assert role.trust is not None
    statement = plain(role.trust)["Statement"][0]
    assert statement["Principal"]["Federated"].startswith(f"arn:{partition}:iam::")


def test_a_principal_of_the_same_partition_is_still_reported(tmp_path: Path) -> None:
    result = _scan(tmp_path, _provider("cn-north-1"), other="arn:aws-cn:iam::210987654321:root")
    assert "trust-cross-account-no-external-id" in _checks(result)


@pytest.mark.parametrize(
    "head",
    [
        "",  # the region comes from the environment
        'provider "aws" {}\n',
        _provider("us-east-1", "cn-north-1"),  # aliases in two partitions
        'variable "region" {}\nprovider "aws" {\n  region = var.region\n}\n',
    ],
)
def test_without_one_partition_in_the_code_aws_is_assumed_and_said(
    tmp_path: Path, head: str
) -> None:
    result = _scan(tmp_path, head)
    assert "trust-cross-account-no-external-id" in _checks(result)
    trigger = next(f for f in result.findings if f.check == "trust-oidc-untrusted-trigger")
    assert ASSUMED in trigger.evidence["stand_ins"]
    (role,) = read_paths([tmp_path]).resources
    assert role.partition is None


def test_a_called_module_is_deployed_by_its_callers_provider(tmp_path: Path) -> None:
    (tmp_path / "role").mkdir()
    (tmp_path / "role" / "main.tf").write_text(ROLE.format(other=OTHER))
    (tmp_path / "main.tf").write_text(
        _provider("cn-northwest-1") + 'module "ci" {\n  source = "./role"\n}\n'
    )
    result = scan([tmp_path])
    assert "trust-cross-account-no-external-id" not in _checks(result)
    assert "trust-oidc-untrusted-trigger" in _checks(result)


def test_an_eks_issuer_in_china_makes_a_china_role(tmp_path: Path) -> None:
    issuer = "oidc.eks.cn-northwest-1.amazonaws.com.cn/id/ABCDEF0123456789ABCDEF0123456789"
    (tmp_path / "main.tf").write_text(
        f"""
resource "aws_iam_openid_connect_provider" "eks" {{
  url            = "https://{issuer}"
  client_id_list = ["sts.amazonaws.com"]
}}
resource "aws_iam_role" "irsa" {{
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {{
        Effect    = "Allow"
        Action    = "sts:AssumeRoleWithWebIdentity"
        Principal = {{ Federated = aws_iam_openid_connect_provider.eks.arn }}
        Condition = {{ StringEquals = {{
          "{issuer}:sub" = "system:serviceaccount:ci:deploy"
          "{issuer}:aud" = "sts.amazonaws.com"
        }} }}
      }},
      {{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ AWS = "{OTHER}" }} }},
    ]
  }})
}}
"""
    )
    result = scan([tmp_path])
    # The China role's one way in is the pod; the `aws` account principal admits nobody.
    assert [(f.check, f.evidence["principal"]) for f in result.findings] == [
        ("trust-dead-condition", OTHER)
    ]
    assert result.unread == ()
    provider = next(r for r in read_paths([tmp_path]).resources if r.provider_arn)
    assert provider.provider_arn == f"arn:aws-cn:iam::000000000000:oidc-provider/{issuer}"


def test_a_service_principal_in_china_is_not_guessed(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        _provider("cn-north-1")
        + """
data "aws_service_principal" "ec2" {
  service_name = "ec2"
}
resource "aws_iam_role" "ec2" {
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = data.aws_service_principal.ec2.name }
    }]
  })
}
"""
    )
    (unread,) = scan([tmp_path]).unread
    assert "service principals differ" in unread.reason


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("eu-west-1", "aws"),
        ("cn-north-1", "aws-cn"),
        ("us-gov-east-1", "aws-us-gov"),
        ("us-iso-east-1", "aws-iso"),
        ("us-isob-east-1", "aws-iso-b"),
        ("not a region", None),
    ],
)
def test_region_partitions(region: str, partition: str | None) -> None:
    found = region_partition(region)
    assert (found.name if found is not None else None) == partition


def test_an_isolated_partitions_dns_suffix_is_unknown(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        _provider("us-iso-east-1")
        + """
data "aws_partition" "current" {}
resource "aws_iam_role" "svc" {
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.${data.aws_partition.current.dns_suffix}" }
    }]
  })
}
"""
    )
    (unread,) = scan([tmp_path]).unread
    assert "the DNS suffix of aws-iso is not known to keyless" in unread.reason


GOVCLOUD_TEMPLATE = """
Resources:
  DeployRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Federated: !Sub {federated}
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringEquals:
                token.actions.githubusercontent.com:aud: sts.amazonaws.com
                token.actions.githubusercontent.com:sub: repo:acme/app:ref:refs/heads/main
          - Effect: Allow
            Principal:
              AWS: !Sub arn:${{AWS::Partition}}:iam::210987654321:root
            Action: sts:AssumeRole
"""
PROVIDER_ARN = "arn:{}:iam::${{AWS::AccountId}}:oidc-provider/token.actions.githubusercontent.com"


@pytest.mark.parametrize(
    ("federated", "partition", "said"),
    [
        (
            PROVIDER_ARN.format("aws-us-gov"),
            "aws-us-gov",
            "judged in the aws-us-gov partition (the partition the template's own ARNs name)",
        ),
        (PROVIDER_ARN.format("${AWS::Partition}"), "aws", ASSUMED),
    ],
)
def test_a_templates_own_arns_name_its_partition(
    tmp_path: Path, federated: str, partition: str, said: str
) -> None:
    (tmp_path / "t.yaml").write_text(GOVCLOUD_TEMPLATE.format(federated=federated))
    result = scan([tmp_path])
    finding = next(f for f in result.findings if f.check == "trust-cross-account-no-external-id")
    assert finding.witness is not None
    assert str(finding.witness["principal"]).startswith(f"arn:{partition}:iam::210987654321:")
    assert said in finding.evidence["stand_ins"]
