"""IRSA roles written against the cluster the same code creates: the IAM OIDC provider's URL
is ``aws_eks_cluster.X.identity[0].oidc[0].issuer`` and the condition keys are built from
it (``"${replace(aws_iam_openid_connect_provider.X.url, "https://", "")}:sub"``), the shape
of AWS's and many public tutorials
(https://docs.aws.amazon.com/eks/latest/userguide/enable-iam-roles-for-service-accounts.html,
https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/eks_cluster#identity).
The issuer is known only after apply, so such a role was never judged; it names the
cluster the code creates, whatever its ID will be, and is judged with a stand-in issuer
of EKS's shape (as an identity pool's ID or a trust anchor's ARN is)."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.engine import ScanResult
from keyless.iac.scan import scan

CLUSTER = """
resource "aws_eks_cluster" "this" {
  name     = "prod"
  role_arn = "arn:aws:iam::123456789012:role/eks"
  vpc_config {
    subnet_ids = ["subnet-1"]
  }
}
"""
EXISTING_CLUSTER = """
data "aws_eks_cluster" "this" {
  name = "prod"
}
"""
ROLE = """
data "tls_certificate" "eks" {
  url = CLUSTER.identity[0].oidc[0].issuer
}

resource "aws_iam_openid_connect_provider" "eks" {
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = [data.tls_certificate.eks.certificates[0].sha1_fingerprint]
  url             = CLUSTER.identity[0].oidc[0].issuer
}

data "aws_iam_policy_document" "app" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    condition {
      test     = "StringEquals"
      variable = "${replace(aws_iam_openid_connect_provider.eks.url, "https://", "")}:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "${replace(aws_iam_openid_connect_provider.eks.url, "https://", "")}:sub"
      values   = ["SUB"]
    }
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.eks.arn]
    }
  }
}

resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = data.aws_iam_policy_document.app.json
}
"""


def _scan(
    tmp_path: Path, sub: str, cluster: str = CLUSTER, ref: str = "aws_eks_cluster.this"
) -> ScanResult:
    text = cluster + ROLE.replace("CLUSTER", ref).replace("SUB", sub)
    (tmp_path / "main.tf").write_text(text)
    return scan([tmp_path])


def test_a_namespace_wide_role_on_the_code_s_own_cluster_is_reported(tmp_path: Path) -> None:
    result = _scan(tmp_path, "system:serviceaccount:default:*")
    assert result.unread == ()
    (finding,) = result.findings
    assert finding.check == "trust-eks-unpinned"
    assert finding.message == (
        "aws_iam_role.app: any service account of namespace default can assume it, such as "
        "default:attacker"
    )
    created = "the EKS cluster's OIDC issuer the code creates (aws_eks_cluster.this)"
    assert any(note.startswith(created) for note in finding.evidence["stand_ins"])


def test_one_service_account_on_the_code_s_own_cluster_is_clean(tmp_path: Path) -> None:
    result = _scan(tmp_path, "system:serviceaccount:default:app")
    assert (result.findings, result.unread) == ((), ())


def test_a_provider_whose_url_is_the_certificate_data_source_s_is_judged(
    tmp_path: Path,
) -> None:
    """``url = data.tls_certificate.eks.url``, as many IRSA modules write it: a data
    source's argument is its attribute, the issuer of the cluster the code creates."""
    text = CLUSTER + ROLE.replace(
        "  url             = CLUSTER.identity[0].oidc[0].issuer",
        "  url             = data.tls_certificate.eks.url",
    ).replace("CLUSTER", "aws_eks_cluster.this").replace("SUB", "system:serviceaccount:ci:*")
    assert "data.tls_certificate.eks.url\n" in text
    (tmp_path / "main.tf").write_text(text)
    result = scan([tmp_path])
    assert result.unread == ()
    assert [f.check for f in result.findings] == ["trust-eks-unpinned"]


@pytest.mark.parametrize("sub", ["system:serviceaccount:default:*", "system:serviceaccount:a:b"])
def test_a_cluster_the_code_only_reads_stays_not_judged(tmp_path: Path, sub: str) -> None:
    result = _scan(tmp_path, sub, EXISTING_CLUSTER, "data.aws_eks_cluster.this")
    assert result.findings == ()
    (unread,) = result.unread
    assert "data.aws_eks_cluster.this" in unread.reason


CFN = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Cluster:
    Type: AWS::EKS::Cluster
    Properties:
      RoleArn: arn:aws:iam::123456789012:role/eks
      ResourcesVpcConfig:
        SubnetIds: [subnet-1]
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: !Sub
        - |
          {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::${AWS::AccountId}:oidc-provider/${Issuer}"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"${Issuer}:aud": "sts.amazonaws.com"},
                          "StringLike": {"${Issuer}:sub": "SUB"}}}]}
        - Issuer: !Select [1, !Split ["//", !GetAtt Cluster.OpenIdConnectIssuerUrl]]
"""


@pytest.mark.parametrize(
    ("sub", "checks"),
    [
        ("system:serviceaccount:default:*", ["trust-eks-unpinned"]),
        ("system:serviceaccount:a:b", []),
    ],
)
def test_cloudformation_s_issuer_url_of_its_own_cluster_is_judged(
    tmp_path: Path, sub: str, checks: list[str]
) -> None:
    # AWS::EKS::Cluster's OpenIdConnectIssuerUrl return value, in a policy written as a
    # !Sub string (CloudFormation cannot build a condition key from a value otherwise):
    # https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-eks-cluster.html
    (tmp_path / "template.yaml").write_text(CFN.replace("SUB", sub))
    result = scan([tmp_path])
    assert result.unread == ()
    assert [f.check for f in result.findings] == checks
    for finding in result.findings:
        said = finding.evidence["stand_ins"]
        assert any(
            n.startswith("the EKS cluster's OIDC issuer the code creates (Cluster)") for n in said
        )
        assert "the deploying account is shown as 000000000000" in said
