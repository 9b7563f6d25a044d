# A deploy role trusting the workflows of one repository by `job_workflow_ref` alone (no
# `sub`), as public Terraform found by code search writes it; and a shared deploy workflow
# pinned at a ref, alone and with the organization pinned in `sub` (GitHub's "Filtering for
# a specific reusable workflow at a specific ref").
variable "github_repo" {
  type    = string
  default = "acme/capstone"
}

data "aws_iam_openid_connect_provider" "gha" {
  url = "https://token.actions.githubusercontent.com"
}

data "aws_iam_policy_document" "gha_assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    effect  = "Allow"
    principals {
      type        = "Federated"
      identifiers = [data.aws_iam_openid_connect_provider.gha.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:job_workflow_ref"
      values   = ["${var.github_repo}/.github/workflows/*"]
    }
  }
}

resource "aws_iam_role" "gha_deploy" {
  name               = "gha-deploy"
  assume_role_policy = data.aws_iam_policy_document.gha_assume.json
}

locals {
  shared = "acme/shared-workflows/.github/workflows/deploy.yml@refs/heads/main"
}

resource "aws_iam_role" "shared_deploy" {
  name = "shared-deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = data.aws_iam_openid_connect_provider.gha.arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud"              = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:job_workflow_ref" = local.shared
        }
      }
    }]
  })
}

resource "aws_iam_role" "shared_deploy_org" {
  name = "shared-deploy-org"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = data.aws_iam_openid_connect_provider.gha.arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud"              = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:job_workflow_ref" = local.shared
        }
        StringLike = {
          "token.actions.githubusercontent.com:sub" = "repo:acme/*"
        }
      }
    }]
  })
}
