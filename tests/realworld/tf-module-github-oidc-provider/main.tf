module "github_oidc" {
  source       = "./modules/oidc"
  repositories = ["acme/app"]
}

# a repository given with its ref: the %{if} keeps it as written
module "github_oidc_main" {
  source       = "./modules/oidc"
  repositories = ["acme/site:ref:refs/heads/main"]
  role_name    = "github-oidc-main"
}
