# Shaped after terraform-module/terraform-aws-github-oidc-provider (main.tf): each
# repository becomes a `sub` pattern through a %{if} template directive.
resource "aws_iam_openid_connect_provider" "this" {
  count           = var.create_oidc_provider ? 1 : 0
  url             = "https://token.actions.githubusercontent.com"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = [var.github_thumbprint]
}

data "aws_iam_policy_document" "this" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    effect  = "Allow"
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values = [
        for repo in var.repositories :
        "repo:%{if length(regexall(":+", repo)) > 0}${repo}%{else}${repo}:*%{endif}"
      ]
    }
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.this[0].arn]
    }
  }
}

resource "aws_iam_role" "this" {
  count              = var.create_oidc_role ? 1 : 0
  name               = var.role_name
  assume_role_policy = data.aws_iam_policy_document.this.json
}

variable "create_oidc_provider" {
  type    = bool
  default = true
}

variable "create_oidc_role" {
  type    = bool
  default = true
}

variable "github_thumbprint" {
  type    = string
  default = "6938fd4d98bab03faadb97b34396831e3780aea1"
}

variable "repositories" {
  type    = list(string)
  default = []
}

variable "role_name" {
  type    = string
  default = "github-oidc-provider-aws"
}
