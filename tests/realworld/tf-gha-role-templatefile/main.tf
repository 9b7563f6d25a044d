# Shaped after tulna07/workshop-1-tf-modules (modules/security/gha-role): the trust policy
# is a template file rendered with the organization and repository.
resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

resource "aws_iam_role" "gha" {
  name = "gha-deploy"
  assume_role_policy = templatefile("${path.module}/gha-trust-policy.tpl", {
    gh_oidc_provider_arn = aws_iam_openid_connect_provider.github.arn
    github_org           = "acme"
    github_repo          = "app"
  })
}
