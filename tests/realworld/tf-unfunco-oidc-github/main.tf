# Calls of unfunco/oidc-github from the registry, as public repositories write them.

module "oidc_github" {
  source  = "unfunco/oidc-github/aws"
  version = "1.7.1"

  github_repositories = [
    "acme/app",
    "acme/functions",
  ]
  iam_role_policy_arns = ["arn:aws:iam::aws:policy/AmazonS3FullAccess"]
}

module "oidc_github_main" {
  source  = "unfunco/oidc-github/aws"
  version = "~> 1.6"

  create_oidc_provider = false
  iam_role_name        = "github-main"
  github_repositories = [
    "acme/eks:ref:refs/heads/main",
  ]
  attach_admin_policy = true
}

module "oidc_github_latest" {
  source = "unfunco/oidc-github/aws"

  create_oidc_provider = false
  iam_role_name        = "github-latest"
  github_repositories  = ["acme/site"]
}
