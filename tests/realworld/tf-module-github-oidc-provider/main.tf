module "github_oidc" {
  source       = "./modules/oidc"
  repositories = ["acme/app"]
}
