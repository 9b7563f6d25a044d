# Shaped after philips-labs/terraform-aws-github-oidc (main.tf): default conditions
# merged by test and variable with a grouping for expression.
locals {
  issuer_sub = "${var.issuer}:sub"

  allow_main = contains(var.default_conditions, "allow_main") ? [{
    test     = "StringLike"
    variable = local.issuer_sub
    values   = ["repo:${var.repo}:ref:refs/heads/${var.branch}"]
  }] : []

  allow_all = contains(var.default_conditions, "allow_all") ? [{
    test     = "StringLike"
    variable = local.issuer_sub
    values   = ["repo:${var.repo}:*"]
  }] : []

  deny_pull_request = contains(var.default_conditions, "deny_pull_request") ? [{
    test     = "StringNotLike"
    variable = local.issuer_sub
    values   = ["repo:${var.repo}:pull_request"]
  }] : []

  all_conditions = setunion(local.allow_main, local.allow_all, local.deny_pull_request, var.conditions)
  grouped = [
    for key, group in { for c in local.all_conditions : "${c.test}|${c.variable}" => c... } : {
      test   = key
      values = flatten([for i, g in group[*].values : group[i].values if group[i].variable == group[0].variable])
    }
  ]
}

data "aws_iam_policy_document" "assume" {
  count = var.repo != null ? 1 : 0

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [var.provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${var.issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
    dynamic "condition" {
      for_each = local.grouped
      content {
        test     = split("|", condition.value.test)[0]
        variable = split("|", condition.value.test)[1]
        values   = condition.value.values
      }
    }
  }
}

resource "aws_iam_role" "main" {
  count              = var.repo != null ? 1 : 0
  name               = var.role_name
  assume_role_policy = data.aws_iam_policy_document.assume[0].json
}
