# Shaped after pennlabs/infrastructure (terraform/modules/iam): an IRSA role trusted by
# one service account name in a set of namespaces.
variable "role" {
  type    = string
  default = "external-dns"
}

variable "namespaces" {
  type    = set(string)
  default = ["default", "kube-system"]
}

locals {
  issuer = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::123456789012:oidc-provider/${local.issuer}"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:sub"
      values   = [for ns in var.namespaces : "system:serviceaccount:${ns}:${var.role}"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "irsa" {
  name               = var.role
  assume_role_policy = data.aws_iam_policy_document.assume.json
}
