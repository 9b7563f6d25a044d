"""An EKS cluster's OIDC issuer in the China regions ends in ``amazonaws.com.cn``
(``https://oidc.eks.cn-northwest-1.amazonaws.com.cn/id/ID``: the China endpoints' domain,
https://docs.amazonaws.cn/en_us/aws/latest/userguide/endpoints-arns.html). It was not
taken for EKS, so a China IRSA role open to a whole namespace drew no
``trust-eks-unpinned``, which the same role in any other region draws
(https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html)."""

from __future__ import annotations

import pytest

from keyless.engine import assess_trust
from keyless.idp.providers import provider_for
from keyless.model import Role

CLUSTER = "EXAMPLED539D4633E53DE1B71EXAMPLE"


def _role(partition: str, issuer: str, sub: str) -> Role:
    return Role(
        account_id="111122223333",
        name="irsa",
        arn=f"arn:{partition}:iam::111122223333:role/irsa",
        trust_policy={
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {
                        "Federated": f"arn:{partition}:iam::111122223333:oidc-provider/{issuer}"
                    },
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {f"{issuer}:aud": "sts.amazonaws.com"},
                        "StringLike": {f"{issuer}:sub": sub},
                    },
                }
            ],
        },
    )


@pytest.mark.parametrize("region", ["cn-north-1", "cn-northwest-1"])
def test_a_china_cluster_issuer_is_eks(region: str) -> None:
    issuer = f"oidc.eks.{region}.amazonaws.com.cn/id/{CLUSTER}"
    assert provider_for(issuer).name == "Amazon EKS (IRSA)"


@pytest.mark.parametrize(
    ("partition", "issuer"),
    [
        ("aws", f"oidc.eks.us-west-2.amazonaws.com/id/{CLUSTER}"),
        ("aws-cn", f"oidc.eks.cn-northwest-1.amazonaws.com.cn/id/{CLUSTER}"),
    ],
)
def test_a_namespace_wide_role_is_reported_in_every_partition(partition: str, issuer: str) -> None:
    findings = assess_trust(_role(partition, issuer, "system:serviceaccount:ci:*")).findings
    assert [(f.check, f.severity.value) for f in findings] == [("trust-eks-unpinned", "high")]
    pinned = _role(partition, issuer, "system:serviceaccount:ci:deployer")
    assert assess_trust(pinned).findings == ()


def test_a_lookalike_host_is_not_eks() -> None:
    issuer = f"oidc.eks.cn-north-1.amazonaws.com.cn.attacker.example/id/{CLUSTER}"
    assert provider_for(issuer).name != "Amazon EKS (IRSA)"
