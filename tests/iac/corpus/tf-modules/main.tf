# NOT OK: the local module trusts every branch and pull request of the repositories.
module "ci_role" {
  source       = "./modules/ci-role"
  name         = "ci-build"
  repositories = ["octo-org/app", "octo-org/infra"]
}

# OK: the community module, pinned to one branch of one repository.
module "github_deploy" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-github-oidc-role"
  version = "5.39.0"

  name     = "github-deploy"
  subjects = ["octo-org/app:ref:refs/heads/main"]
}

# NOT OK: the community module given a whole organisation.
module "github_any" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-github-oidc-role"
  version = "5.39.0"

  name     = "github-any"
  subjects = ["octo-org/*"]
}

# Not read (a remote module keyless does not know): reported as a note.
module "network" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.8.1"
}
