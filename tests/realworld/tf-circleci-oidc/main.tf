# Shaped after the README of ovotech/circleci-orbs (aws-configure-credentials-oidc):
# CircleCI's per-organization issuer, the organization ID as the client ID, the role
# pinned to projects by `sub` only, as CircleCI's guide writes it.
locals {
  circleci_org_id      = "4084b6f4-425d-43c6-996f-cce16b485731"
  circleci_project_ids = ["0c6b6e4e-1f2a-4b1c-9d0e-3a5f6c7d8e9f"]
}

resource "aws_iam_openid_connect_provider" "circleci" {
  url             = "https://oidc.circleci.com/org/${local.circleci_org_id}"
  client_id_list  = [local.circleci_org_id]
  thumbprint_list = ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]
}

data "aws_iam_policy_document" "assume_circleci" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.circleci.arn]
    }
    condition {
      test     = "StringLike"
      variable = "oidc.circleci.com/org/${local.circleci_org_id}:sub"
      values   = [for id in local.circleci_project_ids : "org/${local.circleci_org_id}/project/${id}/user/*"]
    }
  }
}

resource "aws_iam_role" "circleci" {
  name               = "CircleCI"
  assume_role_policy = data.aws_iam_policy_document.assume_circleci.json
}
