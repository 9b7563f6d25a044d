# Shaped after KaushalRai12/DevOps (terraform/modules/aws/eks/templates/cni-role-policy.json.tpl):
# the VPC CNI role's service account written under `aud` instead of `sub`.
locals {
  issuer = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
}

resource "aws_iam_role" "cni" {
  name = "eks-vpc-cni"
  assume_role_policy = templatefile("${path.module}/templates/cni-role-policy.json.tpl", {
    cluster_arn = "arn:aws:iam::123456789012:oidc-provider/${local.issuer}"
    cluster_url = local.issuer
  })
}
