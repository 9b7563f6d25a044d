# Shaped after public Terraform found by code search that calls
# terraform-aws-modules/iam/aws//modules/iam-assumable-role-with-oidc from the registry
# for GitHub Actions, often without a version and with the provider's URL from the
# iam-github-oidc-provider module. Reduced to what decides the verdict.
module "iam_github_oidc_provider" {
  source = "terraform-aws-modules/iam/aws//modules/iam-github-oidc-provider"
}

# any ref and any event of the repository
module "iam_assumable_role_with_oidc" {
  source = "terraform-aws-modules/iam/aws//modules/iam-assumable-role-with-oidc"

  create_role                    = true
  role_name                      = "github-actions"
  provider_url                   = module.iam_github_oidc_provider.url
  oidc_subjects_with_wildcards   = ["repo:acme/app:*"]
  oidc_fully_qualified_audiences = ["sts.amazonaws.com"]
}

# the main branch only
module "deploy_main" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-assumable-role-with-oidc"
  version = "5.33.1"

  create_role                    = true
  role_name                      = "deploy-main"
  provider_url                   = "token.actions.githubusercontent.com"
  oidc_fully_qualified_audiences = ["sts.amazonaws.com"]
  oidc_fully_qualified_subjects  = ["repo:acme/app:ref:refs/heads/main"]
}
