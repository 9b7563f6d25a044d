# Shaped after terraform-aws-modules/terraform-aws-iam (modules/iam-github-oidc-role/
# main.tf), Apache-2.0: the policy document and the role, reduced.
data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}

locals {
  provider_url = replace(var.provider_url, "https://", "")
  account_id   = data.aws_caller_identity.current.account_id
  partition    = data.aws_partition.current.partition
}

data "aws_iam_policy_document" "this" {
  count = var.create ? 1 : 0

  statement {
    effect  = "Allow"
    actions = ["sts:TagSession", "sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:oidc-provider/${local.provider_url}"]
    }

    # iss is no key AWS exposes: ForAllValues over an absent key is true
    condition {
      test     = "ForAllValues:StringEquals"
      variable = "token.actions.githubusercontent.com:iss"
      values   = ["http://token.actions.githubusercontent.com"]
    }

    condition {
      test     = "ForAllValues:StringEquals"
      variable = "${local.provider_url}:aud"
      values   = [var.audience]
    }

    condition {
      test     = "StringLike"
      variable = "${local.provider_url}:sub"
      values   = [for subject in var.subjects : "repo:${trimprefix(subject, "repo:")}"]
    }
  }
}

resource "aws_iam_role" "this" {
  count = var.create ? 1 : 0

  name               = var.name
  assume_role_policy = data.aws_iam_policy_document.this[0].json
}
