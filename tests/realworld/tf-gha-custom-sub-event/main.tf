# Shaped after karia/ai_chatbot (its Terraform test `deployment_contract` asserts the deploy
# role's subjects): the repository's OIDC subject template is customised to repo,
# environment, ref and event_name, and the role pins all four. Beside it, the same template
# without the environment and the ref: a push to any branch.
variable "environment" {
  type    = string
  default = "dev"
}

resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

resource "aws_iam_role" "deploy" {
  name = "ai-chatbot-${var.environment}-deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = [
            "repo:acme/app:environment:${var.environment}:ref:refs/heads/main:event_name:push",
            "repo:acme/app:environment:${var.environment}:ref:refs/heads/main:event_name:workflow_dispatch",
          ]
        }
      }
    }]
  })
}

resource "aws_iam_role" "preview" {
  name = "ai-chatbot-preview"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = "repo:acme/app:event_name:push"
        }
      }
    }]
  })
}
