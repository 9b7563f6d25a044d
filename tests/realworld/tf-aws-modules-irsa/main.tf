# Shaped after terraform-aws-modules/terraform-aws-iam (modules/iam-role-for-service-
# accounts-eks), Apache-2.0: calls as its README writes them, reduced.
locals {
  provider_arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
}

module "external_dns" {
  source    = "./modules/iam-role-for-service-accounts-eks"
  role_name = "external-dns"
  oidc_providers = {
    main = {
      provider_arn               = local.provider_arn
      namespace_service_accounts = ["kube-system:external-dns"]
    }
  }
}

# every service account of one namespace: StringLike and a wildcard
module "ci_namespace" {
  source                     = "./modules/iam-role-for-service-accounts-eks"
  role_name                  = "ci-any-sa"
  assume_role_condition_test = "StringLike"
  oidc_providers = {
    main = {
      provider_arn               = local.provider_arn
      namespace_service_accounts = ["ci:*"]
    }
  }
}
