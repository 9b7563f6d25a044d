variable "conditions" {
  type = list(object({ test = string, variable = string, values = list(string) }))
  default = [
    { test = "StringEquals", variable = "token.actions.githubusercontent.com:aud", values = ["sts.amazonaws.com"] },
    { test = "StringLike", variable = "token.actions.githubusercontent.com:sub", values = ["repo:octo-org/app:ref:refs/heads/main"] },
  ]
}
variable "extra" {
  type = map(list(string))
}
variable "subjects" {
  type = list(string)
  default = ["repo:octo-org/app:environment:prod"]
}

# OK: the conditions come from a variable's default, one dynamic block each.
data "aws_iam_policy_document" "pinned" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"]
    }
    dynamic "condition" {
      for_each = var.conditions
      iterator = c
      content {
        test     = c.value.test
        variable = c.value.variable
        values   = c.value.values
      }
    }
  }
}

# Not judged: the variable that adds conditions has no value.
data "aws_iam_policy_document" "unknown" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    dynamic "condition" {
      for_each = var.extra
      content {
        test     = "StringLike"
        variable = condition.key
        values   = condition.value
      }
    }
  }
}

# OK: a statement generated when there are subjects (a number comparison).
data "aws_iam_policy_document" "counted" {
  dynamic "statement" {
    for_each = length(var.subjects) > 0 ? [1] : []
    content {
      actions = ["sts:AssumeRoleWithWebIdentity"]
      principals {
        type        = "Federated"
        identifiers = ["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"]
      }
      condition {
        test     = "StringEquals"
        variable = "token.actions.githubusercontent.com:sub"
        values   = var.subjects
      }
      condition {
        test     = "StringEquals"
        variable = "token.actions.githubusercontent.com:aud"
        values   = ["sts.amazonaws.com"]
      }
    }
  }
}

locals {
  github_claims = {
    "token.actions.githubusercontent.com:aud" = ["sts.amazonaws.com"]
    "token.actions.githubusercontent.com:sub" = ["repo:octo-org/*"]
  }
}

# NOT OK: any repository of the organisation (the conditions come from a local map).
data "aws_iam_policy_document" "org_wide" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"]
    }
    dynamic "condition" {
      for_each = local.github_claims
      content {
        test     = "StringLike"
        variable = condition.key
        values   = condition.value
      }
    }
  }
}

resource "aws_iam_role" "pinned" {
  name               = "pinned"
  assume_role_policy = data.aws_iam_policy_document.pinned.json
}

resource "aws_iam_role" "unknown" {
  name               = "unknown"
  assume_role_policy = data.aws_iam_policy_document.unknown.json
}

resource "aws_iam_role" "counted" {
  name               = "counted"
  assume_role_policy = data.aws_iam_policy_document.counted.json
}

resource "aws_iam_role" "org_wide" {
  name               = "org-wide"
  assume_role_policy = data.aws_iam_policy_document.org_wide.json
}
