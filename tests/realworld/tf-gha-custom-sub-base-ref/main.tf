# Shaped after sasakitimaru/terraform-learn (main.tf): the repository's OIDC subject
# template is customised to repo, event_name, base_ref and context. A push's token writes
# its empty base_ref as an empty field (`base_ref::`); a pull_request_target run's context
# is the default branch's ref, never `pull_request`. Beside it, the same template for a
# pull request's run, whose code is the pull request's.
resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

resource "aws_iam_role" "terraform_exec" {
  name = "terraform-exec"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
        }
        StringLike = {
          "token.actions.githubusercontent.com:sub" = [
            "repo:acme/app:event_name:pull_request_target:base_ref:main:*",
            "repo:acme/app:event_name:push:base_ref::ref:refs/heads/main",
          ]
        }
      }
    }]
  })
}

resource "aws_iam_role" "preview" {
  name = "preview"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
        }
        StringLike = {
          "token.actions.githubusercontent.com:sub" = "repo:acme/app:event_name:pull_request:base_ref:main:*"
        }
      }
    }]
  })
}
