# Shaped after terraform-aws-modules/terraform-aws-iam (modules/iam-github-oidc-role),
# Apache-2.0: two calls of the module, reduced to what decides their trust policies.
module "any_ref" {
  source   = "./modules/iam-github-oidc-role"
  name     = "deploy-any-ref"
  subjects = ["acme/app:*"]
}

module "main_only" {
  source   = "./modules/iam-github-oidc-role"
  name     = "deploy-main"
  subjects = ["repo:acme/app:ref:refs/heads/main"] # the module strips a leading repo:
}
