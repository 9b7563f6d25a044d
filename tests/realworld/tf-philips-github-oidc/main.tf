resource "aws_iam_openid_connect_provider" "github" {
  url             = "https://token.actions.githubusercontent.com"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1"]
}

module "deploy_main" {
  source       = "./modules/github-oidc"
  provider_arn = aws_iam_openid_connect_provider.github.arn
  repo         = "acme/app"
  role_name    = "deploy-main"
}

module "deploy_any_ref" {
  source             = "./modules/github-oidc"
  provider_arn       = aws_iam_openid_connect_provider.github.arn
  repo               = "acme/app"
  role_name          = "deploy-any-ref"
  default_conditions = ["allow_all"]
}
